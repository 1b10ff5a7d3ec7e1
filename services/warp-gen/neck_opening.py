"""The inside of a garment's back, seen through its neck opening on the product photo. Pure numpy/OpenCV.

A catalogue photo of a tee, a top or a dress shows, through the neck opening, the inside of the garment's
back: a darker or greyer shade of the garment, often with a label. Warped onto a shopper it was painted as
if it were the garment's front: a grey band across the base of the neck and the shoulders' tops beside it.
Worn and seen from the front it is hidden; the neck and the shoulders show down to the front neckline.

Read on the warped garment, upright in the body's frame round the neck: the inside back is the patch that
starts just below the garment's top edge on the body's midline and spreads, through smooth shading only,
no further than a sharp edge all round (the front neckline below it, the collar's rim at its ends). Where
that patch runs out of the window round the neck (a black tee whose inside is the front's colour, a polo's
collar of the body's colour, a wrap top's lining meeting its lapels), or is no darker than the front below
it, nothing is taken: what cannot be told from the front stays, as it was.

An inside much darker than the front is another cloth, a lining: a lace breaks it into specks and a zip splits it,
so no smooth patch holds it. It is read as the dark region round the same seed, on the lightness blurred over the
lace's holes with the zip's gap closed, and taken where it is an opening's (wider than the seed, in the window),
the front below it is light and a lighter rim (the back neckline's edge, the outer cloth) runs above it, and it is
textured or that rim is clear of the edge's anti-aliasing: a dark rib collar is dark up to the top edge, and its
front is the rib itself.

Behind a dark rib collar (`_behind_rib`), the inside is taken down to the rib, which keeps its width: read on the
midline, up from the front neckline while the colour stays the rib's. Where the rib and the inside are one shade up
to the top edge, nothing is taken.

A deep V's lining may be of the front's lightness but another hue (a teal lining in a blue velvet wrap top), and the
V's soft binding lets a smooth patch run on into the front's folds: asked for (`by_hue`), it is read as the patch
nearer the seed's colour than the front's (the window's garment below the deepest inside back taken), walled by
thickened edges and kept where it is on both sides of the midline.

The label sewn inside the back below its neckline (`back_label`) shows on the photo too, whether or not the inside
around it can be told from the front (a white tee's inside is as white): a patch unlike the garment round the neck
that joins the band along the top edge and ends within reach of it (a print goes on below).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from fittingroom.common.body import Pose, body_frame
from fittingroom.common.garment import Category
from fittingroom.warp_gen.texture import extend_texture

# Of the shoulder width, round the shoulders' midpoint in the body's frame: the window read, across each side
# of the midline (a neck opening ends within it), up above the shoulder joints' line (the garment's top edge at
# the neck, a collar's stand) and down below it (past the deepest inside back taken, so a spill shows).
WINDOW_SPAN = 0.5
WINDOW_RISE = 0.45
WINDOW_DROP = 0.5
MAX_DROP = 0.35  # of the shoulder width below the joints' line: the deepest inside back taken (not a deep V's)
# Of the shoulder width: where the patch is seeded, within SEED_SPAN each side of the midline, below the top
# edge's rim (RIM deep: the back collar's own edge, often paler) and SEED_DEPTH deep.
SEED_SPAN = 0.15
RIM = 0.03
SEED_DEPTH = 0.06
SEED_TRIES = 3
# The patch grows between neighbours whose colours (OpenCV's 8-bit Lab, blurred over BLUR_PX) differ by at most
# STEP in each channel, and never onto an edge (a colour gradient over EDGE per px): the inside's shading is
# smooth, its border with the front a sharp fold.
BLUR_PX = 1.0
STEP = 4
EDGE = 8.0
MIN_AREA = 0.01  # of the shoulder width squared: less is no opening (a strap's gap, a speck)
# Lab distance (8-bit units) from the inside's median colour to the front's just below it, the least that tells
# them apart; the inside is the darker, but a shade of the same cloth: at least MIN_SHADE of the front's lightness.
# Darker still is another cloth (a rib collar, a lining), which may be the front's own (`_dark_lining` tells).
CONTRAST = 12.0
MIN_SHADE = 0.5
# A dark lining (`_dark_lining`): its lightness blurred over LINING_BLUR of the shoulder width, at most LINING_SPREAD
# (8-bit L) above the seed's, gaps of LINING_GAP of the shoulder width closed (a zip, the lace's holes); the front
# below at least LINING_CONTRAST lighter.
LINING_BLUR = 0.015
LINING_SPREAD = 30.0
LINING_GAP = 0.02
LINING_CONTRAST = 60.0
LINING_HOLD = 0.8  # of the seed's pixels held by the lining's patch: less is no lining's opening
LINING_RIM = 15.0  # 8-bit L: the least by which the rim above a lining is lighter than it
LINING_TEXTURE = 6.0  # 8-bit L: the median deviation of a lace's or a weave's lightness, the least
# A dark rib collar's width (`_rib_width`): the rows above the front neckline within RIB_STEP (Lab, 8-bit) of the rib's
# colour just above the edge's ramp (the Vans tee's purple rib, L 50-60, under an inside of L 20-40 in the middle);
# a run up to within RIM_ROWS of the top edge is a rib and its inside in one shade (nothing told apart).
RIB_STEP = 15.0
RIM_ROWS = 2
FRONT_DEPTH = 0.04  # of the shoulder width: the front's strip below the neckline read for its colour
# The front neckline is put on the strongest edge within EDGE_SEARCH_PX below the patch in each column (else
# EDGE_REACH_PX below it), PAST_EDGE_PX past the edge's middle, so the feathered edge of the paint falls on the
# front, and smoothed along it over SMOOTH_PX.
EDGE_SEARCH_PX = 5
# A lining's patch, read on the blurred lightness, ends within its edge already: searched further, the strongest
# edge was a darker binding's along the front neckline below it, and the binding went with the lining.
LINING_SEARCH_PX = 2
EDGE_REACH_PX = 2.0
PAST_EDGE_PX = 1.0
SMOOTH_PX = 2.0
FILL_CLEAR_PX = 2  # the front's colours for the inside back are taken this far from it and from the outline
# Of the shoulder width: how far past the patch's ends the neckline is carried on to meet the top edge, its
# direction read over the last END_SLOPE_PX columns.
END_REACH = 0.05
END_SLOPE_PX = 3
# Of the shoulder width: the inside of the back a product photo shows through the neck opening, within NECK_SPAN
# each side of the body's midline, down to NECK_DROP below the shoulders' line, INNER_BACK deep from the top edge.
NECK_SPAN = 0.3
NECK_DROP = 0.1
INNER_BACK = 0.06
LABEL_DEPTH = 0.2  # of the shoulder width: how deep from the top edge a label may reach
LABEL_RIM_PX = 2  # a label's anti-aliased rim, and the letters printed on it, taken with it
LABEL_CONTRAST = 40.0  # Lab distance from the garment's median colour round the neck that makes a label's pixel
# An inside told from the front by its hue, not by an edge (`_hue_apart`: a deep V's lining, a shade of the front's
# own lightness whose soft binding lets a smooth patch through): colours compared with their 8-bit lightness
# weighted LIGHT_WEIGHT (a velvet's folds are as dark as its inside, but of the front's hue), the inside's at least
# HUE_APART from the front's (a visible difference of colour, past the cloth's own spread), the edges walled
# WALL_PX thick.
LIGHT_WEIGHT = 0.5
HUE_APART = 6.0
WALL_PX = 3


@dataclass(frozen=True)
class NeckTop:
    """The garment round the neck, within a label's reach (NECK_SPAN, NECK_DROP, LABEL_DEPTH): a box of the photo
    and, in it, the garment, its band INNER_BACK deep from the edge, and the window LABEL_DEPTH deep (bool)."""

    box: tuple[slice, slice]
    garment: np.ndarray
    band: np.ndarray
    window: np.ndarray


def neck_top(garment: np.ndarray, pose: Pose) -> NeckTop:
    """The garment (bool HxW) along its top edge round the neck (`NeckTop`)."""
    frame = body_frame(pose)
    width = frame.shoulder_width
    origin = (frame.left_shoulder + frame.right_shoulder) / 2
    # Worked within reach of the neck: a square round the shoulders' midpoint, the window's reach and a label's
    # depth out (the same result as on the whole photo, in a fraction of the time).
    reach = (NECK_SPAN + NECK_DROP + LABEL_DEPTH) * width
    top, left = max(int(origin[1] - reach), 0), max(int(origin[0] - reach), 0)
    box = np.s_[top:max(int(origin[1] + reach) + 1, top), left:max(int(origin[0] + reach) + 1, left)]
    near = garment[box]
    below_top = cv2.distanceTransform(near.astype(np.uint8), cv2.DIST_L2, 3)
    ys, xs = np.mgrid[top:top + near.shape[0], left:left + near.shape[1]]
    along = (xs - origin[0]) * frame.down[0] + (ys - origin[1]) * frame.down[1]
    beside = (xs - origin[0]) * frame.across[0] + (ys - origin[1]) * frame.across[1]
    neck = near & (np.abs(beside) <= NECK_SPAN * width) & (along <= NECK_DROP * width)
    return NeckTop(box, near, neck & (below_top <= INNER_BACK * width), neck & (below_top <= LABEL_DEPTH * width))


def _unlike(image: np.ndarray, top: NeckTop) -> np.ndarray:
    """bool, in the `top`'s box: the window's pixels LABEL_CONTRAST or more from its median colour (Lab)."""
    lab = cv2.cvtColor(np.ascontiguousarray(image[top.box]), cv2.COLOR_RGB2LAB).astype(np.float32)
    return np.asarray(top.window & (np.linalg.norm(lab - np.median(lab[top.window], axis=0), axis=2) > LABEL_CONTRAST))


def back_label(image: np.ndarray, top: NeckTop, odd: np.ndarray | None = None) -> np.ndarray:
    """bool HxW: the label sewn inside the garment's back on its photo (`image`), with its rim and letters: a patch
    unlike the garment round the neck (`odd`: `_unlike`'s, worked out when not given) that joins the band along the
    `top` edge and ends within the window; one that goes on out of it is the garment's print."""
    label = np.zeros(image.shape[:2], bool)
    if not top.band.any():
        return label
    odd = _unlike(image, top) if odd is None else odd
    count, labels = cv2.connectedComponents(odd.astype(np.uint8), connectivity=8)
    if count < 2:
        return label
    # The window's rim against the rest of the garment (below it, beside it): where a print goes on.
    rest = (top.garment & ~top.window).astype(np.uint8)
    running_on = odd & (cv2.dilate(rest, np.ones((3, 3), np.uint8)) > 0)
    kept = np.setdiff1d(np.unique(labels[odd & top.band]), np.unique(labels[running_on]))
    found = np.isin(labels, kept[kept > 0]).astype(np.uint8)
    grown = cv2.dilate(found, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * LABEL_RIM_PX + 1,) * 2)) > 0
    label[top.box] = grown & top.garment
    return label


