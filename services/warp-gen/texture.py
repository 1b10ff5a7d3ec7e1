"""A garment's texture carried past where its photo shows it clean: mirrored from its solid core.

A product photo's garment meets its backdrop in an anti-aliased rim, a blend of the two; a garment warped
onto a shopper rarely fills the outline it is dressed into to its last pixel. Both gaps take the garment's
own texture from its core, mirrored across the core's nearest edge, so a print, a weave or denim's fading
goes on where repeating the edge pixel would draw streaks.

A garment's top edge is often no cut through its texture but a finished edge (a rib collar, a camisole's elastic
or frilled hem): where the outline it is dressed into reaches above it (a lower neckline in a worn garment's higher
one), that edge goes up to the outline's top and the strip it leaves is the cloth below it, mirrored in its column
(`top_reach`). Mirrored across the edge, it showed twice its width under a band of the cloth beyond it.
"""

from __future__ import annotations

import cv2
import numpy as np

from fittingroom.common.images import mask_box

TEXTURE_RIM_PX = 2  # the garment's anti-aliased rim on its photo, mixed with the photo's backdrop
MIRROR_PASSES = 3  # how often a gap wider than the garment's core beside it is mirrored on
# A top edge is the core's top rows (at most `top_band_px`) within EDGE_CONTRAST (RGB, 8-bit) of its top row's colour:
# the Vans tee's dark rib (its rows within 15, the lilac under it 150 away), a yellow camisole's frilled top (within
# 30). Taken a fixed width, the edge took what lay under a narrow one along: a print's flowers moved up to the
# neckline in pieces, a button at a V's tip to the edge. The rows of its blend with the cloth below (TEXTURE_RIM_PX)
# go with it: left, they were a dark line where the rib had been.
EDGE_CONTRAST = 40.0
# The strip below the raised edge is the cloth under it, mirrored in its column, where at least PLAIN_SHARE of that
# cloth is plain (within EDGE_CONTRAST of its median colour; a feature in it, a button at a V's tip, takes that colour):
# a print reaching the neckline (a floral tee: 7 to 17 % plain) mirrored up to the raised edge showed its flowers in
# pieces along it. Plain tees and a button-front camisole read 68 to 99 %. Elsewhere the gap is mirrored from the
# core as before.
PLAIN_SHARE = 0.5


def extend_texture(image: np.ndarray, inside: np.ndarray, silhouette: np.ndarray,
                   left_out: np.ndarray | None = None, top_reach: np.ndarray | None = None,
                   top_band_px: int = 0) -> np.ndarray:
    """`image` with every pixel of `silhouette` off the garment's solid core (`inside` less its rim and less
    what is `left_out`) taken from the core, mirrored across the core's nearest edge.

    The new garment, warped to the body, rarely fills the old silhouette to its last pixel (a trouser leg
    a little wider, a hem a little lower). Its rim is a blend with the product photo's backdrop, so the
    gap is filled from the core; mirrored, the texture goes on (a print, a weave, denim's fading) where
    repeating the edge pixel would draw streaks. A gap wider than the core beside it (a skinny leg in a
    wide trouser's outline) is mirrored again across what the last pass filled, up to MIRROR_PASSES times;
    what is still left takes its nearest edge pixel.

    `top_reach` (bool HxW, with `top_band_px` > 0): where the garment's own top edge is read (a top's neckline); in
    each column there where the silhouette's top lies more than TEXTURE_RIM_PX above the core's top edge, with
    nothing between, the edge goes up to the silhouette's top (`_raised_edge`).
    """
    core = cv2.erode(inside.astype(np.uint8), np.ones((3, 3), np.uint8), iterations=TEXTURE_RIM_PX) > 0
    if left_out is not None:
        core &= ~left_out.astype(bool)
    out = image.copy()
    if top_reach is not None and top_band_px > 0:
        core |= _raised_edge(out, image, core, silhouette.astype(bool) & top_reach.astype(bool), top_band_px)
    gap = silhouette.astype(bool) & ~core
    for last in [False] * (MIRROR_PASSES - 1) + [True]:
        if not gap.any() or not core.any():
            break
        filled = _mirror_pass(out, core, gap, last)
        core, gap = core | filled, gap & ~filled
    return out


