"""The old garment's light without its print: an intrinsic-image split of its luminance.

A garment's luminance is its light (folds, the body's shadow side) times its albedo (print, logos, colour
blocks, trims, a contrasting collar). The new garment should take the first only: carried over whole, an
"EMPORIO ARMANI" print showed blurred through a plain shirt. Retinex's split, in the gradient domain: a
step of the log luminance across a colour change, or a steep step that belongs to a compact pattern (a
letter, a logo's outline, a pocket's stitching), is albedo; every other change (gradual folds, and the
long sharp edge of a shadow) is light. The albedo steps are undone by a correction field whose gradient
cancels them (a least-squares Poisson solve, with DCT, screened over an all-over pattern), so a letter's
inside takes its surroundings' light and the two halves of a two-tone garment meet without a step.
A wash, a heather or a mottle has no such steps: it is albedo spread densely over each scale of the light,
and what is left of the light is what stands out of it (`unwashed`).
"""

from __future__ import annotations

import cv2
import numpy as np

from fittingroom.warp_gen.compose import SHADING_RANGE, shading

# Chromaticity: each channel's share of the pixel's sum, with this much added to the sum, so a dark
# pixel's sensor noise (and a fold's shade on a saturated colour) barely moves it.
CHROMA_FLOOR = 60.0
CHROMA_STEP = 0.035  # chromaticity change between neighbours beyond which a colour boundary runs there
LUMA_FLOOR = 8.0  # grey levels added before the log: a black print's noise is not a fold
LUMA_STEP = 0.25  # log luminance change between neighbours beyond which the step is steep (a print's edge)
# A steep grey step is print when its connected run of steep steps spans less than this share of the
# garment's size (the square root of its area): a letter, a logo, a pocket; or when the run has more than
# PRINT_DENSITY pixels per pixel of its span (a word whose letters touch). A long thin run (a step marks
# two pixels across) is a shadow's edge.
PRINT_EXTENT = 0.35
PRINT_DENSITY = 5.0
# Of the garment's size, over the share of its pixels on albedo edges: how far from an albedo edge its
# correction reaches before it fades. Unchecked, the leftover of the steps not caught adds up over an
# all-over pattern into a broad false light; too short, and a colour block's far side keeps its own
# brightness as light, and a print's surroundings darken to make up for it.
PRINT_REACH = 0.3
MARGIN = 2  # px of the crop around the garment, so no step lies on the solve's border
# Outside the garment the correction is free: its gradient there is re-taken from the last solution this
# many times (alternating projection towards the least-squares fit over the garment only).
FREE_OUTSIDE_ROUNDS = 1
# On a washed, mottled or all-over printed garment (one scale of its light spread beyond a plain garment's,
# `dress.PLAIN_SPREAD`), that scale keeps what lies beyond this many times the wash's own spread (the excess
# over a plain garment's), shrunk by that much (a non-negative garrote: a deep fold is kept nearly whole, a
# normal wash has 1 % of its pixels beyond), and of that only the runs a fold or a shadow makes, at least
# FOLD_EXTENT of the longer side long: the wash's rare extremes, kept, read as stains.
WASH_THRESHOLD = 2.5
FOLD_EXTENT = 0.04


def unprinted_shading(person: np.ndarray, worn: np.ndarray) -> np.ndarray:
    """float32 HxW: the old garment's luminance relative to its median (`compose.shading`), with its
    print taken out: what is left is its light."""
    correction = print_correction(person, worn)
    if (correction == 1.0).all():
        return shading(person, worn)
    luma = (_luma(person.astype(np.float32)) + LUMA_FLOOR) * correction - LUMA_FLOOR
    reference = float(np.median(luma[worn > 0]))
    return np.clip(luma / max(reference, 1.0), *SHADING_RANGE).astype(np.float32)


def _luma(rgb: np.ndarray) -> np.ndarray:
    return np.asarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), np.float32)