def without_label(image: np.ndarray, garment: np.ndarray, pose: Pose) -> np.ndarray:
    """The warped garment's `image` (on `garment`, bool HxW) with its back label (`back_label`) filled with the
    garment round it, mirrored from the window's pixels like it: mirrored from all of the garment, a print just
    below the label came up into its place."""
    top = neck_top(garment, pose)
    if not top.band.any():
        return image
    odd = _unlike(image, top)
    label = back_label(image, top, odd)
    if not label.any():
        return image
    like = np.zeros_like(label)
    like[top.box] = top.window & ~odd
    return extend_texture(image, like & ~label, label)


@dataclass(frozen=True)
class ThroughNeck:
    """The inside of the garment's back seen through its neck opening (`seen_through_neck`), and the width (px) of
    the dark rib collar kept in front of it along the front neckline (`_behind_rib`; 0 where there is none, and the
    neckline is a blend of the inside and the front)."""

    hidden: np.ndarray
    rib: float


def seen_through_neck(image: np.ndarray, alpha: np.ndarray, pose: Pose, category: Category, *,
                      by_hue: bool = False) -> np.ndarray:
    """bool HxW: `through_neck`'s inside back."""
    return through_neck(image, alpha, pose, category, by_hue=by_hue).hidden


def through_neck(image: np.ndarray, alpha: np.ndarray, pose: Pose, category: Category, *,
                 by_hue: bool = False) -> ThroughNeck:
    """The inside of the garment's back seen through its neck opening on the warped garment (`image`,
    `alpha` > 0.5 on it), from its top edge down to the front neckline; none where it cannot be told from the
    front, and none for a lower garment. `by_hue`: also an inside told from the front by its hue alone
    (`_hue_apart`: a deep V's lining), for a dressing that bares the body under it; dressed into the worn
    garment's outline instead (`silhouette.inner_back`), a deep V filled with the front's texture mirrored into it
    reads as a kaleidoscope, worse than the lining it hides."""
    height, width_px = alpha.shape[:2]
    hidden = np.zeros((height, width_px), bool)
    if category is Category.LOWER:
        return ThroughNeck(hidden, 0.0)
    frame = body_frame(pose)
    width = frame.shoulder_width
    origin = (frame.left_shoulder + frame.right_shoulder) / 2
    # The window sampled upright, one px a step: column u across the body, row v down it.
    across = np.arange(-WINDOW_SPAN * width, WINDOW_SPAN * width + 1.0)
    down = np.arange(-WINDOW_RISE * width, WINDOW_DROP * width + 1.0)
    grid_u, grid_v = np.meshgrid(across, down)
    map_x = (origin[0] + grid_u * frame.across[0] + grid_v * frame.down[0]).astype(np.float32)
    map_y = (origin[1] + grid_u * frame.across[1] + grid_v * frame.down[1]).astype(np.float32)
    garment = cv2.remap(alpha.astype(np.float32), map_x, map_y, cv2.INTER_LINEAR, borderValue=0.0) > 0.5
    upright = cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR)
    lab = cv2.GaussianBlur(cv2.cvtColor(upright, cv2.COLOR_RGB2LAB), (0, 0), BLUR_PX)
    cut = _neckline(lab, garment, across, down, width, by_hue)
    if cut is None:
        return ThroughNeck(hidden, 0.0)
    columns, bottom, rib = cut
    # Back to the photo: each pixel round the neck above the neckline's curve, between the opening's ends.
    corners_x, corners_y = map_x[[0, 0, -1, -1], [0, -1, 0, -1]], map_y[[0, 0, -1, -1], [0, -1, 0, -1]]
    top, left = max(int(corners_y.min()), 0), max(int(corners_x.min()), 0)
    rows, cols = min(int(corners_y.max()) + 2, height), min(int(corners_x.max()) + 2, width_px)
    if rows <= top or cols <= left:
        return ThroughNeck(hidden, 0.0)
    ys, xs = np.mgrid[top:rows, left:cols]
    beside = (xs - origin[0]) * frame.across[0] + (ys - origin[1]) * frame.across[1]
    along = (xs - origin[0]) * frame.down[0] + (ys - origin[1]) * frame.down[1]
    within = (beside >= columns[0]) & (beside <= columns[-1])
    inside = within & (along < np.interp(beside, columns, bottom)) & (alpha[top:rows, left:cols] > 0)
    if rib > 0:
        # The rib in front of it keeps its width all round, across the neckline (where the opening's sides rise
        # steeply, the rib's rows counted down the body, as on the midline, left it a sliver there).
        front = (alpha[top:rows, left:cols] > 0.5) & ~inside
        inside &= cv2.distanceTransform((~front).astype(np.uint8), cv2.DIST_L2, 3) > rib + PAST_EDGE_PX
    hidden[top:rows, left:cols] = inside
    return ThroughNeck(hidden, rib)


