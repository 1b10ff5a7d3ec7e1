"""Garment landmarks from the silhouette of a product photo: collar, shoulders, armpits, cuffs, hem, waist.

The photo is assumed upright and frontal (a flat lay or a ghost-mannequin shot), as catalog photos are.
Everything is measured on the mask's geometry, so the same code serves any print or colour.

"Left" and "right" are the wearer's, as in BlazePose: the wearer's left is on the image's right.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from fittingroom.common.errors import InvalidInput
from fittingroom.common.garment import Category, GarmentLandmarks, Point

# A sleeve meets the body at the armpit with a corner: going up, the body's edge turns outward at least
# this steeply (dx/dy). A bodice tapers far more gently (under 0.4), a flared skirt turns the other way.
ARMPIT_SLOPE = 0.8
BODICE_TAPER = 0.4  # dx/dy: the most a bodice's side leans below the armpit
SIDE_RUN = 0.1  # of the height: how far below an armpit the side is checked to run on as a side
EDGE_BAND = 0.05  # of the garment's height: the rows searched for hem and waist corners
EDGE_SMOOTHING = 0.03  # of the height: notches shorter than half this are ignored on the body's edges
# Armpits are searched no lower than this share of the height from the top: in the top half of a shirt,
# the top third of a dress (a flared skirt below must not pass for a sleeve).
ARMPIT_DEPTH = {"upper": 0.55, "dress": 0.35}
# ... or this share of the garment's width (sleeves included), when deeper: a short garment's armpit is as far below
# its shoulders as a long one's. Cut to a crop top or a mini, the height's share stopped above the armpit and a
# sleeve's lower edge or the neckline was taken for it: shoulders a third too broad, the dress drawn a fifth short.
ARMPIT_WIDTH_DEPTH = 0.55
ARMPIT_ASYMMETRY = 0.06  # of the height: armpits farther apart in height than this are not both right
MIN_SLEEVE_SHARE = 0.015  # of the garment's area beyond the body's side: less is a seam allowance, not a sleeve
CUFF_SHARE = 0.12  # the far end of a sleeve whose centroid is the cuff
MIN_LEG_GAP = 0.08  # of the height: the crotch must sit this far above the hem to be trousers, not a skirt
WAIST_DEPTH = 0.1  # of the height: the rows a waistband's corners are sought in
CORNER_DROP = 1.0  # a pixel lower is worth this many pixels farther out, finding a hem's corner
WAIST_CORNER_RISE = 2.0  # a pixel higher is worth this many pixels farther out, finding a waistband's corner
KNEE_LEVEL = 0.5  # where between crotch and hem each trouser leg's own width is taken
# The hem is the lowest row where the garment still spans this share of the body's width: a tie, a belt's
# end or a string hanging below it is narrower.
HEM_COVERAGE = 0.5
HEM_SPAN_ROWS = (0.6, 0.9)  # of the height: the rows whose body edges say how wide the body is above the hem
# Beside the hem, only this share of the body's width beyond its sides counts as its corner (a skirt's flare
# still does): a long sleeve hanging apart from the body is not the hem.
HEM_SIDE_MARGIN = 0.3
# Sleeves that hang against the body all the way down (tiers of ruffles) leave no armpit in the silhouette,
# but their ends hang below the hem: the bottom edge steps down this far (of the height) on both sides of
# the body's hem, over runs at least MERGED_SLEEVE_WIDTH of the body's width.
MERGED_SLEEVE_DROP = 0.04
# A sleeve's end is at least a wrist's width: a slim cuff laid flat is 7 to 8 cm across, on a body 50 to 60 cm
# wide, 0.12 to 0.15 of it (less where the sleeve lies a little over the body's edge). At 0.15, drawn flat lays
# with slim sleeves laid against the body (cuffs 0.12 to 0.15 of it) came out sleeveless tunics, their hem's
# corners out on the sleeves' ends; a hem band bloused in steps in less than this.
MERGED_SLEEVE_WIDTH = 0.1
# Where such a sleeve's hidden armpit lies, from shoulder to hem: a third of the way down, as on the tops whose
# armpits show (0.26 to 0.41 on frontal catalogue photos).
HIDDEN_ARMPIT_DEPTH = 0.33
# A neckline's opening reaching this close to the body's axis (of the height) is no side: a V neck's tip a
# little aside from the axis leaves the axis in one half's run, whose inner edge is the neckline's.
NECK_GAP_REACH = 0.05
# Of the largest part's area: smaller parts apart are specks (a warp's streaks); a strap the mask cut off stays.
SPECK_SHARE = 0.001


@dataclass(frozen=True)
class _Silhouette:
    mask: np.ndarray  # bool
    top: int
    bottom: int
    width: int  # columns from its leftmost to its rightmost pixel, sleeves included
    centre: float  # x of the body's vertical axis
    left_edge: np.ndarray  # per row from top to bottom: x of the body's image-left edge (NaN where empty)
    right_edge: np.ndarray

    @property
    def height(self) -> int:
        return self.bottom - self.top + 1

    def band(self, fraction: float) -> int:
        return max(2, round(fraction * self.height))


def _body_edges(rows: np.ndarray, centre: float, neck_reach: np.ndarray) -> np.ndarray:
    """Per row of `rows` (bool, at least one garment pixel in all), x of both ends of the run of garment
    pixels that holds the body's axis (or the runs nearest it on each side), NaN where none.

    Following the run that holds the axis, not the row's extent, separates the torso from a sleeve or an
    arm that hangs beside it without touching. A gap reaching within `neck_reach` (per row) of the axis is
    the neckline's opening: the run beyond it is the body's other half.
    """
    count, width = rows.shape
    change = np.diff(np.pad(rows, ((0, 0), (1, 1))).astype(np.int8), axis=1)
    run_row, starts = np.nonzero(change == 1)  # every run, in row order then left to right
    ends = np.nonzero(change == -1)[1] - 1
    index = np.arange(count)
    # Per row, the last run starting at or before the axis: the one holding it, or the nearest before it.
    last = np.searchsorted(run_row * (width + 1) + starts, index * (width + 1) + centre, side="right") - 1

    def of_row(run: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Whether `run` (per row) is one of the row's runs; and the runs' indices, clipped to valid ones."""
        valid = np.clip(run, 0, run_row.size - 1)
        return (run >= 0) & (run < run_row.size) & (run_row[valid] == index), valid

    (own, here), (previous, before), (following, after) = of_row(last), of_row(last - 1), of_row(last + 1)
    start, end = np.where(own, starts[here], np.nan), np.where(own, ends[here], np.nan)
    holding = own & (end >= centre)
    # Across a gap that is the neckline's opening, the run beyond it belongs to the body too.
    left = np.where(holding & previous & (start - centre > -neck_reach), starts[before], start)
    right = np.where(holding, np.where(following & (end - centre < neck_reach), ends[after], end),
                     np.where(following, ends[after], np.nan))
    return np.stack([left, right], axis=1).astype(np.float64)


