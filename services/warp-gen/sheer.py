"""A dark sheer garment (a mesh top) and the skin that shows through it.

Through a dark mesh the body shows as warmth in places: skin's red chroma (Cr above, Cb below the neutral 128) in
some of the garment's pixels, where an opaque garment's chroma is even; an opaque layer under the mesh (a black bra,
a lining) is as neutral as the garment itself. `dress.skin_light` reads the body's light from those pixels,
`arms.fit_arms` the width of an arm in a sheer sleeve. Pure numpy/OpenCV.
"""

from __future__ import annotations

import cv2
import numpy as np

DARK_GARMENT_LUMA = 100.0  # below this median grey level the old garment's light is trusted proportionally less
# Warmth levels (Cr less Cb) between a dark garment's median and its warmest tenth: skin showing through. The black
# mesh top over a bra of the development photos stands 6 over its whole outline, its bared arms' and chest's 5-7;
# opaque dark tees and dresses 1.
SHEER_WARMTH = 5.0
# Through a sheer garment the skin shows where its warmth stands this share of SHEER_WARMTH above the garment's median.
SEEN_THROUGH = 0.5


def seen_through(image: np.ndarray, garment: np.ndarray) -> np.ndarray | None:
    """bool HxW: the pixels of a dark sheer `garment` (a mask on `image`) where the skin shows through it; None
    where the garment is not dark and sheer (median grey level under DARK_GARMENT_LUMA, warmth spread over
    SHEER_WARMTH) or covers nothing."""
    inside = garment.astype(bool)
    if not inside.any():
        return None
    ycrcb = cv2.cvtColor(image, cv2.COLOR_RGB2YCrCb).astype(np.float32)
    warm = ycrcb[..., 1] - ycrcb[..., 2]  # skin: Cr above, Cb below the neutral 128
    median = float(np.median(warm[inside]))
    dark = float(np.median(ycrcb[..., 0][inside])) < DARK_GARMENT_LUMA
    if not dark or float(np.quantile(warm[inside], 0.9)) - median < SHEER_WARMTH:
        return None
    return np.asarray(inside & (warm >= median + SEEN_THROUGH * SHEER_WARMTH))