def _neckline(lab: np.ndarray, garment: np.ndarray, across: np.ndarray, down: np.ndarray, width: float,
              by_hue: bool) -> tuple[np.ndarray, np.ndarray, float] | None:
    """(u, v) of the front neckline under the inside back, per column of the upright window across the opening
    (u ascending), and the width (px) of a dark rib along it that stays (`_behind_rib`; else 0); None where no inside
    back is told apart from the front (`by_hue`: as `seen_through_neck`)."""
    has_top = garment.any(axis=0)
    top = np.where(has_top, garment.argmax(axis=0), garment.shape[0])
    strength = _edge_strength(lab)
    edges = strength > EDGE
    rim, depth = max(1, round(RIM * width)), max(2, round(SEED_DEPTH * width))
    seed = np.zeros_like(garment)
    for column in np.flatnonzero((np.abs(across) <= SEED_SPAN * width) & has_top):
        seed[top[column] + rim:top[column] + rim + depth, column] = True
    seed &= garment
    if not seed.any():
        return None
    found, search, rib = _smooth_inside(lab, garment, edges, seed, down, width), EDGE_SEARCH_PX, 0.0
    if found is None:
        found, search = _dark_lining(lab, garment, seed, down, width), LINING_SEARCH_PX
    if found is None:
        behind = _behind_rib(lab, garment, strength, seed, top, down, width)
        if behind is not None:
            found, search, rib = behind[:3], EDGE_SEARCH_PX, behind[3]
    if found is None and by_hue:
        found, search = _hue_apart(lab, garment, edges, seed, down, width), EDGE_SEARCH_PX
    if found is None:
        return None
    span, lowest, (inside, front) = found
    values = lab.astype(np.float32)
    like_inside = np.linalg.norm(values - inside, axis=2) < np.linalg.norm(values - front, axis=2)
    neckline = (_on_edge(lowest, span, strength, search) + PAST_EDGE_PX).astype(np.float64)
    bottom = cv2.GaussianBlur(neckline[None], (0, 0), SMOOTH_PX, borderType=cv2.BORDER_REPLICATE)[0]
    span, bottom = _to_ends(span, bottom, top, like_inside, width)
    return across[span], down[0] + bottom, rib