def albedo_steps(rgb: np.ndarray, inside: np.ndarray, size: float) -> tuple[np.ndarray, np.ndarray]:
    """bool (H, W-1) and (H-1, W): the neighbour pairs, both inside the garment, across which its albedo
    changes (a colour boundary, or the steep outline of a compact print)."""
    # Chroma from a 3x3 mean: a JPEG's colour is stored at half size, in blocks, and its noise is coloured.
    smooth = cv2.blur(rgb, (3, 3))
    chroma = smooth / (smooth.sum(axis=2, keepdims=True) + CHROMA_FLOOR)
    log_luma = np.log(_luma(rgb) + LUMA_FLOOR)
    # (Next to its outline, that mean takes in what lies beside the garment.)
    core = cv2.erode(inside.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    colour_x = (np.abs(np.diff(chroma, axis=1)) > CHROMA_STEP).any(axis=2) & core[:, :-1] & core[:, 1:]
    colour_y = (np.abs(np.diff(chroma, axis=0)) > CHROMA_STEP).any(axis=2) & core[:-1] & core[1:]
    both_x = inside[:, :-1] & inside[:, 1:]
    both_y = inside[:-1] & inside[1:]
    steep_x = (np.abs(np.diff(log_luma, axis=1)) > LUMA_STEP) & both_x
    steep_y = (np.abs(np.diff(log_luma, axis=0)) > LUMA_STEP) & both_y
    # Runs of steep steps, as pixels, connected 8-ways.
    _, labels, stats, _ = cv2.connectedComponentsWithStats(_ends(steep_x, steep_y), connectivity=8)
    extent = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    compact = (extent < PRINT_EXTENT * size) | (stats[:, cv2.CC_STAT_AREA] > PRINT_DENSITY * extent)
    compact[0] = False  # the background label
    printed = compact[labels]
    # An anti-aliased edge also steps gently on either side of its steep step, in the same direction: the
    # step beyond is albedo too (not the steps along the edge: a fold's shade runs on across it).
    across_x = (colour_x | (steep_x & printed[:, :-1])).astype(np.uint8)
    across_y = (colour_y | (steep_y & printed[:-1])).astype(np.uint8)
    return (cv2.dilate(across_x, np.ones((1, 3), np.uint8)) > 0) & both_x, \
        (cv2.dilate(across_y, np.ones((3, 1), np.uint8)) > 0) & both_y


def _ends(step_x: np.ndarray, step_y: np.ndarray) -> np.ndarray:
    """uint8 HxW: 1 on both pixels of each marked step between horizontal (`step_x`) or vertical neighbours."""
    height, width = step_y.shape[0] + 1, step_x.shape[1] + 1
    ends = np.zeros((height, width), np.uint8)
    ends[:, :-1] |= step_x
    ends[:, 1:] |= step_x
    ends[:-1] |= step_y
    ends[1:] |= step_y
    return ends


def _poisson(target_x: np.ndarray, target_y: np.ndarray, reach: float) -> np.ndarray:
    """float32 HxW: the field whose forward differences fit `target_x` (H, W-1) and `target_y` (H-1, W)
    best in least squares, screened: drawn towards 0 beyond about `reach` px from where the targets are not
    (Neumann border; H and W even, as cv2.dct wants)."""
    height, width = target_y.shape[0] + 1, target_x.shape[1] + 1
    divergence = np.zeros((height, width), np.float32)
    divergence[:, :-1] += target_x
    divergence[:, 1:] -= target_x
    divergence[:-1] += target_y
    divergence[1:] -= target_y
    spectrum = cv2.dct(-divergence)
    eigen = (2 * np.cos(np.pi * np.arange(height) / height)[:, None] - 2
             + 2 * np.cos(np.pi * np.arange(width) / width)[None, :] - 2).astype(np.float32)
    spectrum = spectrum / (1.0 / reach**2 - eigen)
    spectrum[0, 0] = 0.0  # a divergence sums to 0: its mean is rounding error, divided by a near-0 screen
    return np.asarray(cv2.idct(spectrum), np.float32)


def print_correction(person: np.ndarray, worn: np.ndarray) -> np.ndarray:
    """float32 HxW multiplier that takes the old garment's print out of its luminance (plus LUMA_FLOOR):
    1 where it has none (and outside it), >1 on a dark letter, <1 on a light one."""
    correction = np.ones(worn.shape, np.float32)
    mask = (worn > 0).astype(np.uint8)
    area = cv2.countNonZero(mask)
    if area == 0:
        return correction
    x, y, width, height = cv2.boundingRect(mask)
    top, left = max(0, y - MARGIN), max(0, x - MARGIN)
    # An even crop (cv2.dct), within the image where possible.
    bottom = min(worn.shape[0], y + height + MARGIN)
    right = min(worn.shape[1], x + width + MARGIN)
    top, bottom = _even_span(top, bottom, worn.shape[0])
    left, right = _even_span(left, right, worn.shape[1])
    if bottom - top < 2 or right - left < 2:
        return correction
    inside = worn[top:bottom, left:right] > 0
    rgb = person[top:bottom, left:right].astype(np.float32)
    across_x, across_y = albedo_steps(rgb, inside, float(np.sqrt(area)))
    if not (across_x.any() or across_y.any()):
        return correction
    log_luma = np.log(_luma(rgb) + LUMA_FLOOR)
    # The correction's gradient: minus each albedo step, none elsewhere on the garment, free outside it.
    target_x = np.where(across_x, -np.diff(log_luma, axis=1), 0.0).astype(np.float32)
    target_y = np.where(across_y, -np.diff(log_luma, axis=0), 0.0).astype(np.float32)
    free_x = ~(inside[:, :-1] & inside[:, 1:])
    free_y = ~(inside[:-1] & inside[1:])
    # Sparse print (a word, a logo, a colour block) is undone exactly; the more of the garment lies on its
    # albedo edges (an all-over pattern, where more steps go uncaught), the shorter the correction's reach.
    density = float(_ends(across_x, across_y).sum()) / area
    reach = PRINT_REACH * float(np.sqrt(area)) / max(density, 1e-3)
    field = _poisson(target_x, target_y, reach)
    for _ in range(FREE_OUTSIDE_ROUNDS):
        target_x[free_x] = np.diff(field, axis=1)[free_x]
        target_y[free_y] = np.diff(field, axis=0)[free_y]
        field = _poisson(target_x, target_y, reach)
    # No print is darker than black on white: a correction beyond that is the solve's drift, not print.
    largest = float(np.log((255.0 + LUMA_FLOOR) / LUMA_FLOOR))
    correction[top:bottom, left:right] = np.where(inside, np.exp(np.clip(field, -largest, largest)), 1.0)
    return correction


def _even_span(start: int, stop: int, limit: int) -> tuple[int, int]:
    """`start`..`stop` made even: grown by one at its end or else its start, or (the whole of an odd
    side) short of its last pixel, which then keeps its light as it is."""
    if (stop - start) % 2 == 0:
        return start, stop
    if stop < limit:
        return start, stop + 1
    if start > 0:
        return start - 1, stop
    return start, stop - 1


def unwashed(detail: np.ndarray, core: np.ndarray, plain: float, side: int) -> np.ndarray:
    """float32 HxW: one scale's light (`detail`, relative to the coarser scale's) less the wash, mottle or
    all-over print of the garment it was read on, within `core`; as it is on a plain garment.

    A fold or a shadow is sparse: it stands far out of the garment's light at its scale, along a run. A
    wash is dense: blotches everywhere, each within a few times the garment's robust spread at that scale
    (which a sparse fold does not move), with no run to them. So the light beyond that spread's excess over
    a plain garment's (`plain`) is kept, shrunk by it, where it runs on (`FOLD_EXTENT`).
    """
    log_detail = np.log(np.maximum(detail, 1e-3))
    spread = 1.4826 * float(np.median(np.abs(log_detail[core])))
    if spread <= plain:
        return detail
    threshold = WASH_THRESHOLD * float(np.sqrt(spread**2 - plain**2))
    beyond = (np.abs(log_detail) > threshold) & core
    kept = np.where(beyond, log_detail - threshold**2 / np.where(beyond, log_detail, 1.0), 0.0)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(beyond.astype(np.uint8), connectivity=8)
    runs = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]) >= FOLD_EXTENT * side
    runs[0] = False  # the label of what is not beyond
    return np.asarray(np.exp(kept * runs[labels]), np.float32)