def _without_specks(binary: np.ndarray) -> np.ndarray:
    """`binary` less its separate parts smaller than SPECK_SHARE of the largest (a sleeve apart stays)."""
    count, labels = cv2.connectedComponents(binary.astype(np.uint8), connectivity=8)
    if count <= 2:
        return binary
    areas = np.bincount(labels.ravel(), minlength=count)[1:]
    kept = np.concatenate([[False], areas >= SPECK_SHARE * areas.max()])
    return np.asarray(kept[labels])


def _axis(xs: np.ndarray) -> float:
    """The body's vertical axis from its pixels' columns `xs`: their median, unless that lands in or beside a
    gap no row crosses, as between two trouser legs. There the median is one leg's inner edge, whichever leg
    has a pixel more (drawn wide trousers read their axis 20 px aside, and their crotch 130 px low where the
    gap, narrowing upwards, reached that column), and the axis is the gap's middle."""
    median = float(np.median(xs))
    columns = np.flatnonzero(np.bincount(xs))  # the occupied ones, in order
    for column in (round(median), round(median) - 1, round(median) + 1):
        if columns[0] < column < columns[-1] and column not in columns:
            after = int(np.searchsorted(columns, column))
            return (float(columns[after - 1]) + float(columns[after])) / 2
    return median


