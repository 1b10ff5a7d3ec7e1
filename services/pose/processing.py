"""Pure numpy pre/post-processing for the pose landmark model."""

from __future__ import annotations

import numpy as np

from fittingroom.common.body import Pose
from fittingroom.common.images import square_crop, to_float
from fittingroom.common.landmarks import NUM_BODY_LANDMARKS
from fittingroom.pose.spec import LANDMARK_VALUES, NUM_LANDMARKS, POSE_SIZE

# The landmark model was trained on crops where the person fills most of the square; MediaPipe
# enlarges its detector box by 1.25, so we give the mask box the same margin.
CROP_MARGIN = 1.25


def person_square(box: tuple[int, int, int, int]) -> tuple[float, float, float, float]:
    """A square around the person's box, enlarged by CROP_MARGIN, as (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half = max(x1 - x0, y1 - y0) * CROP_MARGIN / 2
    return cx - half, cy - half, cx + half, cy + half


def pose_input(image: np.ndarray, box: tuple[int, int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The person crop as [1, 256, 256, 3] float32 in [0, 1], and the crop-to-image affine."""
    crop, to_image = square_crop(image, person_square(box), POSE_SIZE)
    return to_float(crop)[None], to_image


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def decode_pose(landmarks: np.ndarray, pose_flag: np.ndarray, to_image: np.ndarray) -> Pose:
    """Model outputs for one crop -> landmarks in image pixels."""
    values = landmarks.reshape(NUM_LANDMARKS, LANDMARK_VALUES)[:NUM_BODY_LANDMARKS]
    xy1 = np.concatenate([values[:, :2], np.ones((NUM_BODY_LANDMARKS, 1), np.float32)], axis=1)
    points = (xy1 @ to_image.T).astype(np.float32)
    visibility = _sigmoid(values[:, 3]).astype(np.float32)
    return Pose(points=points, visibility=visibility, score=float(np.ravel(pose_flag)[0]))
