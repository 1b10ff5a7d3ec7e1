"""Garment landmarks from the silhouette of a product photo: collar, shoulders, armpits, cuffs, hem, waist.

The photo is assumed upright and frontal (a flat lay or a ghost-mannequin shot), as catalog photos are.
Everything is measured on the mask's geometry, so the same code serves any print or colour.

"Left" and "right" are the wearer's, as in BlazePose: the wearer's left is on the image's right.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fittingroom.common.errors import InvalidInput
from fittingroom.common.garment import Category, GarmentLandmarks, Point

# A sleeve meets the body at the armpit with a corner: going up, the body's edge turns outward at least
# this steeply (dx/dy). A bodice tapers far more gently (under 0.4), a flared skirt turns the other way.
ARMPIT_SLOPE = 0.8
EDGE_BAND = 0.05  # of the garment's height: the rows searched for hem and waist corners
EDGE_SMOOTHING = 0.03  # of the height: notches shorter than half this are ignored on the body's edges
# Armpits are searched no lower than this share of the height from the top: in the top half of a shirt,
# the top third of a dress (a flared skirt below must not pass for a sleeve).
ARMPIT_DEPTH = {"upper": 0.55, "dress": 0.35}
MIN_SLEEVE_SHARE = 0.015  # of the garment's area beyond the body's side: less is a seam allowance, not a sleeve
CUFF_SHARE = 0.12  # the far end of a sleeve whose centroid is the cuff
MIN_LEG_GAP = 0.08  # of the height: the crotch must sit this far above the hem to be trousers, not a skirt


@dataclass(frozen=True)
class _Silhouette:
    mask: np.ndarray  # bool
    top: int
    bottom: int
    centre: float  # x of the body's vertical axis
    left_edge: np.ndarray  # per row from top to bottom: x of the body's image-left edge (NaN where empty)
    right_edge: np.ndarray

    @property
    def height(self) -> int:
        return self.bottom - self.top + 1

    def band(self, fraction: float) -> int:
        return max(2, round(fraction * self.height))


def _body_edges(row: np.ndarray, centre: float) -> tuple[float, float]:
    """Ends of the run of garment pixels that holds the body's axis (or the runs nearest it on each side).

    Following the run that holds the axis, not the row's extent, separates the torso from a sleeve or an
    arm that hangs beside it without touching.
    """
    padded = np.concatenate([[False], row, [False]])
    change = np.flatnonzero(np.diff(padded.astype(np.int8)))
    starts, ends = change[0::2], change[1::2] - 1
    if starts.size == 0:
        return np.nan, np.nan
    holding = np.flatnonzero((starts <= centre) & (ends >= centre))
    if holding.size:
        return float(starts[holding[0]]), float(ends[holding[0]])
    left = starts[ends < centre]
    right = ends[starts > centre]
    return (float(left.max()) if left.size else np.nan), (float(right.min()) if right.size else np.nan)


def _silhouette(mask: np.ndarray) -> _Silhouette:
    binary = mask > 0
    ys, xs = np.nonzero(binary)
    if ys.size == 0:
        raise InvalidInput("the garment mask is empty", field="garment")
    top, bottom = int(ys.min()), int(ys.max())
    # The axis from the middle third of the height: sleeves and trouser legs sit above and below it.
    middle = (ys >= top + (bottom - top) / 3) & (ys <= bottom - (bottom - top) / 3)
    centre = float(np.median(xs[middle])) if middle.any() else float(np.median(xs))
    edges = np.array([_body_edges(binary[y], centre) for y in range(top, bottom + 1)], np.float64)
    window = max(3, round(EDGE_SMOOTHING * (bottom - top + 1)) | 1)
    return _Silhouette(binary, top, bottom, centre, _running_median(edges[:, 0], window),
                       _running_median(edges[:, 1], window))


def _running_median(values: np.ndarray, window: int) -> np.ndarray:
    """Median over `window` rows: a print lost at the edge leaves a notch a few rows tall, not a corner."""
    half = window // 2
    padded = np.pad(values, half, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, window)
    with np.errstate(all="ignore"):
        smooth = np.nanmedian(np.where(np.isnan(windows), np.nan, windows), axis=1)
    return np.asarray(smooth, np.float64)


def _top_edge(sil: _Silhouette, x: float) -> Point:
    column = np.flatnonzero(sil.mask[:, round(x)])
    return (float(x), float(column.min()) if column.size else float(sil.top))


def _armpit_row(edge: np.ndarray, sil: _Silhouette, outward: float, depth: float) -> int | None:
    """Row index (from the top) where, going up, the body's edge turns outward into a sleeve; None if sleeveless.

    `outward` is -1 for the image-left edge (it moves to smaller x), +1 for the image-right edge.
    """
    step = sil.band(0.02)
    lowest, highest = min(sil.height - sil.band(0.15), round(depth * sil.height)), sil.band(0.06)
    for row in range(lowest, highest, -1):
        below, here = edge[row + step], edge[row]
        if np.isnan(below) or np.isnan(here):
            continue
        if outward * (here - below) > ARMPIT_SLOPE * step:
            # The corner is the highest row whose edge still runs with the body below it (which may taper).
            base = row + step
            for turn in range(base - 1, row - 1, -1):
                if outward * (edge[turn] - below) > 1.0 + 0.4 * (base - turn):
                    return turn + 1
            return row
    return None


def _outermost(sil: _Silhouette, rows: slice, side: float, *, half: float | None = None,
               prefer: float = 1.0) -> Point:
    """The garment pixel farthest to one side (`side` -1 image-left, +1 image-right) within `rows`.

    An edge running straight down ties over many rows: `prefer` +1 takes the lowest of the tied pixels
    (a hem's corner), -1 the highest (a strap's top). With `half`, only pixels on that side of the body's
    axis count (one trouser leg).
    """
    band = np.zeros_like(sil.mask)
    band[rows] = sil.mask[rows]
    if half is not None:
        band &= (half * (np.arange(sil.mask.shape[1]) - sil.centre) > 0)[None, :]
    ys, xs = np.nonzero(band)
    if ys.size == 0:
        raise InvalidInput("the garment's outline is too small to find its landmarks", field="garment")
    score = side * xs
    tied = score >= score.max() - 1.5  # a pixel and a half: the staircase of a slanted edge
    pick = np.argmax(prefer * ys[tied])
    return float(xs[tied][pick]), float(ys[tied][pick])


def _cuff(sil: _Silhouette, shoulder: Point, armpit: Point, hem: Point, side: float) -> Point | None:
    """Centre of a sleeve's end: the far end of the pixels beyond the body's side line, or None."""
    height, width = sil.mask.shape
    ys, xs = np.mgrid[0:height, 0:width]
    (ax, ay), (hx, hy) = armpit, hem
    # The body's side line through armpit and hem corner, extended upward.
    line_x = ax + (hx - ax) * (ys - ay) / max(hy - ay, 1.0)
    margin = 0.02 * (sil.right_edge[sil.height // 2] - sil.left_edge[sil.height // 2])
    sleeve = sil.mask & (side * (xs - line_x) > margin) & (ys < hy - sil.band(EDGE_BAND))
    if sleeve.sum() < MIN_SLEEVE_SHARE * sil.mask.sum():
        return None
    root = np.array([(shoulder[0] + armpit[0]) / 2, (shoulder[1] + armpit[1]) / 2])
    sy, sx = np.nonzero(sleeve)
    distance = np.hypot(sx - root[0], sy - root[1])
    far = distance >= np.quantile(distance, 1 - CUFF_SHARE)
    return float(sx[far].mean()), float(sy[far].mean())


def _top_landmarks(sil: _Silhouette, category: Category) -> GarmentLandmarks:
    band = sil.band(EDGE_BAND)
    hem_rows = slice(sil.bottom - band, sil.bottom + 1)
    right_hem, left_hem = _outermost(sil, hem_rows, -1), _outermost(sil, hem_rows, +1)
    found: dict[str, Point | None] = {"neck": _top_edge(sil, sil.centre), "left_hem": left_hem,
                                      "right_hem": right_hem}
    sides = (("right", sil.left_edge, -1.0, right_hem), ("left", sil.right_edge, 1.0, left_hem))
    for name, edge, side, hem in sides:
        row = _armpit_row(edge, sil, side, ARMPIT_DEPTH[category.value])
        if row is not None:
            armpit = (float(edge[row + sil.band(0.02)]), float(sil.top + row))
            shoulder = _top_edge(sil, armpit[0])
            cuff = _cuff(sil, shoulder, armpit, hem, side)
            if cuff is not None:  # else the "corner" was a notch in the outline, not a sleeve
                found.update({f"{name}_armpit": armpit, f"{name}_shoulder": shoulder, f"{name}_cuff": cuff})
                continue
        # Sleeveless: the shoulder is the outer end of the strap or shoulder seam.
        found[f"{name}_shoulder"] = _outermost(sil, slice(sil.top, sil.top + sil.band(0.03) + 1), side,
                                               prefer=-1.0)
    return GarmentLandmarks(category=category, **found)


def _lower_landmarks(sil: _Silhouette) -> GarmentLandmarks:
    waist_row = min(sil.top + sil.band(0.01), sil.bottom)
    waist = np.flatnonzero(sil.mask[waist_row])
    right_waist, left_waist = (float(waist.min()), float(sil.top)), (float(waist.max()), float(sil.top))
    column = sil.mask[sil.top:, round(sil.centre)]
    gap = np.flatnonzero(~column)
    crotch_y = sil.top + int(gap[0]) - 1 if gap.size else sil.bottom
    band = sil.band(EDGE_BAND)
    if sil.bottom - crotch_y < MIN_LEG_GAP * sil.height:  # a skirt: one hem
        hem_rows = slice(sil.bottom - band, sil.bottom + 1)
        return GarmentLandmarks(Category.LOWER, left_waist=left_waist, right_waist=right_waist,
                                left_hem=_outermost(sil, hem_rows, +1), right_hem=_outermost(sil, hem_rows, -1))
    legs: dict[str, Point] = {}
    for name, side in (("right", -1.0), ("left", 1.0)):
        own = sil.mask & (side * (np.arange(sil.mask.shape[1]) - sil.centre) > 0)[None, :]
        leg_bottom = int(np.nonzero(own)[0].max())
        rows = slice(leg_bottom - band, leg_bottom + 1)
        legs[f"{name}_hem_outer"] = (_outermost(sil, rows, side, half=side)[0], float(leg_bottom))
        legs[f"{name}_hem_inner"] = (_outermost(sil, rows, -side, half=side)[0], float(leg_bottom))
    return GarmentLandmarks(Category.LOWER, left_waist=left_waist, right_waist=right_waist,
                            crotch=(sil.centre, float(crotch_y)), **legs)


def garment_landmarks(mask: np.ndarray, category: Category | str) -> GarmentLandmarks:
    """Landmarks of the garment whose silhouette is `mask` (nonzero = garment, upright, front view)."""
    category = Category(category)
    sil = _silhouette(mask)
    if sil.height < 16:
        raise InvalidInput("the garment is too small in its photo to find its shape", field="garment")
    return _lower_landmarks(sil) if category is Category.LOWER else _top_landmarks(sil, category)