def _silhouette(mask: np.ndarray) -> _Silhouette:
    binary = _without_specks(mask > 0)
    ys, xs = np.nonzero(binary)
    if ys.size == 0:
        raise InvalidInput("the garment mask is empty", field="garment")
    top, bottom = int(ys.min()), int(ys.max())
    # The axis from the middle third of the height: sleeves and trouser legs sit above and below it.
    middle = (ys >= top + (bottom - top) / 3) & (ys <= bottom - (bottom - top) / 3)
    centre = _axis(xs[middle] if middle.any() else xs)
    reach = NECK_GAP_REACH * (bottom - top + 1)
    neckline = top + (bottom - top) / 3  # a neckline's opening lies above this row, a slit or a gap below
    edges = _body_edges(binary[top:bottom + 1], centre, np.where(np.arange(top, bottom + 1) < neckline, reach, 0.0))
    window = max(3, round(EDGE_SMOOTHING * (bottom - top + 1)) | 1)
    return _Silhouette(binary, top, bottom, int(xs.max() - xs.min()) + 1, centre,
                       _running_median(edges[:, 0], window), _running_median(edges[:, 1], window))


def _running_median(values: np.ndarray, window: int) -> np.ndarray:
    """Median over `window` rows: a print lost at the edge leaves a notch a few rows tall, not a corner."""
    half = window // 2
    padded = np.pad(values, half, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, window)
    smooth = np.full(values.shape, np.nan)
    seen = ~np.isnan(windows).all(axis=1)  # rows beside no garment pixel at all (a gap) stay NaN, unwarned
    smooth[seen] = np.nanmedian(windows[seen], axis=1)
    return smooth


def _half(sil: _Silhouette, side: float) -> np.ndarray:
    """The garment's pixels on one side of its axis (-1 image-left, +1 image-right)."""
    return np.asarray(sil.mask & (side * (np.arange(sil.mask.shape[1]) - sil.centre) > 0)[None, :])


def _top_edge(sil: _Silhouette, x: float) -> Point:
    column = np.flatnonzero(sil.mask[:, round(x)])
    return (float(x), float(column.min()) if column.size else float(sil.top))


def _armpit_depth(sil: _Silhouette, depth: float) -> int:
    """Rows below the top: the lowest an armpit is looked for, `depth` of the height or ARMPIT_WIDTH_DEPTH of the
    width, whichever is deeper."""
    return round(max(depth * sil.height, ARMPIT_WIDTH_DEPTH * sil.width))


def _armpit_row(edge: np.ndarray, sil: _Silhouette, outward: float, depth: float) -> int | None:
    """Row index (from the top) where, going up, the body's edge turns outward into a sleeve; None if sleeveless.

    `outward` is -1 for the image-left edge (it moves to smaller x), +1 for the image-right edge.
    """
    step = sil.band(0.02)
    lowest, highest = min(sil.height - sil.band(0.15), _armpit_depth(sil, depth)), sil.band(0.06)
    for row in range(lowest, highest, -1):
        below, here = edge[row + step], edge[row]
        lower = min(row + step + sil.band(SIDE_RUN), len(edge) - 1)
        if np.isnan(below) or np.isnan(here) or np.isnan(edge[lower]):
            continue
        # Below an armpit the body's side runs on as a side does (tapering gently); a dip inward just below (a
        # V neck's tip, where the axis passes through one half only) is no side to turn from.
        side_runs_on = abs(below - edge[lower]) <= 2.0 + BODICE_TAPER * (lower - row - step)
        if outward * (here - below) > ARMPIT_SLOPE * step and side_runs_on:
            # The corner is the highest row whose edge still runs with the body below it (which may taper).
            base = row + step
            for turn in range(base - 1, row - 1, -1):
                if outward * (edge[turn] - below) > 1.0 + 0.4 * (base - turn):
                    return turn + 1
            return row
    return None


