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
# Of the shopper's visible skin's warmth (Cr less Cb) above a dark garment's median: how far the garment's warmest
# tenth stands above that median where skin shows through it. A share, not levels: a darker exposure dims the chroma
# of both alike (the black mesh top over a bra of the development photos stands 0.13 of her skin's warmth over its
# whole outline, 6 levels of 46, and 0.12, 3 of 25, on its darker copy, where 5 levels read it as opaque); opaque dark
# tees and dresses 0.02. 0.11: the 5 levels that told it on the brighter photo.
SHEER_WARMTH = 0.11
# Through a sheer garment the skin shows where its warmth stands this share of SHEER_WARMTH above the garment's median.
SEEN_THROUGH = 0.5


def seen_through(image: np.ndarray, garment: np.ndarray, skin: np.ndarray) -> np.ndarray | None:
    """bool HxW: the pixels of a dark sheer `garment` (a mask on `image`) where the skin shows through it; None
    where the garment is not dark and sheer (median grey level under DARK_GARMENT_LUMA, warmth spread over
    SHEER_WARMTH of the visible `skin`'s), or nothing of it or of the skin shows."""
    inside, bare = garment.astype(bool), skin.astype(bool) & ~garment.astype(bool)
    if not inside.any() or not bare.any():
        return None
    def ycrcb(mask: np.ndarray) -> np.ndarray:  # [n, 3] float32: only the pixels asked about are converted
        return np.asarray(cv2.cvtColor(image[mask][:, None], cv2.COLOR_RGB2YCrCb)[:, 0], np.float32)

    garment_ycrcb = ycrcb(inside)
    if float(np.median(garment_ycrcb[:, 0])) >= DARK_GARMENT_LUMA:
        return None
    warm = garment_ycrcb[:, 1] - garment_ycrcb[:, 2]  # skin: Cr above, Cb below the neutral 128
    median = float(np.median(warm))
    skin_ycrcb = ycrcb(bare)
    sheer = SHEER_WARMTH * (float(np.median(skin_ycrcb[:, 1] - skin_ycrcb[:, 2])) - median)  # levels
    if sheer <= 0 or float(np.quantile(warm, 0.9)) - median < sheer:
        return None
    found = np.zeros(inside.shape, bool)
    found[inside] = warm >= median + SEEN_THROUGH * sheer
    return found