def _smooth_inside(lab: np.ndarray, garment: np.ndarray, edges: np.ndarray, seed: np.ndarray, down: np.ndarray,
                   width: float) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]] | None:
    """(columns, lowest row per column, (inside, front) colours) of the patch grown from `seed` through smooth
    shading only, where it is a shade of the front below it; else None."""
    if np.count_nonzero(seed & ~edges) < max(2, round(SEED_DEPTH * width)):
        return None
    patch = _grown(lab, garment & ~edges, seed)
    if patch is None:
        return None
    outline = _outline(patch, down, width)
    if outline is None:
        return None
    colours = _inside_and_front(lab, garment, patch, *outline, width)
    if colours is None or not _a_shade(*colours):
        return None
    return *outline, colours


def _dark_lining(lab: np.ndarray, garment: np.ndarray, seed: np.ndarray, down: np.ndarray, width: float
                 ) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]] | None:
    """As `_smooth_inside`, for an inside much darker than the front (a dark lining, `_dark_patch`); taken where the
    front below it is light, at least LINING_CONTRAST lighter (a dark rib collar's front is dark itself), and it is
    told from a rib collar (`_told_from_rib`)."""
    dark = _dark_patch(lab, garment, seed, down, width, LINING_SPREAD)
    if dark is None:
        return None
    patch, outline = dark
    colours = _inside_and_front(lab, garment, patch, *outline, width)
    if colours is None or not _a_lining(*colours) or not _told_from_rib(lab, garment, patch, colours[0]):
        return None
    return *outline, colours