def _outermost(sil: _Silhouette, rows: slice, side: float, *, half: float | None = None) -> Point:
    """The garment pixel farthest to one side (`side` -1 image-left, +1 image-right) within `rows`.

    An edge running straight down ties over many rows: the lowest of the tied pixels is taken (a hem's
    corner). With `half`, only pixels on that side of the body's axis count (one trouser leg).
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
    pick = np.argmax(ys[tied])
    return float(xs[tied][pick]), float(ys[tied][pick])


@dataclass(frozen=True)
class _Hem:
    row: int  # image row of the hem
    left: float  # x of the body's image-left and image-right sides just above the hem
    right: float

    def columns(self) -> tuple[float, float]:
        """Where the hem's corners may lie: the body's width and a little beyond each side."""
        margin = HEM_SIDE_MARGIN * (self.right - self.left)
        return self.left - margin, self.right + margin

    def columns_exact(self) -> tuple[float, float]:
        """The body's width alone: beside it hang sleeves as low as the hem or lower."""
        return self.left, self.right


def _hem(sil: _Silhouette) -> _Hem:
    """The hem: the lowest row that still spans half the body's width (not a tie hanging below it)."""
    first, last = (round(f * (sil.height - 1)) for f in HEM_SPAN_ROWS)
    left, right = (float(np.nanmedian(e[first:last + 1])) if not np.isnan(e[first:last + 1]).all() else np.nan
                   for e in (sil.left_edge, sil.right_edge))
    if np.isnan(left) or np.isnan(right) or right - left < 2:
        xs = np.flatnonzero(sil.mask.any(axis=0))
        left, right = float(xs.min()), float(xs.max())
    span = sil.mask[:, round(left):round(right) + 1].sum(axis=1)
    wide = np.flatnonzero(span >= HEM_COVERAGE * (right - left + 1))
    return _Hem(int(wide.max()) if wide.size else sil.bottom, left, right)


@dataclass(frozen=True)
class _MergedSleeves:
    hem: _Hem  # the body's own hem and sides
    cuffs: tuple[Point, Point]  # the ends of the image-left and image-right sleeves


def _merged_sleeves(sil: _Silhouette) -> _MergedSleeves | None:
    """The body's hem and sides of a top whose long sleeves are one with it in the silhouette, and the
    sleeves' ends; or None.

    The bottom edge of such a silhouette has three lobes: the body's hem in the middle and, lower on both
    sides, the sleeves' ends. A sleeveless top, or a hem cut lower at its sides, has no step down on both.
    """
    height, width = sil.mask.shape
    lowest = np.where(sil.mask.any(axis=0), height - 1 - np.argmax(sil.mask[::-1], axis=0), -1)
    xs = np.flatnonzero(lowest >= 0)
    centre = round(sil.centre)
    middle = lowest[max(0, centre - sil.band(0.05)):centre + sil.band(0.05) + 1]
    hem_row = float(np.median(middle[middle >= 0])) if (middle >= 0).any() else float(sil.bottom)
    below = lowest > hem_row + MERGED_SLEEVE_DROP * sil.height
    left_runs, right_runs = np.flatnonzero(below[:centre]), centre + np.flatnonzero(below[centre:])
    if not (left_runs.size and right_runs.size and xs.size):
        return None
    left, right = int(left_runs.max()) + 1, int(right_runs.min()) - 1  # the body's sides at the hem
    # Each sleeve's end: the run of lower columns next to the body's side, unbroken.
    left_end = left - 1 - int(np.argmin(below[left - 1::-1])) if not below[:left].all() else -1
    right_end = right + 1 + int(np.argmin(below[right + 1:])) if not below[right + 1:].all() else width
    body = right - left
    if body <= 0 or min(left - 1 - left_end, right_end - right - 1) < MERGED_SLEEVE_WIDTH * body:
        return None
    inset = sil.band(0.01)  # the columns where the body's side meets a sleeve's drop belong to neither
    hem = lowest[left + inset:right - inset + 1]
    cuffs = tuple((float(np.mean(xs)), float(np.mean(lowest[xs])))
                  for xs in (np.arange(left_end + 1, left), np.arange(right + 1, right_end)))
    return _MergedSleeves(_Hem(int(hem.max()) if hem.size else round(hem_row), float(left), float(right)),
                          (cuffs[0], cuffs[1]))


