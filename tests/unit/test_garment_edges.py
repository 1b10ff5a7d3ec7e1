"""The warped garment's edges: where an arm or hand cuts it, and where its sleeves end. Synthetic images and
poses, drawn here."""

from __future__ import annotations

import cv2
import numpy as np
from poses import frontal_pose

from fittingroom.common import landmarks as lm
from fittingroom.common.body import Pose
from fittingroom.segment.occlusion import occluders
from fittingroom.warp_gen.fit import GarmentFit, covered_mask

H, W = 400, 300
SKIN = (224, 172, 140)
SHADOW = (90, 60, 50)  # a dark fold of skin: not the face's chroma
SHIRT = (40, 90, 200)
BACKDROP = 235


def _arms_at_the_sides() -> Pose:
    """Arms hanging beside the torso (the forearms over a loose shirt's sides), hands seen."""
    return frontal_pose({**{point: (220, 247) for point in (17, 19)}, **{point: (80, 247) for point in (18, 20)}})


def _shopper(pose: Pose) -> tuple[np.ndarray, np.ndarray]:
    """Skin head, a loose shirt, and the right forearm over its side with a small dark fold in its skin."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.circle(image, (150, 60), 35, SKIN, -1)
    cv2.rectangle(image, (50, 100), (250, 390), SHIRT, -1)
    elbow, wrist = (np.round(pose.points[i]).astype(int) for i in (lm.RIGHT_ELBOW, lm.RIGHT_WRIST))
    cv2.line(image, tuple(elbow), tuple(wrist), SKIN, 22)
    middle = (elbow + wrist) // 2
    cv2.rectangle(image, tuple(middle - 2), tuple(middle + 2), SHADOW, -1)
    person = (np.abs(image.astype(int) - BACKDROP).sum(axis=2) > 0).astype(np.float32)
    return image, person


def test_an_arm_in_front_cuts_the_garment_along_its_outline_without_holes() -> None:
    pose = _arms_at_the_sides()
    image, person = _shopper(pose)
    body = np.array([pose.points[lm.RIGHT_SHOULDER], pose.points[lm.LEFT_SHOULDER], (180, 260), (120, 260)])
    front = occluders(image, person, pose, np.zeros((H, W), np.uint8), body)
    elbow, wrist = (pose.points[i] for i in (lm.RIGHT_ELBOW, lm.RIGHT_WRIST))
    middle = np.round((elbow + wrist) / 2).astype(int)
    assert front[middle[1], middle[0]] == 1  # the dark fold is the arm's, not a hole in it
    # Its outline is smooth: along the forearm, each cross-section is one run, the arm's width.
    along = (wrist - elbow) / np.linalg.norm(wrist - elbow)
    normal = np.array([-along[1], along[0]])
    for share in (0.3, 0.5, 0.7):
        centre = elbow + share * (wrist - elbow)
        samples = [centre + normal * t for t in np.arange(-20, 21)]
        run = np.array([front[round(y), round(x)] for x, y in samples])
        assert np.count_nonzero(np.diff(run)) == 2 and 18 <= run.sum() <= 26


def test_a_sleeve_covers_its_arm_down_to_its_cuff_and_no_farther() -> None:
    """The sleeve's band ends square at the cuff: the arm below is bare (in front of the bodice), where a
    thick line's round cap covered half a sleeve's width more."""
    fit = GarmentFit(names=(), source=np.zeros((0, 2)), target=np.zeros((0, 2)),
                     body=np.array([(105, 110), (195, 110), (190, 230), (110, 230)]),
                     limbs=((np.array([(195.0, 110.0), (200.0, 160.0)]), 30.0),))
    covered = covered_mask(fit, (H, W))
    assert covered[157, 200] == 1 and covered[157, 212] == 1  # the sleeve, across the arm's width
    assert covered[166, 200] == 0  # just below the cuff: bare arm
    assert covered[100, 195] == 1  # rounded over the shoulder joint
