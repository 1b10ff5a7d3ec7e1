"""The body a garment hangs on: the pose's keypoints (`Pose`) and the one geometry derived from them.

Several stages read a pose (the worn-garment mask and occlusion in segment, the garment fit in warp-gen)
and stages never import each other, so the pose's type and the body geometry live here, on the floor
they all stand on. The geometry's factors are shares of the shoulder width or the torso, so they hold at
any photo size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fittingroom.common import landmarks as lm
from fittingroom.common.errors import InvalidInput
from fittingroom.common.garment import Category

VISIBLE = 0.3  # the visibility a keypoint is trusted at for placing a garment
# Shoulder-to-hip distance over shoulder width: about 1.5 for adults; below this the hips are wrong (bulky
# clothing makes the pose model pull them up), and the torso is stretched to it.
MIN_TORSO_RATIO = 1.3
HALF_BODY_TORSO = 1.6  # of the shoulder width: where the hips are taken to be when the photo cuts them off
PAD = 0.12  # of the shoulder width: how far clothes stand above the joints
SIDE_PAD = 0.3  # ... and beside them (the person mask and GrabCut trim what this generous margin adds)
SLEEVE_WIDTH = 0.28  # of the shoulder width: an upper arm with its sleeve
LEG_WIDTH = 0.55  # of the hip width: a thigh with its trouser leg
TOP_HEM = 0.12  # of the torso: a top's hem below the hip joints
DRESS_HEM = 0.15  # of the torso: a dress's hem below the knees
DRESS_FLARE = 0.25  # of the shoulder width: how far a dress's hem stands out beside each knee
KNEE_DROP = 0.9  # of the torso: where the knees are taken to be when the pose cannot see them
HIP_BREADTH = 1.7  # of the hip joints' distance: the hips' breadth (the bare torso's at the hip joints)
# Of the shoulder width: the most a shoulder's top stands above BlazePose's joint (on the development photos
# 0.1-0.28; the joint sits low in the deltoid). A longer run of person straight above the joint is hair or the head.
SHOULDER_REACH = 0.3
# In a leg's mask (`segment.legs`): where the photo shows the leg bare, and just above that where the worn garment's
# hem edges and shades it; 1 where the leg is shaped, LEG_KNEE on its knee's row there.
LEG_SEEN = 2
LEG_HEM = 3
LEG_KNEE = 4


@dataclass(frozen=True)
class Pose:
    """Body landmarks in image pixels with per-point visibility in [0, 1]."""

    points: np.ndarray  # [33, 2] float32 (x, y)
    visibility: np.ndarray  # [33] float32
    score: float

    def visible(self, index: int, threshold: float = 0.5) -> bool:
        return bool(self.visibility[index] >= threshold)

    def point(self, index: int) -> np.ndarray:
        return self.points[index].astype(np.float64)

    def sees(self, *indices: int) -> bool:
        """Whether every keypoint is visible enough to place a garment on."""
        return all(self.visible(i, VISIBLE) for i in indices)


@dataclass(frozen=True)
class BodyFrame:
    """The pose reduced to what a garment hangs on, in person-photo pixels."""

    left_shoulder: np.ndarray
    right_shoulder: np.ndarray
    left_hip: np.ndarray
    right_hip: np.ndarray
    across: np.ndarray  # unit vector from the right shoulder to the left (image left to right, facing us)
    down: np.ndarray  # unit vector along the body, towards the feet
    shoulder_width: float
    torso: float  # shoulders' midpoint to hips' midpoint
    hips_seen: bool


def body_frame(pose: Pose) -> BodyFrame:
    """Shoulders, hips (stretched when implausibly short, placed when out of the frame) and the body's axes."""
    if not pose.sees(lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER):
        raise InvalidInput("the photo must show the shoulders; use a front-facing photo where they are visible",
                           field="person")
    ls, rs = pose.point(lm.LEFT_SHOULDER), pose.point(lm.RIGHT_SHOULDER)
    width = max(float(np.linalg.norm(ls - rs)), 1e-6)
    across = (ls - rs) / width
    down = np.array([-across[1], across[0]])
    if down[1] < 0:
        down = -down
    hips_seen = pose.sees(lm.LEFT_HIP, lm.RIGHT_HIP)
    if hips_seen:
        lh, rh = pose.point(lm.LEFT_HIP), pose.point(lm.RIGHT_HIP)
    else:  # a half-body photo: the torso runs out of the frame
        lh, rh = ls + down * HALF_BODY_TORSO * width, rs + down * HALF_BODY_TORSO * width
    torso = float(np.linalg.norm((lh + rh) / 2 - (ls + rs) / 2))
    if torso < MIN_TORSO_RATIO * width:
        stretch = down * (MIN_TORSO_RATIO * width - torso)
        lh, rh, torso = lh + stretch, rh + stretch, MIN_TORSO_RATIO * width
    return BodyFrame(ls, rs, lh, rh, across, down, width, torso, hips_seen)