def _sleeves_ending_on_the_sides(sil: _Silhouette, hem: _Hem, depth: float) -> _MergedSleeves | None:
    """The body's hem and sides of a top whose long sleeves hang one with it and end above its hem, and the
    sleeves' ends; or None.

    Going down such a silhouette, each side steps in at a sleeve's end by the sleeve's width, at least
    MERGED_SLEEVE_WIDTH of the body's width, within MERGED_SLEEVE_DROP of the height, and runs on as the
    body's side to the hem. A peplum steps out; a side that tapers in does so gently.
    """
    first, last = _armpit_depth(sil, depth), hem.row - sil.top - sil.band(EDGE_BAND)
    step = sil.band(MERGED_SLEEVE_DROP)
    if last - first <= step or np.isnan(sil.left_edge[last]) or np.isnan(sil.right_edge[last]):
        return None
    # The body's sides: their median over the hem's band, and the sleeves' ends sought down into it. A sleeve's end
    # slanting down into the band (a cuff cut aslant, its inner corner 5 % of the height above the hem) left the
    # side's edge at the band's top on it: the body's sides a quarter too broad, its shoulders on the sleeves' edges.
    band = slice(last, hem.row - sil.top + 1)
    sides = (float(np.nanmedian(sil.left_edge[band])), float(np.nanmedian(sil.right_edge[band])))
    lowest = hem.row - sil.top - sil.band(0.01)  # the hem's corner, rounded by the mask, is no step
    wide = MERGED_SLEEVE_WIDTH * (sides[1] - sides[0])
    cuffs = []
    for edge, side, outward in ((sil.left_edge, sides[0], -1.0), (sil.right_edge, sides[1], 1.0)):
        beyond = np.nan_to_num(outward * (edge[first:lowest + 1] - side), nan=0.0)
        sleeve = np.flatnonzero(beyond >= wide)
        if wide <= 0 or sleeve.size == 0:
            return None
        end = int(sleeve.max())  # the sleeve's lowest row; below it, within a step, the side
        if beyond[min(end + step, beyond.size - 1)] >= wide / 2:
            return None
        cuffs.append(((float(edge[first + end]) + side) / 2, float(sil.top + first + end)))
    return _MergedSleeves(_Hem(hem.row, *sides), (cuffs[0], cuffs[1]))


def _waist(sil: _Silhouette, edge: np.ndarray, armpit_row: int, hem: _Hem) -> Point:
    """The body's side at its narrowest between the armpit and the hem: a dress's or a peplum's waist, the
    lower torso of a straight top. The side line through it and the armpit bounds the sleeve."""
    first = armpit_row + sil.band(0.15)
    last = max(first + 1, hem.row - sil.top - sil.band(EDGE_BAND))
    widths = sil.right_edge[first:last] - sil.left_edge[first:last]
    if widths.size == 0 or np.isnan(widths).all():
        row = min(first, sil.height - 1)
    else:
        row = first + int(np.nanargmin(widths))
    return float(edge[row]) if not np.isnan(edge[row]) else float(edge[armpit_row]), float(sil.top + row)


@dataclass(frozen=True)
class _Sleeve:
    armpit: Point
    shoulder: Point
    cuff: Point  # the centre of its end
    # Image row of its lowest pixel: a long sleeve laid aslant has its cuff's outer corner well below the cuff's
    # centre, down among the hem's rows.
    lowest: float

    def landmarks(self, name: str) -> dict[str, Point]:
        return {f"{name}_armpit": self.armpit, f"{name}_shoulder": self.shoulder, f"{name}_cuff": self.cuff}


