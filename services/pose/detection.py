"""Pure numpy pre/post-processing for MediaPipe's BlazePose person detector (pose_detection).

The detector is an SSD over 2254 fixed-size anchors on a 224x224 letterboxed photo. Per anchor it
predicts a box and four keypoints as offsets in input pixels; keypoint 0 is the hip centre and
keypoint 1 a point on the circle that encloses the whole body (MediaPipe's `pose_detection.pbtxt`:
anchors, scales, and how the landmark model's region of interest is derived from the two).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from fittingroom.common.images import square_crop
from fittingroom.pose.spec import DETECTION_SIZE, DETECTION_VALUES, NUM_ANCHORS

# SsdAnchorsCalculator options of pose_detection: layers with equal strides share one feature map,
# each layer adds one anchor per aspect ratio (1.0) plus one interpolated-scale anchor.
ANCHOR_STRIDES = (8, 16, 32, 32, 32)
ANCHORS_PER_LAYER = 2
MIN_SCORE = 0.5
SCORE_CLIP = 100.0
HIP_CENTRE, BODY_CIRCLE = 0, 1


@cache
def detection_anchors() -> np.ndarray:
    """Anchor centres as [2254, 2] (x, y) in [0, 1], in the order of the model's outputs."""
    centres = []
    for stride in sorted(set(ANCHOR_STRIDES)):
        per_cell = ANCHORS_PER_LAYER * ANCHOR_STRIDES.count(stride)
        cells = DETECTION_SIZE // stride
        grid = (np.arange(cells, dtype=np.float32) + 0.5) / cells
        ys, xs = np.meshgrid(grid, grid, indexing="ij")
        centres.append(np.repeat(np.stack([xs.ravel(), ys.ravel()], axis=1), per_cell, axis=0))
    anchors = np.concatenate(centres)
    assert len(anchors) == NUM_ANCHORS
    return anchors


def detection_input(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The photo letterboxed (centred, black bars) to [1, 224, 224, 3] in [-1, 1], and the crop-to-image affine."""
    height, width = image.shape[:2]
    half = max(height, width) / 2
    box = (width / 2 - half, height / 2 - half, width / 2 + half, height / 2 + half)
    crop, to_image = square_crop(image, box, DETECTION_SIZE)
    return (crop.astype(np.float32) / 127.5 - 1.0)[None], to_image


@dataclass(frozen=True)
class PersonDetection:
    """The most confident person: score, box and the four keypoints, in image pixels."""

    score: float
    box: tuple[float, float, float, float]  # x0, y0, x1, y1
    keypoints: np.ndarray  # [4, 2] (x, y)

    def body_square(self) -> tuple[int, int, int, int]:
        """The square around the body circle (hip centre, radius to the circle point), as MediaPipe's ROI."""
        centre = self.keypoints[HIP_CENTRE]
        radius = float(np.linalg.norm(self.keypoints[BODY_CIRCLE] - centre))
        x, y = float(centre[0]), float(centre[1])
        return round(x - radius), round(y - radius), round(x + radius), round(y + radius)


def _to_image(points: np.ndarray, to_image: np.ndarray) -> np.ndarray:
    return np.concatenate([points, np.ones((len(points), 1))], axis=1) @ to_image.T


def decode_detection(boxes: np.ndarray, scores: np.ndarray, to_image: np.ndarray,
                     min_score: float = MIN_SCORE) -> PersonDetection | None:
    """One photo's [2254, 12] offsets and [2254, 1] logits -> the best person, None below `min_score`."""
    logits = np.clip(scores.reshape(NUM_ANCHORS), -SCORE_CLIP, SCORE_CLIP)
    best = int(np.argmax(logits))
    score = float(1.0 / (1.0 + np.exp(-logits[best])))
    if score < min_score:
        return None
    raw = boxes.reshape(NUM_ANCHORS, DETECTION_VALUES)[best].astype(np.float64)
    anchor = detection_anchors()[best] * DETECTION_SIZE
    centre, size = raw[0:2] + anchor, raw[2:4]
    x0, y0, x1, y1 = (float(v) for v in _to_image(np.stack([centre - size / 2, centre + size / 2]), to_image).ravel())
    keypoints = _to_image(raw[4:].reshape(-1, 2) + anchor, to_image).astype(np.float32)
    return PersonDetection(score=score, box=(x0, y0, x1, y1), keypoints=keypoints)