def shoulder_rise(frame: BodyFrame, person: np.ndarray | None) -> float:
    """px: how far the shoulders' top stands above their joints, the mean of both sides measured straight up
    from each joint to the `person` mask's outline (0 where unknown: no mask, or a run past SHOULDER_REACH).

    Read per side, the two differed by up to 0.16 shoulder widths on the development photos (a sloping
    shoulder, a joint placed off its middle): what is placed on one side from each tilted.
    """
    if person is None:
        return 0.0
    rises = [rise for rise in (_rise(person, joint, frame) for joint in (frame.left_shoulder, frame.right_shoulder))
             if rise > 0]
    return float(np.mean(rises)) if rises else 0.0


def _rise(person: np.ndarray, joint: np.ndarray, frame: BodyFrame) -> float:
    height, width = person.shape[:2]
    top = 0.0
    for step in range(round(SHOULDER_REACH * frame.shoulder_width) + 2):
        x, y = np.round(joint - frame.down * step).astype(int)
        if not (0 <= x < width and 0 <= y < height) or person[y, x] <= 0.5:
            return top
        top = float(step)
    return 0.0


def knees(pose: Pose, frame: BodyFrame) -> tuple[np.ndarray, np.ndarray]:
    """(left, right) knees: the pose's, or a torso's length below the hips when it cannot see them."""
    if frame.hips_seen and pose.sees(lm.LEFT_KNEE, lm.RIGHT_KNEE):
        return pose.point(lm.LEFT_KNEE), pose.point(lm.RIGHT_KNEE)
    return frame.left_hip + frame.down * KNEE_DROP * frame.torso, frame.right_hip + frame.down * KNEE_DROP * frame.torso


def hem_line(pose: Pose, frame: BodyFrame, category: Category) -> tuple[np.ndarray, np.ndarray]:
    """(left, right) ends of a top's or a dress's hem, on the joints' lines (unpadded)."""
    if category is Category.DRESS:
        lk, rk = knees(pose, frame)
        flare = frame.across * DRESS_FLARE * frame.shoulder_width
        return lk + flare + frame.down * DRESS_HEM * frame.torso, rk - flare + frame.down * DRESS_HEM * frame.torso
    return (frame.left_hip + frame.down * TOP_HEM * frame.torso,
            frame.right_hip + frame.down * TOP_HEM * frame.torso)


@dataclass(frozen=True)
class TopOutline:
    """The four corners of a top or a dress worn on this body, padded off the joints."""

    left_shoulder: np.ndarray
    right_shoulder: np.ndarray
    left_hem: np.ndarray
    right_hem: np.ndarray

    def polygon(self) -> np.ndarray:
        return np.array([self.left_shoulder, self.left_hem, self.right_hem, self.right_shoulder])


def top_outline(pose: Pose, frame: BodyFrame, category: Category) -> TopOutline:
    pad, side_pad = PAD * frame.shoulder_width, SIDE_PAD * frame.shoulder_width
    bottom_l, bottom_r = hem_line(pose, frame, category)
    return TopOutline(left_shoulder=frame.left_shoulder + frame.across * side_pad - frame.down * pad,
                      right_shoulder=frame.right_shoulder - frame.across * side_pad - frame.down * pad,
                      left_hem=bottom_l + frame.across * side_pad, right_hem=bottom_r - frame.across * side_pad)
