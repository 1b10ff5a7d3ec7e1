"""Pure numpy pre/post-processing for the pose landmark model."""

from __future__ import annotations

import numpy as np

from fittingroom.common.body import Pose
from fittingroom.common.images import square_crop, to_float
from fittingroom.common.landmarks import LEFT_SHOULDER, NUM_BODY_LANDMARKS, RIGHT_SHOULDER
from fittingroom.pose.spec import LANDMARK_VALUES, NUM_LANDMARKS, POSE_SIZE

# The landmark model was trained on crops where the person fills most of the square; MediaPipe
# enlarges its detector box by 1.25, so we give the mask box the same margin.
CROP_MARGIN = 1.25
# An answer on the crop or its mirror image whose shoulders lie less than this share of the other's breadth
# apart saw the shopper turned away (`merge_mirrored`): on the development photos and their perturbed copies
# the two answers' breadths were within 0.81-1 of each other, except two copies at 0.34 and the wrong way round.
TURNED_AWAY = 0.6


def person_square(box: tuple[int, int, int, int]) -> tuple[float, float, float, float]:
    """A square around the person's box, enlarged by CROP_MARGIN, as (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half = max(x1 - x0, y1 - y0) * CROP_MARGIN / 2
    return cx - half, cy - half, cx + half, cy + half


# Where each body landmark goes in a mirrored photo: the person's left eye, shoulder, hip... become the right
# ones (BlazePose's order: nose, left eye inner/centre/outer, right eye ..., then left/right pairs).
_MIRRORED = (0, 4, 5, 6, 1, 2, 3, 8, 7, 10, 9, *(i + (1 if i % 2 else -1) for i in range(11, NUM_BODY_LANDMARKS)))


def pose_input(image: np.ndarray, box: tuple[int, int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The person crop as [1, 256, 256, 3] float32 in [0, 1], and the crop-to-image affine."""
    crop, to_image = square_crop(image, person_square(box), POSE_SIZE)
    return to_float(crop)[None], to_image


def with_mirror(batch: np.ndarray) -> np.ndarray:
    """[1, H, W, C] -> [2, H, W, C]: the crop and its mirror image, answered together (`merge_mirrored`)."""
    return np.concatenate([batch, np.ascontiguousarray(batch[:, :, ::-1])])


def merge_mirrored(landmarks: np.ndarray) -> np.ndarray:
    """One crop's landmarks from the model's answers on the crop and on its mirror image ([2, 39 * 5]): their
    mean, the mirror's turned back (x flipped, left and right swapped); or the one answer that sees the shopper
    from the front, where the other's shoulders lie less than TURNED_AWAY of its breadth apart or the wrong way
    round (a front-facing shopper's left shoulder is on the photo's right).

    The landmark model is not mirror-symmetric: on the development photos a full-body shopper's shoulders
    and elbows moved by up to 17 % of her shoulder width between a photo and its mirror image (the garment's
    seams placed on her straps). The mean cancels the bias that flips with the photo and halves the rest. But
    on a padded or darker copy of a full-body photo one answer saw her from behind or turned sideways (its
    shoulders 13 px the wrong way round, or 12 px apart where the other had 35): the mean drew the shoulders
    together, and a dress was squeezed into a strip down her middle.
    """
    values = landmarks.reshape(2, NUM_LANDMARKS, LANDMARK_VALUES).astype(np.float64)
    mirror = values[1].copy()
    mirror[:, 0] = POSE_SIZE - mirror[:, 0]
    mirror[:NUM_BODY_LANDMARKS] = mirror[list(_MIRRORED)]
    answers = (values[0], mirror)
    breadths = [float(a[LEFT_SHOULDER, 0] - a[RIGHT_SHOULDER, 0]) for a in answers]
    wide = int(np.argmax(breadths))
    if breadths[wide] > 0 and breadths[1 - wide] < TURNED_AWAY * breadths[wide]:
        return np.asarray(answers[wide], np.float32).reshape(-1)
    return np.asarray((values[0] + mirror) / 2, np.float32).reshape(-1)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def decode_pose(landmarks: np.ndarray, pose_flag: np.ndarray, to_image: np.ndarray) -> Pose:
    """Model outputs for one crop -> landmarks in image pixels."""
    values = landmarks.reshape(NUM_LANDMARKS, LANDMARK_VALUES)[:NUM_BODY_LANDMARKS]
    xy1 = np.concatenate([values[:, :2], np.ones((NUM_BODY_LANDMARKS, 1), np.float32)], axis=1)
    points = (xy1 @ to_image.T).astype(np.float32)
    visibility = _sigmoid(values[:, 3]).astype(np.float32)
    return Pose(points=points, visibility=visibility, score=float(np.ravel(pose_flag)[0]))
