"""Image helpers shared by stages: RGB uint8 HxWx3 arrays in, arrays out."""

from __future__ import annotations

import cv2
import numpy as np


def resize(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Resize with area averaging when shrinking (no aliasing) and bilinear when growing."""
    shrinking = width * height < image.shape[0] * image.shape[1]
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    return cv2.resize(image, (width, height), interpolation=interpolation)


def square_crop(image: np.ndarray, box: tuple[float, float, float, float], side: int) -> tuple[np.ndarray, np.ndarray]:
    """Crop the square `box` (x0, y0, x1, y1; may reach outside the image, padded with black) to side².

    Returns the crop and the 2x3 affine matrix that maps crop pixels back to image pixels.
    """
    x0, y0, x1, _y1 = box
    scale = (x1 - x0) / side
    to_crop = np.array([[1 / scale, 0, -x0 / scale], [0, 1 / scale, -y0 / scale]], dtype=np.float64)
    crop = cv2.warpAffine(image, to_crop, (side, side), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))
    to_image = np.array([[scale, 0, x0], [0, scale, y0]], dtype=np.float64)
    return crop, to_image


def to_float(image: np.ndarray) -> np.ndarray:
    """uint8 [0, 255] -> float32 [0, 1]."""
    return image.astype(np.float32) / 255.0


def to_uint8(image: np.ndarray) -> np.ndarray:
    """float [0, 1] -> uint8, rounded and clipped."""
    return (np.clip(image, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def rounded_outline(mask: np.ndarray, sigma_px: float) -> np.ndarray:
    """bool HxW: `mask` with its outline's staircase rounded off: blurred over `sigma_px` (at least 1) and cut
    at half, so a straight edge neither grows nor shrinks."""
    return np.asarray(cv2.GaussianBlur(mask.astype(np.float32), (0, 0), max(1.0, sigma_px)) > 0.5)