def _raised_edge(out: np.ndarray, image: np.ndarray, core: np.ndarray, silhouette: np.ndarray, band: int
                 ) -> np.ndarray:
    """Writes into `out`, in each column where the `silhouette` runs on more than TEXTURE_RIM_PX above the core's
    top (up from it, to a pixel off the silhouette): the core's top edge (its top rows within EDGE_CONTRAST of the
    first, at most `band`) at the silhouette's top, and below it, down to the edge's blend with the cloth under it
    (TEXTURE_RIM_PX rows), that cloth mirrored up in the same column (mirrored across the nearest core edge, a
    neighbouring column's rib came in in blobs); only where the core runs on past twice what is filled, and where
    PLAIN_SHARE of that cloth is plain. Returns the pixels written."""
    height = core.shape[0]
    written = np.zeros_like(core)
    gap = silhouette & ~core
    rows = np.arange(height)[:, None]
    # The core's top in each column and the run of gap just above it, which must begin under a pixel off the
    # silhouette (a piece of the outline above, the old collar in the head's disc, leaves the run as it is).
    columns = np.flatnonzero(core.any(axis=0))
    edges = core[:, columns].argmax(axis=0)
    last_off = np.maximum.accumulate(np.where(gap[:, columns], -1, rows), axis=0)
    starts = np.where(edges > 0, last_off[np.maximum(edges - 1, 0), np.arange(columns.size)] + 1, 0)
    off_core = ~core[:, columns] & (rows > edges)
    runs = np.where(off_core.any(axis=0), off_core.argmax(axis=0), height) - edges
    take = (starts > 0) & (edges - starts > TEXTURE_RIM_PX)  # a garment cut by the frame's top has no edge there
    take[take] &= ~silhouette[starts[take] - 1, columns[take]]
    columns, starts, edges, runs = columns[take], starts[take], edges[take], runs[take]
    steps = np.arange(band)
    band_ys = np.minimum(edges[:, None] + steps, height - 1)
    colours = image[band_ys, columns[:, None]].astype(np.float32)
    alike = np.linalg.norm(colours - colours[:, :1], axis=2) <= EDGE_CONTRAST
    widths = np.cumprod(alike, axis=1).sum(axis=1)  # down from the top row while the colour holds
    bottoms = edges + widths + TEXTURE_RIM_PX  # the cloth below the edge and its blend starts here
    ok = 2 * (bottoms - starts) <= edges - starts + runs
    columns, starts, edges, widths, bottoms = columns[ok], starts[ok], edges[ok], widths[ok], bottoms[ok]
    if not columns.size:
        return written
    # The cloth mirrored into each column's strip, and how much of all of it is plain: within EDGE_CONTRAST of its
    # median colour.
    sources = [image[2 * bottom - 1 - np.arange(start + width, bottom), x].astype(np.float32)
               for x, start, width, bottom in zip(columns, starts, widths, bottoms, strict=True)]
    median = np.median(np.concatenate(sources), axis=0)
    plain = [np.linalg.norm(source - median, axis=1) <= EDGE_CONTRAST for source in sources]
    if sum(int(np.count_nonzero(p)) for p in plain) < PLAIN_SHARE * sum(p.size for p in plain):
        return written
    for x, start, edge, width, bottom, source, alike in zip(columns, starts, edges, widths, bottoms, sources, plain,
                                                            strict=True):
        out[start:start + width, x] = image[edge:edge + width, x]
        out[start + width:bottom, x] = np.where(alike[:, None], source, median).astype(out.dtype)
        written[start:bottom, x] = True
    return written


def _mirror_pass(out: np.ndarray, core: np.ndarray, gap: np.ndarray, last: bool) -> np.ndarray:
    """Fills the `gap` pixels of `out` whose mirror across the `core`'s nearest edge lies in the core (on the
    `last` pass, the others too, from that edge pixel); returns those filled."""
    # Labels number the zero pixels of the input (here: the core) in raster order, from 1. Read in the box round the
    # core and the gap (`mask_box`): a path of the distance's two passes that leaves it costs more than one inside
    # it, so the nearest core pixel is the same as over the frame (a sleeve's fill on a product photo: 20 ms there).
    box = mask_box(core | gap)
    top, left = box[0].start, box[1].start
    _, labels = cv2.distanceTransformWithLabels((~core[box]).astype(np.uint8), cv2.DIST_L2, 5,
                                                labelType=cv2.DIST_LABEL_PIXEL)
    core_ys, core_xs = np.nonzero(core[box])
    gap_ys, gap_xs = np.nonzero(gap[box])
    nearest = labels[gap_ys, gap_xs] - 1
    edge_ys, edge_xs = core_ys[nearest] + top, core_xs[nearest] + left
    gap_ys, gap_xs = gap_ys + top, gap_xs + left
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
