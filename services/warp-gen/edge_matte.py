"""The worn garment's share of each pixel along its outline, so a design printed on it reaches its true edge.

A photo's garment edge is anti-aliased: its outline pixels mix the garment's colour with what lies beyond
(skin, background, hair), and the worn-garment mask stops somewhere inside that ramp. A design blended in
over a feather inside the mask left the old garment as a rim along the whole outline (a pink line around a
design on a pink shirt, along its collar too). Here each pixel in a thin band either side of the outline is
unmixed: its colour is read as a blend of the garment's colour just inside and the colour just beyond, and
the blend's weight is the garment's share of it. The design then takes that share and what lies beyond
keeps the rest, with the old garment's part of the pixel swapped for the colour beyond it: no old-colour halo,
and the edge stays as anti-aliased as the photo's.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from fittingroom.warp_gen.dress import fill_from

EDGE_SHARE = 0.006  # of the longer side: the band either side of the mask's outline that is unmixed (3 px at 512)
# RGB distance between the garment's colour and what lies beyond: below LOW the two cannot be told apart
# (the pixel's share is the mask's own, anti-aliased), from HIGH on the colours alone decide.
CONTRAST_LOW, CONTRAST_HIGH = 20.0, 50.0
# Of the longer side: mask parts narrower than twice this are left as they are (3 px at 512): a strap, a trim
# or a sliver the mask caught of an arm, printed, read as a ragged scrap of the design.
SLIVER_SHARE = 0.006
# Of the garment's largest piece: smaller pieces of the mask apart from it are left as they are (a skirt's zip,
# a dot on an arm taken for the top): printed, they read as stray scraps of the design.
MIN_PIECE_SHARE = 0.01
SHARE_FLOOR = 0.05  # a smaller share is the unmixing's noise (a pixel of skin next to the garment): none
MARGIN_BANDS = 4  # of the band: how far around the mask the work is done (the colours come from this near)


@dataclass(frozen=True)
class EdgeMatte:
    """The old garment's share of each pixel, and each pixel with that share taken out."""

    coverage: np.ndarray  # float32 HxW in [0, 1]: 1 inside, the garment's share along its outline, 0 beyond
    behind: np.ndarray  # float32 HxWx3: the photo with the garment's share of a pixel replaced by the colour beyond
    # bool HxW: the old garment as its colours draw it: the mask with the outline of its printed part moved to
    # where the garment's share is half (the mask's own outline pixel is often the backdrop's), its slivers kept
    garment: np.ndarray


def _disc(radius: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))


def _main_pieces(mask: np.ndarray) -> np.ndarray:
    """uint8 {0, 1}: the pieces of `mask` of at least MIN_PIECE_SHARE of its largest."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 2:
        return mask
    areas = stats[:, cv2.CC_STAT_AREA]
    kept = areas >= MIN_PIECE_SHARE * areas[1:].max()
    kept[0] = False
    return kept[labels].astype(np.uint8)


def edge_matte(person: np.ndarray, mask: np.ndarray) -> EdgeMatte:
    """The worn garment `mask`'s coverage of `person`, unmixed along its outline (see the module's docstring).

    Pixels farther than the band (`EDGE_SHARE` of the longer side) outside the mask have coverage 0 and keep
    their colour; deeper than the band inside it, coverage 1. The mask's slivers (`SLIVER_SHARE`) and stray
    pieces (`MIN_PIECE_SHARE`) are left out.
    """
    inside = mask > 0
    coverage = np.zeros(mask.shape, np.float32)
    behind = person.astype(np.float32)
    garment = inside.copy()
    ys, xs = np.nonzero(inside)
    if ys.size == 0:
        return EdgeMatte(coverage, behind, garment)
    band = max(1, round(EDGE_SHARE * max(mask.shape)))
    margin = MARGIN_BANDS * band
    height, width = mask.shape
    y0, y1 = max(0, int(ys.min()) - margin), min(height, int(ys.max()) + margin + 1)
    x0, x1 = max(0, int(xs.min()) - margin), min(width, int(xs.max()) + margin + 1)
    crop = person[y0:y1, x0:x1].astype(np.float32)
    sliver = max(1, round(SLIVER_SHARE * max(mask.shape)))
    held = _main_pieces(cv2.morphologyEx(inside[y0:y1, x0:x1].astype(np.uint8), cv2.MORPH_OPEN, _disc(sliver)))
    core = cv2.erode(held, _disc(band)) > 0
    reach = cv2.dilate(held, _disc(band)) > 0
    # The garment's colour nearest each pixel, from its core, and the colour beyond it, from past the band.
    difference = fill_from(crop, core) - (beyond := fill_from(crop, ~reach))
    contrast_sq = np.maximum(np.sum(difference * difference, axis=-1), 1e-6)
    unmixed = np.clip(np.sum((crop - beyond) * difference, axis=-1) / contrast_sq, 0.0, 1.0)
    # Where the colours cannot tell garment from beyond, the mask's outline is the edge: its staircase rounded
    # off over the band (blurred, the half level) and anti-aliased over a pixel (the blur's slope there, steepened).
    blurred = cv2.GaussianBlur(held.astype(np.float32), (0, 0), band)
    drawn = np.clip(0.5 + (blurred - 0.5) * band * np.sqrt(2.0 * np.pi), 0.0, 1.0)
    trust = np.clip((np.sqrt(contrast_sq) - CONTRAST_LOW) / (CONTRAST_HIGH - CONTRAST_LOW), 0.0, 1.0)
    mixed = np.where(core, 1.0, np.where(reach, trust * unmixed + (1.0 - trust) * drawn, 0.0)).astype(np.float32)
    # A textured neighbour (denim below a black hem, hair) unmixes pixel by pixel into specks of design; the
    # median keeps the outline's run and drops the specks.
    smoothed = cv2.medianBlur(mixed, 3)
    share = np.where(core, 1.0, np.where(reach & (smoothed >= SHARE_FLOOR), smoothed, 0.0)).astype(np.float32)
    coverage[y0:y1, x0:x1] = share
    behind[y0:y1, x0:x1] = np.clip(crop - share[..., None] * difference, 0.0, 255.0)
    garment[y0:y1, x0:x1] = (inside[y0:y1, x0:x1] & (held == 0)) | (share >= 0.5)
    return EdgeMatte(coverage, behind, garment)
