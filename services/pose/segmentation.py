"""The pose landmark model's own person mask (its `segmentation` output), brought back to the photo."""

from __future__ import annotations

import cv2
import numpy as np


def landmark_segmentation(logits: np.ndarray, to_image: np.ndarray, height: int, width: int) -> np.ndarray:
    """The crop's [256, 256, 1] person logits -> probability at the image size, 0 outside the crop.

    `to_image` is the crop-to-image affine of `pose_input`; the landmark model draws this mask on the
    same crop it finds the landmarks in, so it costs nothing beyond the landmark call.
    """
    crop = 1.0 / (1.0 + np.exp(-np.clip(logits[..., 0], -80.0, 80.0).astype(np.float32)))
    return cv2.warpAffine(crop, to_image, (width, height), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)