def _cuff(sil: _Silhouette, shoulder: Point, armpit: Point, waist: Point, hem: _Hem,
          side: float) -> tuple[Point, float] | None:
    """Centre of a sleeve's end, the far end of the pixels beyond the body's side line, and the row of the
    sleeve's lowest pixel; or None.

    Only pixels connected to the armpit count: a flared skirt or peplum beyond the line lower down is no
    sleeve.
    """
    height, width = sil.mask.shape
    ys, xs = np.mgrid[0:height, 0:width]
    (ax, ay), (wx, wy) = armpit, waist
    # The body's side line through armpit and waist, extended upward.
    line_x = ax + (wx - ax) * (ys - ay) / max(wy - ay, 1.0)
    margin = 0.02 * (hem.right - hem.left)
    # Above the hem's band; below it only beside the body (a sleeve hanging past the hem keeps its end).
    beside_hem = (ys < hem.row - sil.band(EDGE_BAND)) | (xs < hem.left) | (xs > hem.right)
    beyond = sil.mask & (side * (xs - line_x) > margin) & beside_hem
    _, labels = cv2.connectedComponents(beyond.astype(np.uint8), connectivity=8)
    near_armpit = labels[max(0, round(ay) - sil.band(0.1)):round(ay) + sil.band(0.02) + 1]
    attached = np.setdiff1d(np.unique(near_armpit), [0])
    sleeve = np.isin(labels, attached) & beyond
    if sleeve.sum() < MIN_SLEEVE_SHARE * sil.mask.sum():
        return None
    root = np.array([(shoulder[0] + armpit[0]) / 2, (shoulder[1] + armpit[1]) / 2])
    sy, sx = np.nonzero(sleeve)
    distance = np.hypot(sx - root[0], sy - root[1])
    far = distance >= np.quantile(distance, 1 - CUFF_SHARE)
    return (float(sx[far].mean()), float(sy[far].mean())), float(sy.max())


def _sleeve(sil: _Silhouette, edge: np.ndarray, side: float, hem: _Hem, depth: float) -> _Sleeve | None:
    """Armpit, shoulder seam and cuff of one sleeve, or None for a sleeveless side."""
    row = _armpit_row(edge, sil, side, depth)
    if row is None:
        return None
    armpit = (float(edge[row + sil.band(0.02)]), float(sil.top + row))
    shoulder = _top_edge(sil, armpit[0])
    end = _cuff(sil, shoulder, armpit, _waist(sil, edge, row, hem), hem, side)
    if end is None:  # the "corner" was a notch in the outline, not a sleeve
        return None
    return _Sleeve(armpit, shoulder, *end)


def _mirrored(sil: _Silhouette, found: _Sleeve, axis: float) -> _Sleeve | None:
    """One sleeve's landmarks mirrored about the vertical line x = `axis`, if the mirrored cuff lies on the
    garment.

    Catalog photos are frontal, so a garment's outline is symmetric: a sleeve found on one side only (the
    other's corner hidden by a ruffle or a drape) is the mirror of the one found.
    """
    height, width = sil.mask.shape
    cx, cy = 2 * axis - found.cuff[0], found.cuff[1]
    if not (0 <= round(cx) < width and 0 <= round(cy) < height and sil.mask[round(cy), round(cx)]):
        return None
    shoulder = _top_edge(sil, min(max(2 * axis - found.shoulder[0], 0.0), width - 1.0))
    return replace(found, armpit=(2 * axis - found.armpit[0], found.armpit[1]), shoulder=shoulder, cuff=(cx, cy))


