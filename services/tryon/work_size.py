"""A large photo is tried on at a working size, and what the try-on changed is laid back onto the photo.

The classical path's image steps (GrabCut, distance transforms, the repaint) grow with the pixel count: a
12-megapixel phone photo took 2 min 14 s where its 1024 px copy takes under 2 s, for no garment detail a
catalogue photo has. The result keeps the photo's own pixels wherever the try-on left them (face, hair,
backdrop at full sharpness) and takes the working result, enlarged, where it changed them, across a feathered
edge. Pure numpy/OpenCV.
"""

from __future__ import annotations

import cv2
import numpy as np

from fittingroom.tryon.result import TryOnResult

# px: the longest side the design and classical paths work at: their image steps are tuned and timed at 512 to
# 1024 px, and a VITON-HD-sized catalogue photo (768x1024) is tried on at its own size.
WORK_SIDE = 1024
# px at the working size: how far the changed area is grown and feathered before it is enlarged, so that the
# photo's pixels meet the enlarged result across an anti-aliased edge (the working result's own edge is in it).
EDGE_PX = 1


def working_copy(photo: np.ndarray, side: int) -> np.ndarray:
    """`photo` shrunk (area averaging) so that its longer side is `side` px; as it is when no longer."""
    height, width = photo.shape[:2]
    if max(height, width) <= side:
        return photo
    scale = side / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.asarray(cv2.resize(photo, size, interpolation=cv2.INTER_AREA))


def onto_photo(result: TryOnResult, photo: np.ndarray, working: np.ndarray) -> TryOnResult:
    """`result`, made on `working` (the `photo` shrunk), at the photo's size: its image the photo where the
    try-on left the working copy as it was, the enlarged result where it changed it; its layers, landmarks and
    shoulder width scaled to the photo."""
    height, width = photo.shape[:2]
    scale = width / working.shape[1]
    changed = (result.image != working).any(axis=2).astype(np.uint8)
    grown = cv2.dilate(changed, np.ones((2 * EDGE_PX + 1,) * 2, np.uint8)).astype(np.float32)
    soft = cv2.GaussianBlur(grown, (0, 0), EDGE_PX)
    alpha = cv2.resize(soft, (width, height), interpolation=cv2.INTER_LINEAR)
    enlarged = cv2.resize(result.image, (width, height), interpolation=cv2.INTER_CUBIC)
    # The photo copied in where the try-on left it, the two blended only across the feathered edge: blended over the
    # whole photo in numpy, 12 megapixels took seconds.
    cv2.copyTo(photo, (alpha <= 0.0).astype(np.uint8), enlarged)
    ys, xs = np.nonzero((alpha > 0.0) & (alpha < 1.0))
    weight = alpha[ys, xs, None]
    enlarged[ys, xs] = np.clip(photo[ys, xs] * (1.0 - weight) + enlarged[ys, xs] * weight + 0.5, 0, 255).astype(
        np.uint8)
    result.image = enlarged
    result.layers = {name: cv2.resize(layer, (width, height), interpolation=cv2.INTER_NEAREST)
                     for name, layer in result.layers.items()}
    result.fit_targets = {name: (x * scale, y * scale) for name, (x, y) in result.fit_targets.items()}
    if result.shoulder_width is not None:
        result.shoulder_width *= scale
    return result