def _behind_rib(lab: np.ndarray, garment: np.ndarray, strength: np.ndarray, seed: np.ndarray, top: np.ndarray,
                down: np.ndarray, width: float
                ) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray], float] | None:
    """(columns, lowest row per column, (inside, front) colours, the rib's width in rows) of a dark inside behind a
    dark rib collar on a light front (the dark region round the seed, `_dark_patch`, over a front LINING_CONTRAST
    lighter past its edge): the rib's width is read on the midline, where the inside is deepest (`_rib_width`), and
    kept all round the opening; None where the rib cannot be told from the inside above it (one shade up to the
    top edge: all stays, as it was).

    A tee with a dark rib shows through its opening the inside of the back in the rib's dark or darker: left, it was a
    band round the shopper's neck three times the rib's width (the purple Vans tee's), taken with the rib, the collar
    was gone."""
    dark = _dark_patch(lab, garment, seed, down, width, LINING_SPREAD)
    if dark is None:
        return None
    patch, (span, lowest) = dark
    # The front read past the edge's ramp: the patch ends on the rib's lighter rows, short of the edge.
    colours = _inside_and_front(lab, garment, patch, span, _on_edge(lowest, span, strength, EDGE_SEARCH_PX), width)
    if colours is None or not _a_lining(*colours):
        return None
    # The inside by the opening's ends is lit as light as the rib, out of LINING_SPREAD: the patch is grown again up
    # to halfway to the front's lightness, to the front neckline all along, over the same columns (so grown, the rib
    # round the collar's sides ran on out of the window).
    dark = _dark_patch(lab, garment, seed, down, width, float(colours[1][0] - colours[0][0]) / 2, span)
    if dark is None:
        return None
    patch, (span, lowest) = dark
    edge = _on_edge(lowest, span, strength, EDGE_SEARCH_PX)
    centre = np.isin(span, np.flatnonzero(seed.any(axis=0)))
    rib = _rib_width(lab, span[centre], edge[centre], top[span[centre]])
    return None if rib is None else (span, lowest, colours, rib)


def _rib_width(lab: np.ndarray, columns: np.ndarray, edge: np.ndarray, top: np.ndarray) -> float | None:
    """The rib's width in rows above the front neckline (`edge`, rows over `columns`, the top edge at `top`): per
    column, up from the edge's ramp (EDGE_REACH_PX above it) while the colour stays within RIB_STEP of the rib's
    there, the median over the columns; None where that runs up to within RIM_ROWS of the top edge (a rib and its
    inside in one shade) in most columns."""
    widths = []
    for column, row, first in zip(columns, np.round(edge).astype(int), top, strict=True):
        start = row - round(EDGE_REACH_PX)
        if start <= first:
            continue
        above = lab[first:start + 1, column].astype(np.float32)[::-1]
        apart = np.flatnonzero(np.linalg.norm(above - above[0], axis=1) > RIB_STEP)
        if apart.size and start - apart[0] > first + RIM_ROWS:
            widths.append(round(EDGE_REACH_PX) + apart[0])
    if 2 * len(widths) <= len(columns):
        return None
    return float(np.median(widths))