def _top_landmarks(sil: _Silhouette, category: Category, symmetric: bool) -> GarmentLandmarks:
    hem = _hem(sil)
    hem_rows = slice(max(sil.top, hem.row - sil.band(EDGE_BAND)), hem.row + 1)
    right_hem, left_hem = _hem_corner(sil, hem_rows, -1, hem.columns()), _hem_corner(sil, hem_rows, +1, hem.columns())
    found: dict[str, Point | None] = {"left_hem": left_hem, "right_hem": right_hem}
    sleeves = {"right": _sleeve(sil, sil.left_edge, -1.0, hem, ARMPIT_DEPTH[category.value]),
               "left": _sleeve(sil, sil.right_edge, 1.0, hem, ARMPIT_DEPTH[category.value])}
    merged = _merged_sleeves(sil) if sleeves["left"] is None or sleeves["right"] is None else None
    if merged is None and sleeves["left"] is None and sleeves["right"] is None:
        merged = _sleeves_ending_on_the_sides(sil, hem, ARMPIT_DEPTH[category.value])
    # A sleeve found whose end lies above the body's hem, beside sleeves hanging below it, was a ruffle's tier.
    if merged is not None and all(found_sleeve is None or found_sleeve.cuff[1] < merged.hem.row
                                  for found_sleeve in sleeves.values()):
        # Sleeves one with the body down to their ends: the body's hem is the middle lobe, its sides run up to
        # the shoulder seams, and the armpits, hidden, lie on them a third of the way down.
        body = merged.hem
        hem_rows = slice(max(sil.top, body.row - sil.band(EDGE_BAND)), body.row + 1)
        found = {"left_hem": _hem_corner(sil, hem_rows, +1, body.columns_exact()),
                 "right_hem": _hem_corner(sil, hem_rows, -1, body.columns_exact())}
        for name, x, cuff in (("right", body.left, merged.cuffs[0]), ("left", body.right, merged.cuffs[1])):
            shoulder = _top_edge(sil, x)
            found[f"{name}_shoulder"], found[f"{name}_cuff"] = shoulder, cuff
            found[f"{name}_armpit"] = (x, shoulder[1] + HIDDEN_ARMPIT_DEPTH * (body.row - shoulder[1]))
        found["neck"] = _top_edge(sil, (body.left + body.right) / 2)
        return GarmentLandmarks(category=category, **found)
    if any(sleeve is not None and sleeve.lowest >= hem_rows.start for sleeve in sleeves.values()):
        # Sleeves hanging beside the body as low as the hem or lower (their cuffs' lowest corners, a slanted cuff's
        # taken for the hem's before): its corners lie on the body's sides.
        right_hem = _hem_corner(sil, hem_rows, -1, hem.columns_exact())
        left_hem = _hem_corner(sil, hem_rows, +1, hem.columns_exact())
        found = {"left_hem": left_hem, "right_hem": right_hem}
    # The hem's middle: a drape or a ruffle on one side moves the silhouette's median, not the hem corners.
    axis = (left_hem[0] + right_hem[0]) / 2
    left_sleeve, right_sleeve = sleeves["left"], sleeves["right"]
    if symmetric and left_sleeve is not None and right_sleeve is not None:
        # Both found but at different heights: a sleeve whose lower edge was lost to the background (a white
        # sleeve on a light grey) finds its corner lower down. The higher armpit is taken, mirrored.
        drop = left_sleeve.armpit[1] - right_sleeve.armpit[1]
        if abs(drop) > ARMPIT_ASYMMETRY * sil.height:
            lower, higher = ("left", right_sleeve) if drop > 0 else ("right", left_sleeve)
            sleeves[lower] = _mirrored(sil, higher, axis) or sleeves[lower]
    for name, other in (("right", "left"), ("left", "right")):
        own, opposite = sleeves[name], sleeves[other]
        if symmetric and own is None and opposite is not None:
            own = _mirrored(sil, opposite, axis)
        if own is not None:
            found.update(own.landmarks(name))
            continue
        # Sleeveless: the shoulder is the outer end of the strap or shoulder seam, near the top of its own
        # half (a garment photographed or warped a little aslant has one side higher).
        side = -1.0 if name == "right" else 1.0
        own_half = _half(sil, side)
        own_top = int(np.nonzero(own_half)[0].min()) if own_half.any() else sil.top
        found[f"{name}_shoulder"] = _strap_top(sil, slice(own_top, own_top + sil.band(0.03) + 1), side)
    # The collar's centre is midway between the shoulders (the body's axis lower down may lean or be hidden
    # by a wrap's overlap): on a V or scoop neck, a few pixels aside is a long way up or down.
    left, right = found["left_shoulder"], found["right_shoulder"]
    assert left is not None and right is not None
    found["neck"] = _top_edge(sil, (left[0] + right[0]) / 2)
    return GarmentLandmarks(category=category, **found)


