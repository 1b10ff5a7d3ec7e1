"""Pure numpy pre/post-processing for the U2-Net family and MediaPipe's selfie segmentation."""

from __future__ import annotations

import numpy as np
from skimage.transform import resize as skimage_resize

from fittingroom.common.images import mask_box, resize, to_float
from fittingroom.segment.spec import IMAGENET_MEAN, IMAGENET_STD, SELFIE_SIZE, U2NET_SIZE


def u2net_input(image: np.ndarray) -> np.ndarray:
    """RGB uint8 -> [1, 3, 320, 320] as upstream's RescaleT and ToTensorLab: scikit-image's resize, divided
    by its max, then ImageNet-normalised.

    The resize is upstream's call: bilinear, with scikit-image's anti-aliasing (a Gaussian of sigma
    (factor - 1) / 2 before sampling, on the axes it shrinks) and values as floats in [0, 1], not
    requantised to uint8.
    """
    small = skimage_resize(image, (U2NET_SIZE, U2NET_SIZE), mode="constant")
    small = small / max(float(small.max()), 1e-6)
    normalised = (small - np.array(IMAGENET_MEAN)) / np.array(IMAGENET_STD)
    return normalised.astype(np.float32).transpose(2, 0, 1)[None].copy()


def u2net_mask(prediction: np.ndarray, height: int, width: int) -> np.ndarray:
    """One [1, 320, 320] prediction -> float32 probability map at the image size, min-max normalised."""
    pred = prediction[0].astype(np.float32)
    lo, hi = float(pred.min()), float(pred.max())
    pred = (pred - lo) / (hi - lo) if hi - lo > 1e-6 else np.zeros_like(pred)
    return resize(pred, width, height)


def bounding_box(mask: np.ndarray, threshold: float = 0.5) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) of the pixels above `threshold`, exclusive on the far side; None when empty."""
    rows, columns = mask_box(mask > threshold)
    if rows.start == rows.stop:
        return None
    return columns.start, rows.start, columns.stop, rows.stop


def selfie_input(image: np.ndarray) -> np.ndarray:
    """RGB uint8 -> [1, 256, 256, 3] float32 in [0, 1]: the whole photo stretched, as MediaPipe feeds it."""
    return to_float(resize(image, SELFIE_SIZE, SELFIE_SIZE))[None]


def selfie_mask(prediction: np.ndarray, height: int, width: int) -> np.ndarray:
    """One [256, 256, 1] person probability -> float32 map at the image size."""
    return np.clip(resize(prediction[..., 0].astype(np.float32), width, height), 0.0, 1.0)