def _dark_patch(lab: np.ndarray, garment: np.ndarray, seed: np.ndarray, down: np.ndarray, width: float,
                spread: float, span: np.ndarray | None = None
                ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]] | None:
    """(patch, its outline: columns and lowest row per column) of an inside much darker than the front (a dark
    lining, or the inside behind a dark rib collar): a lace or a weave breaks it into specks and a zip splits it, so
    it is read on the lightness blurred over LINING_BLUR, as the pixels no lighter than the seed's by `spread`
    (LINING_SPREAD for a lining), gaps under LINING_GAP closed, within the columns `span` where given; None where it
    is no opening's (`_outline`, or narrower than the seed)."""
    lightness = cv2.GaussianBlur(lab[..., 0].astype(np.float32), (0, 0), LINING_BLUR * width)
    dark = (garment & (lightness <= np.median(lightness[seed]) + spread)).astype(np.uint8)
    size = 2 * max(1, round(LINING_GAP * width)) + 1
    closed = cv2.morphologyEx(dark, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
    # Each region the seed reaches: a zip (a placket) wider than the gap closed splits the lining in two.
    count, labels = cv2.connectedComponents(closed & garment.astype(np.uint8), connectivity=4)
    reached = np.zeros(count, bool)
    reached[labels[seed]] = True
    reached[0] = False
    patch = reached[labels]
    if span is not None:
        patch[:, np.setdiff1d(np.arange(patch.shape[1]), span)] = False
    seed_columns = np.flatnonzero(seed.any(axis=0))
    if np.count_nonzero(patch & seed) < LINING_HOLD * np.count_nonzero(seed):
        return None
    outline = _outline(patch, down, width)
    # Narrower than the seed's band: a label on the back, not the opening.
    if outline is None or outline[0][0] > seed_columns[0] or outline[0][-1] < seed_columns[-1]:
        return None
    return patch, outline


def _hue_apart(lab: np.ndarray, garment: np.ndarray, edges: np.ndarray, seed: np.ndarray, down: np.ndarray,
               width: float) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]] | None:
    """As `_smooth_inside`, for an inside of about the front's lightness but another hue (a deep V's lining): grown
    only through pixels nearer the seed's colour than the front's (the window's garment below MAX_DROP, past any
    inside back taken), edges walled WALL_PX thick (a V's soft binding lets a patch through a one-px wall), and kept
    where it is on both sides of the midline (a neck opening is symmetric; the front's folds are not)."""
    front_rows = down > MAX_DROP * width
    front = garment & front_rows[:, None]
    if not front.any():
        return None
    weights = np.array([LIGHT_WEIGHT, 1.0, 1.0], np.float32)
    values = lab.astype(np.float32) * weights
    inside_colour, front_colour = np.median(values[seed], axis=0), np.median(values[front], axis=0)
    # Told apart by the hue more than by the (weighted) lightness: a darker inside is `_smooth_inside`'s or
    # `_dark_lining`'s (a dark rib collar, nearer a black inside than a light front, went with it).
    hue = float(np.linalg.norm(inside_colour[1:] - front_colour[1:]))
    if hue < HUE_APART or abs(inside_colour[0] - front_colour[0]) > hue:
        return None
    nearer = np.linalg.norm(values - inside_colour, axis=2) < np.linalg.norm(values - front_colour, axis=2)
    walls = cv2.dilate(edges.astype(np.uint8), np.ones((WALL_PX, WALL_PX), np.uint8)) > 0
    patch = _grown(lab, garment & nearer & ~walls, seed)
    if patch is None:
        return None
    patch &= patch[:, ::-1]
    if not patch.any():
        return None
    outline = _outline(patch, down, width)
    if outline is None:
        return None
    colours = _inside_and_front(lab, garment, patch, *outline, width)
    if colours is None:
        return None
    return *outline, colours


