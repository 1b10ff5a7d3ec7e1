"""A garment's texture carried past where its photo shows it clean: mirrored from its solid core.

A product photo's garment meets its backdrop in an anti-aliased rim, a blend of the two; a garment warped
onto a shopper rarely fills the outline it is dressed into to its last pixel. Both gaps take the garment's
own texture from its core, mirrored across the core's nearest edge, so a print, a weave or denim's fading
goes on where repeating the edge pixel would draw streaks.
"""

from __future__ import annotations

import cv2
import numpy as np

TEXTURE_RIM_PX = 2  # the garment's anti-aliased rim on its photo, mixed with the photo's backdrop
MIRROR_PASSES = 3  # how often a gap wider than the garment's core beside it is mirrored on


def extend_texture(image: np.ndarray, inside: np.ndarray, silhouette: np.ndarray,
                   left_out: np.ndarray | None = None) -> np.ndarray:
    """`image` with every pixel of `silhouette` off the garment's solid core (`inside` less its rim and less
    what is `left_out`) taken from the core, mirrored across the core's nearest edge.

    The new garment, warped to the body, rarely fills the old silhouette to its last pixel (a trouser leg
    a little wider, a hem a little lower). Its rim is a blend with the product photo's backdrop, so the
    gap is filled from the core; mirrored, the texture goes on (a print, a weave, denim's fading) where
    repeating the edge pixel would draw streaks. A gap wider than the core beside it (a skinny leg in a
    wide trouser's outline) is mirrored again across what the last pass filled, up to MIRROR_PASSES times;
    what is still left takes its nearest edge pixel.
    """
    core = cv2.erode(inside.astype(np.uint8), np.ones((3, 3), np.uint8), iterations=TEXTURE_RIM_PX) > 0
    if left_out is not None:
        core &= ~left_out.astype(bool)
    out = image.copy()
    gap = silhouette.astype(bool) & ~core
    for last in [False] * (MIRROR_PASSES - 1) + [True]:
        if not gap.any() or not core.any():
            break
        filled = _mirror_pass(out, core, gap, last)
        core, gap = core | filled, gap & ~filled
    return out


def _mirror_pass(out: np.ndarray, core: np.ndarray, gap: np.ndarray, last: bool) -> np.ndarray:
    """Fills the `gap` pixels of `out` whose mirror across the `core`'s nearest edge lies in the core (on the
    `last` pass, the others too, from that edge pixel); returns those filled."""
    # Labels number the zero pixels of the input (here: the core) in raster order, from 1.
    _, labels = cv2.distanceTransformWithLabels((~core).astype(np.uint8), cv2.DIST_L2, 5,
                                                labelType=cv2.DIST_LABEL_PIXEL)
    core_ys, core_xs = np.nonzero(core)
    gap_ys, gap_xs = np.nonzero(gap)
    nearest = labels[gap_ys, gap_xs] - 1
    edge_ys, edge_xs = core_ys[nearest], core_xs[nearest]
    mirror_ys, mirror_xs = 2 * edge_ys - gap_ys, 2 * edge_xs - gap_xs
    height, width = core.shape
    inside_frame = (mirror_ys >= 0) & (mirror_ys < height) & (mirror_xs >= 0) & (mirror_xs < width)
    mirrored = np.zeros_like(inside_frame)
    mirrored[inside_frame] = core[mirror_ys[inside_frame], mirror_xs[inside_frame]]
    take = np.ones_like(mirrored) if last else mirrored
    out[gap_ys[take], gap_xs[take]] = out[np.where(mirrored, mirror_ys, edge_ys)[take],
                                          np.where(mirrored, mirror_xs, edge_xs)[take]]
    filled = np.zeros_like(core)
    filled[gap_ys[take], gap_xs[take]] = True
    return filled
