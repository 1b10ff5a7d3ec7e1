"""A shoulder and upper arm a shorter new top bares, on synthetic shoppers whose arms are known: as wide as the
arm's skin shows it, a cap that rounds into the arm, and no torso block standing past the arm beside it."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
from poses import frontal_pose

from fittingroom.common.body import body_frame
from fittingroom.segment.worn_garment import bare_body, bare_torso
from fittingroom.warp_gen.arms import DELTOID, DELTOID_INSERTION, fit_arms

H, W = 400, 300
BACKDROP = (235, 235, 235)
ARM = (225, 180, 150)
TOP = (40, 60, 140)
UPPER = 24  # the bare arm's upper arm, px wide


def _shopper(loose_sleeve: int, boxy: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A navy top; the left arm bare (below a boxy tee's square shoulder with `boxy`), the right one in a navy
    sleeve `loose_sleeve` px wide (down to the elbow). Returns the image, the person mask and the skin mask."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.rectangle(image, (120, 100), (180, 240), TOP, -1)
    cv2.rectangle(image, (105, 100), (195, 125), TOP, -1)
    cv2.line(image, (195, 110), (215, 175), ARM, UPPER)
    cv2.line(image, (215, 175), (220, 235), ARM, 18)
    cv2.line(image, (105, 110), (85, 175), TOP, loose_sleeve)
    cv2.line(image, (85, 175), (80, 235), TOP, 18)
    if boxy:
        cv2.rectangle(image, (180, 92), (218, 130), TOP, -1)
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    skin = np.all(image == ARM, axis=2).astype(np.uint8)
    return image, person, skin


def test_a_loose_sleeve_is_no_wider_arm_than_the_other_arms_skin() -> None:
    """The right arm shows only its loose sleeve's outline (eased, half as wide again as an arm): its bared upper
    arm is as wide as the left arm's skin shows an arm, not a block as wide as the old sleeve."""
    image, person, skin = _shopper(loose_sleeve=38)
    left, right = fit_arms(frontal_pose(), image, person, skin).arms
    assert abs(left.radii[0] - UPPER / 2) <= 1.5
    assert abs(right.radii[0] - left.radii[0]) <= 0.5


def test_the_shoulders_cap_rounds_over_its_joint_and_tapers_into_the_arm() -> None:
    """Under a boxy tee's square shoulder, the deltoid is broadest below the joint and narrows into the upper arm
    down to its insertion: no square corner above-outward of the joint, no step where the cap meets the arm."""
    image, person, skin = _shopper(loose_sleeve=UPPER, boxy=True)
    arms = fit_arms(frontal_pose(), image, person, skin)
    mask = arms.mask()
    left = arms.arms[0]
    joint, elbow = left.joints[0], left.joints[1]
    # Rounded over the joint: at its row the cap is narrower than its reach (a circle round the joint reached it there).
    assert np.flatnonzero(mask[round(joint[1])]).max() - joint[0] < left.deltoid - 0.5
    # Outward of the bone, row by row down the upper arm to the insertion: the outline steps in, never out.
    reach = []
    for t in np.linspace(0.1, DELTOID_INSERTION, 6):
        centre = joint + t * (elbow - joint)
        row = mask[round(centre[1])]
        reach.append(np.flatnonzero(row).max() - centre[0])
    assert all(b <= a + 1.0 for a, b in itertools.pairwise(reach))


def test_the_repaints_torso_stops_at_the_upper_arms_bones() -> None:
    """Below the shoulders' line the body the repaint takes for skin reaches no further out than each upper arm's
    bone (the arm itself is fitted to the photo); the torso the fit dresses stays as broad as the shoulders."""
    pose = frontal_pose()
    body, torso = bare_body(pose, (H, W)), bare_torso(pose, (H, W))
    frame = body_frame(pose)
    shoulder_half = np.linalg.norm(frame.left_shoulder - frame.right_shoulder) / 2
    beside = (round(frame.left_shoulder[1]) + 5, round(150 + shoulder_half) + 4)  # just outward of the left bone
    assert torso[beside] and not body[beside]
    assert body[150, 150] and body[130, 190]  # the chest, inward of the bone


def test_a_shoulder_under_a_dropped_shoulder_takes_the_bodys_proportion() -> None:
    """A boxy tee's square shoulder stands further out than any deltoid: the shoulder under it is DELTOID upper-arm
    half widths across, not the widest a shoulder may be (whose corner stood as wide as the old sleeve's top)."""
    image, person, skin = _shopper(loose_sleeve=UPPER)
    cv2.rectangle(image, (180, 92), (235, 130), TOP, -1)  # 40 px out from the left joint: a garment's, not a body's
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    left = fit_arms(frontal_pose(), image, person, skin).arms[0]
    assert abs(left.deltoid - DELTOID * left.radii[0]) <= 1e-6


def test_a_slim_upper_arm_below_a_short_sleeve_is_placed_on_its_skin() -> None:
    """Both arms are slimmer than the body's proportions; the right one shows too little skin for them (half a default
    arm's width) but as much as the left arm's width allows: its bone moves onto it, so the bared arm above the old
    sleeve's hem meets the arm seen below it without a step."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.rectangle(image, (120, 100), (180, 240), TOP, -1)
    cv2.line(image, (195, 110), (215, 175), ARM, 12)
    cv2.line(image, (215, 175), (220, 235), ARM, 10)
    cv2.line(image, (105, 110), (85, 175), TOP, 12)  # the right arm's short sleeve down to its elbow ...
    cv2.line(image, (87, 150), (79, 175), ARM, 8)  # ... its skin below the hem, 6 px outward of the bone
    cv2.line(image, (85, 175), (80, 235), TOP, 10)
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    skin = np.all(image == ARM, axis=2).astype(np.uint8)
    right = fit_arms(frontal_pose(), image, person, skin).arms[1]
    assert right.joints[1][0] <= 85 - 1.5  # the elbow moved outward, onto the skin seen below the sleeve