def _told_from_rib(lab: np.ndarray, garment: np.ndarray, patch: np.ndarray, inside: np.ndarray) -> bool:
    """Whether the patch (its colour `inside`) is a lining, not a dark rib collar: a rim lighter than it by
    LINING_RIM runs along the top edge above it (a lining is sewn below the back neckline's edge, which is the
    garment's outer cloth; in a rib collar's photo the back rib along the edge is as dark as the inside, or
    darker), and the patch is textured (a lace, a weave: the median deviation of its lightness LINING_TEXTURE at
    least) or that rim is clear of the edge's anti-aliasing. The anti-aliasing against the backdrop lightens the
    edge's first row whatever the garment, and the next a little: a smooth patch as dark up to the edge is a rib
    and its inside as much as a lining (`_behind_rib` tells them apart)."""
    columns = np.flatnonzero(patch.any(axis=0))
    top, start = garment.argmax(axis=0)[columns], patch.argmax(axis=0)[columns]
    rows = np.arange(patch.shape[0])[:, None]
    lightness = lab[:, columns, 0]

    def lighter(past_edge: int) -> bool:
        rim = (rows >= top + past_edge) & (rows < start)
        return bool(rim.any() and np.median(lightness[rim]) - inside[0] >= LINING_RIM)

    if not lighter(1):
        return False
    within = cv2.erode(patch.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    values = lab[..., 0][within].astype(np.float32)
    textured = values.size > 0 and np.median(np.abs(values - np.median(values))) >= LINING_TEXTURE
    return bool(textured) or lighter(2)


def _outline(patch: np.ndarray, down: np.ndarray, width: float) -> tuple[np.ndarray, np.ndarray] | None:
    """(columns, lowest row per column, gaps interpolated) of a patch of the upright window; None where it spilled
    out of the window (round the opening's ends, or down the front) or is too small to be an opening."""
    columns = patch.shape[1]
    ys, xs = np.nonzero(patch)
    if (xs.min() == 0 or xs.max() == columns - 1 or down[ys.max()] > MAX_DROP * width
            or ys.size < MIN_AREA * width ** 2):
        return None
    first, last = xs.min(), xs.max()
    lowest = np.full(columns, -1)
    np.maximum.at(lowest, xs, ys)
    span = np.arange(first, last + 1)
    lowest = lowest[span]
    seen = lowest >= 0
    return span, np.interp(span, span[seen], lowest[seen])


def _to_ends(span: np.ndarray, bottom: np.ndarray, top: np.ndarray, like_inside: np.ndarray, width: float
             ) -> tuple[np.ndarray, np.ndarray]:
    """The neckline (`bottom`, rows over the columns `span`) carried on straight out of each end until it meets the
    garment's top edge (`top`, rows over all columns), within END_REACH, through columns whose pixels above it are
    mostly `like_inside` (nearer the inside's colour than the front's): where the front neckline runs up into the
    top edge, the patch stops short of the wedge between the two edges (every pixel of it is near an edge), and
    carried on past the wedge it bared the shoulder's top beside it."""
    reach = max(1, round(END_REACH * width))
    steps = min(END_SLOPE_PX, len(span) - 1)
    if steps < 1:
        return span, bottom
    ends = []
    for end, inner, outward in ((0, steps, -1), (len(span) - 1, len(span) - 1 - steps, 1)):
        slope = (bottom[end] - bottom[inner]) / steps
        carried = 0
        for step in range(1, reach + 1):
            column, row = span[end] + outward * step, bottom[end] + slope * step
            if not 0 <= column < top.size or row <= top[column]:
                break
            above = like_inside[top[column]:max(int(row), top[column] + 1), column]
            if 2 * np.count_nonzero(above) < above.size:
                break
            carried = step
        steps_out = np.arange(1, carried + 1)
        ends.append((span[end] + outward * steps_out, bottom[end] + slope * steps_out))
    (left, left_rows), (right, right_rows) = ends
    return (np.concatenate([left[::-1], span, right]), np.concatenate([left_rows[::-1], bottom, right_rows]))


def _grown(lab: np.ndarray, room: np.ndarray, seed: np.ndarray) -> np.ndarray | None:
    """bool: the patch grown through `room` from the `seed` pixels' commonest colour; where that patch holds under
    half of them (a label across the seed is a patch of its own), grown again from the rest, SEED_TRIES times at
    most, and the patch holding the most of them kept. None: no seed pixel in the room."""
    left, best, held = seed & room, None, 0
    for _ in range(SEED_TRIES):
        colours = lab[left].astype(np.float32)
        if colours.shape[0] == 0:
            break
        start = np.argwhere(left)[np.argmin(np.linalg.norm(colours - np.median(colours, axis=0), axis=1))]
        walls = np.pad((~room).astype(np.uint8), 1, constant_values=1)
        cv2.floodFill(lab.copy(), walls, (int(start[1]), int(start[0])), 0, (STEP,) * 3, (STEP,) * 3,
                      4 | cv2.FLOODFILL_MASK_ONLY | (2 << 8))
        patch = walls[1:-1, 1:-1] == 2
        holds = int(np.count_nonzero(patch & seed))
        if holds > held:
            best, held = patch, holds
        if held * 2 > np.count_nonzero(seed & room):
            break
        left &= ~patch
    return best


def _edge_strength(lab: np.ndarray) -> np.ndarray:
    """float32: how fast the colour changes, per px (Sobel over the three channels)."""
    values = lab.astype(np.float32)
    dx = cv2.Sobel(values, cv2.CV_32F, 1, 0, ksize=3) / 8
    dy = cv2.Sobel(values, cv2.CV_32F, 0, 1, ksize=3) / 8
    return np.asarray(np.sqrt((dx ** 2 + dy ** 2).sum(axis=2)))


def _on_edge(lowest: np.ndarray, span: np.ndarray, strength: np.ndarray, search: int) -> np.ndarray:
    """Per column of `span`, the row of the strongest edge within `search` px below the patch's lowest pixel
    (`lowest`): the patch stops short of the edge, and where a fold's shading stopped it a little higher still,
    its outline had a notch."""
    rows = np.round(lowest).astype(int)[:, None] + np.arange(search + 1)[None]
    rows = np.clip(rows, 0, strength.shape[0] - 1)
    column_strength = strength[rows, span[:, None]]
    found = column_strength.max(axis=1) > EDGE
    return np.where(found, rows[np.arange(len(span)), column_strength.argmax(axis=1)], lowest + EDGE_REACH_PX)


def _inside_and_front(lab: np.ndarray, garment: np.ndarray, patch: np.ndarray, span: np.ndarray,
                      lowest: np.ndarray, width: float) -> tuple[np.ndarray, np.ndarray] | None:
    """The median colours of the patch and of the front just below it; None where too little front is below it."""
    depth = max(2, round(FRONT_DEPTH * width))
    below = np.zeros_like(garment)
    for column, row in zip(span, np.round(lowest).astype(int), strict=True):
        below[row + 1 + round(EDGE_REACH_PX):row + 1 + round(EDGE_REACH_PX) + depth, column] = True
    below &= garment & ~patch
    if below.sum() < depth:
        return None
    return np.median(lab[patch].astype(np.float32), axis=0), np.median(lab[below].astype(np.float32), axis=0)


def _a_shade(inside: np.ndarray, front: np.ndarray) -> bool:
    """The inside's colour a shade of the front's: darker by CONTRAST at least, not by MIN_SHADE."""
    return bool(MIN_SHADE * front[0] <= inside[0] < front[0] and np.linalg.norm(inside - front) >= CONTRAST)


def _a_lining(inside: np.ndarray, front: np.ndarray) -> bool:
    """The inside's colour a dark lining's under a light front: darker by LINING_CONTRAST at least."""
    return bool(front[0] - inside[0] >= LINING_CONTRAST)


def front_over_inside(image: np.ndarray, alpha: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """`image` with each pixel of the inside back (`hidden`, from `seen_through_neck`) in the colour of the nearest
    pixel of the garment's front (`alpha` > 0.5 and not hidden): what later grows the garment back over a pixel
    of it (a shoulder draped up, a smoothed outline) draws the front, not the inside's dark."""
    if not hidden.any():
        return image
    ys, xs = np.nonzero(hidden)
    reach = 4 * FILL_CLEAR_PX
    top, left = max(int(ys.min()) - reach, 0), max(int(xs.min()) - reach, 0)
    box = np.s_[top:int(ys.max()) + reach + 1, left:int(xs.max()) + reach + 1]
    # Past the anti-aliasing of the neckline and of the outline: those pixels are half inside, half backdrop.
    clear = np.ones((2 * FILL_CLEAR_PX + 1,) * 2, np.uint8)
    front = ((cv2.erode((alpha[box] > 0.5).astype(np.uint8), clear) > 0)
             & (cv2.dilate(hidden[box].astype(np.uint8), clear) == 0))
    if not front.any():
        return image
    _, nearest = cv2.distanceTransformWithLabels((~front).astype(np.uint8), cv2.DIST_L2, 3,
                                                 labelType=cv2.DIST_LABEL_PIXEL)
    sources = np.zeros(int(nearest.max()) + 1, np.int64)
    flat = np.flatnonzero(front.ravel())
    sources[nearest.ravel()[flat]] = flat
    filled = image.copy()
    patch = filled[box]
    inside = hidden[box]
    patch[inside] = patch.reshape(-1, patch.shape[2])[sources[nearest[inside]]]
    return filled
