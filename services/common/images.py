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


SUBPIXEL_BITS = 4  # a smoothed outline is drawn to 1/16 px
SUBPIXEL = 1 << SUBPIXEL_BITS


def rounded_outline(mask: np.ndarray, sigma_px: float) -> np.ndarray:
    """bool HxW: `mask` with its outline's staircase rounded off: blurred over `sigma_px` (at least 1) and cut
    at half, so a straight edge neither grows nor shrinks."""
    return np.asarray(cv2.GaussianBlur(mask.astype(np.float32), (0, 0), max(1.0, sigma_px)) > 0.5)


def smoothed_contours(mask: np.ndarray, sigma_px: float) -> np.ndarray:
    """uint8 {0, 1}: `mask` redrawn from its outer outlines, each smoothed along its length over `sigma_px`.

    Unlike a blur cut at half (`rounded_outline`), which takes out what is narrower than the blur, this takes
    out a wave along an outline (a few pixels deep every ten or so) while a thin strap keeps its width (both
    its sides are smoothed alike); a corner is rounded over about `sigma_px`. Holes are filled.
    """
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    radius = max(1, round(3 * sigma_px))
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / max(sigma_px, 1e-3)) ** 2)
    taps /= taps.sum()
    smoothed = np.zeros(mask.shape[:2], np.uint8)
    for contour in contours:
        points = contour[:, 0, :].astype(np.float64)
        if len(points) <= 2 * radius:  # a speck: kept as it is
            cv2.drawContours(smoothed, [contour], -1, 1, thickness=cv2.FILLED)
            continue
        # A closed curve: wrapped around before the convolution, so its start is smoothed like any other point.
        wrapped = np.concatenate([points[-radius:], points, points[:radius]])
        curve = np.stack([np.convolve(wrapped[:, axis], taps, mode="valid") for axis in (0, 1)], axis=1)
        cv2.fillPoly(smoothed, [np.round(curve * SUBPIXEL).astype(np.int32)], 1, shift=SUBPIXEL_BITS)
    return smoothed


def mask_box(mask: np.ndarray) -> tuple[slice, slice]:
    """The rows and columns of the smallest box holding every true pixel of `mask` (HxW); empty when none is.
    Work that changes nothing off a mask, or whose answer there the box decides, is done in it alone."""
    rows, columns = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if not rows.size:
        return slice(0, 0), slice(0, 0)
    return slice(int(rows[0]), int(rows[-1]) + 1), slice(int(columns[0]), int(columns[-1]) + 1)


def joining(parts: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """uint8 {0, 1}: the connected pieces of `parts` that touch `mask`."""
    count, labels = cv2.connectedComponents(parts.astype(np.uint8), connectivity=8)
    touching = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    kept = np.unique(labels[touching & (parts > 0)])
    return np.isin(labels, kept[kept > 0]).astype(np.uint8) if count > 1 else np.zeros_like(parts, np.uint8)