def _strap_top(sil: _Silhouette, rows: slice, side: float) -> Point:
    """A strap's or a sleeveless shoulder's top: the pixel of its own half in `rows` farthest out and up
    together, as a hem's corner is out and down: a flutter or a cap widening the strap below its top moves it
    no more than the widening rises."""
    own = _half(sil, side)
    own[:rows.start] = False
    own[rows.stop:] = False
    ys, xs = np.nonzero(own)
    if ys.size == 0:
        raise InvalidInput("the garment's outline is too small to find its landmarks", field="garment")
    pick = int(np.argmax(side * xs - CORNER_DROP * ys))
    return float(xs[pick]), float(ys[pick])


def _hem_corner(sil: _Silhouette, rows: slice, side: float, columns: tuple[float, float]) -> Point:
    """A hem's corner: the pixel farthest out and down together in the hem's rows, so a side that leans in
    or out just above the hem (a rounded corner, a warp) moves it no more than the corner itself moves."""
    band = np.zeros_like(sil.mask)
    band[rows] = sil.mask[rows]
    xs_all = np.arange(sil.mask.shape[1])
    band &= ((xs_all >= columns[0]) & (xs_all <= columns[1]))[None, :]
    ys, xs = np.nonzero(band)
    if ys.size == 0:
        raise InvalidInput("the garment's outline is too small to find its landmarks", field="garment")
    pick = int(np.argmax(side * xs + CORNER_DROP * ys))
    return float(xs[pick]), float(ys[pick])


def _waist_corner(sil: _Silhouette, side: float) -> Point:
    """A waistband's outer corner: the pixel of its own half's upper part farthest out and up together,
    which a waistband photographed aslant, or rounded by the warp, still has. Up counts more than out: the
    hips below a waistband stand out farther than it."""
    own = _half(sil, side)
    own[sil.top + sil.band(WAIST_DEPTH):] = False
    ys, xs = np.nonzero(own)
    if ys.size == 0:
        raise InvalidInput("the garment's outline is too small to find its landmarks", field="garment")
    pick = int(np.argmax(side * xs - WAIST_CORNER_RISE * ys))
    return float(xs[pick]), float(ys[pick])


def _lower_landmarks(sil: _Silhouette) -> GarmentLandmarks:
    right_waist, left_waist = _waist_corner(sil, -1.0), _waist_corner(sil, +1.0)
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
        leg_bottom = int(np.nonzero(_half(sil, side))[0].max())
        rows = slice(leg_bottom - band, leg_bottom + 1)
        legs[f"{name}_hem_outer"] = (_outermost(sil, rows, side, half=side)[0], float(leg_bottom))
        legs[f"{name}_hem_inner"] = (_outermost(sil, rows, -side, half=side)[0], float(leg_bottom))
        # The leg's own width above the hem: the fit follows it, so a narrow leg stays narrow on the body.
        knee = round(crotch_y + KNEE_LEVEL * (leg_bottom - crotch_y))
        if crotch_y < knee < leg_bottom:
            rows = slice(knee - 1, knee + 2)
            legs[f"{name}_knee_outer"] = (_outermost(sil, rows, side, half=side)[0], float(knee))
            legs[f"{name}_knee_inner"] = (_outermost(sil, rows, -side, half=side)[0], float(knee))
    return GarmentLandmarks(Category.LOWER, left_waist=left_waist, right_waist=right_waist,
                            crotch=(sil.centre, float(crotch_y)), **legs)


def garment_landmarks(mask: np.ndarray, category: Category | str, *, symmetric: bool = True) -> GarmentLandmarks:
    """Landmarks of the garment whose silhouette is `mask` (nonzero = garment, upright, front view).

    `symmetric`: the garment lies as in a catalogue photo, its two sides mirror images, so a sleeve found on
    one side stands for the other where that one is lost or hidden. Off for a garment as worn (warped onto
    a pose), whose arms may hang differently.
    """
    category = Category(category)
    sil = _silhouette(mask)
    if sil.height < 16:
        raise InvalidInput("the garment is too small in its photo to find its shape", field="garment")
    return _lower_landmarks(sil) if category is Category.LOWER else _top_landmarks(sil, category, symmetric)
