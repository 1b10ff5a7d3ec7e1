"""What a shorter top bares of the shopper's lower garment: trousers or a skirt up to their waistband.

An untucked top hid the top of the trousers or skirt under it. When the new top ends above the old one's
hem, what shows between them is the midriff (skin, `dress.repaint_uncovered`) down to a waistband, and
the lower garment below it: repainted all as skin, it read as a brown block whose lower outline followed
the old shirt's hem over the trousers. Here the lower garment goes on up to a waistband line just above
the hip joints, in its own colour and texture (its band just below the old hem, mirrored upwards, so a
denim's weave and a print's pattern carry on and its light meets the visible part without a seam), with
the waistband's shade at its top edge; beside it is the backdrop. Its outline is a waistband round the body: the
top edge the front of the body's round, rounded at the ends, the sides easing from the waist out to the hips. Where
the photo shows the lower garment's own top (a high rise), only the old top's notches into it are repainted.
Catalogue shoppers stand upright: "up" is along the image's columns.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import pairwise

import cv2
import numpy as np

from fittingroom.common.body import HIP_BREADTH, BodyFrame, Pose, body_frame
from fittingroom.warp_gen.arms import Arms
from fittingroom.warp_gen.dress import fill_from

# Of the torso (shoulders to hips): how far above the hip joints a mid-rise waistband sits; the band below
# the old hem whose texture is mirrored upwards; the gap below the hem skipped first (the old hem's shadow).
WAISTBAND_RISE = 0.08
SAMPLE_BAND = 0.08
HEM_GAP = 0.01
# A column of the band counts as the lower garment when this share of it is on the person and neither skin
# nor either top.
LOWER_SHARE = 0.6
CROTCH_DROP = 0.2  # of the torso: how far below the hip joints trouser legs part
THIGH_REACH = 1.1  # of the hips' half breadth: a thigh's outer side (`bare_body`'s), inside the trousers
# Lab distance (OpenCV's 8-bit scale, as the worn-garment colours) between the median colours of a column's
# band and of the hips' middle within which it is the same lower garment: a denim's light and dark threads are
# 37 apart, a shaded hand held against them 56 to 76, a cream bag against black trousers 200.
LOWER_LIKE = 45.0
OLD_COLOUR = 20.0  # Lab distance from the old top's median colour within which a pixel may be its hem
# How far beside the hip centre (of the pelvis's half width) the lower garment is looked for: a wide trouser
# leg, not an arm hanging beside the hips.
LOWER_REACH = 1.6
# Of the torso: the widest run of columns between two found as the lower garment that is its print's (a cell of a
# bold print, a pinstripe: in a colour its middle's median is not), not something in front (a hand: 0.1 and more).
PRINT_GAP = 0.05
# The waistband: its top edge turns away from the light (this much darker, fading over WAISTBAND_EDGE of the
# torso), and its lower seam, WAISTBAND_HEIGHT below, is a faint line.
WAISTBAND_SHADE = 0.3
WAISTBAND_EDGE = 0.012
WAISTBAND_HEIGHT = 0.05
SEAM_SHADE = 0.12
# The waistband's top edge, seen from a catalogue camera at about chest height (some 6 degrees above the waist),
# is the front half of the body's cross-section, an ellipse about three quarters as deep as broad: its middle hangs
# below its sides by about 0.75 * sin(6 degrees) of its half breadth, and its ends turn down the body's sides as
# rounded corners. Drawn as a straight line, it read as a box's lid with square corners.
WAISTBAND_SAG = 0.08
# Of the torso: the widest notch of the uncovered part into the lower garment's top where the photo shows that top
# (a high-rise jeans' button or a tucked top's knot taken into the old top's mask: 20 px at 512, 0.1 of the torso):
# the waistband goes on across it; repainted as the midriff, it stood as a tab of skin in the waistband.
NOTCH_WIDTH = 0.15
# Of the torso: how far above the waistband line a lower garment's top may show (a high-rise jeans' at the natural
# waist: 0.3 of the torso above it); an uncovered part ending higher ends on the body, not on a lower garment's top.
HIGH_RISE = 0.35
EDGE_SIGMA = 0.8  # px: the anti-aliased outline of the repainted lower garment beside the backdrop
# Of the torso: how far above the top of a lower garment that shows below the bared midriff the body's sides come
# in from its breadth there to the torso's (the hips narrowing to the waist).
SIDE_RISE = 0.12
CROP_MARGIN = 4  # px
# An arm hanging beside a loose top is fitted as wide as the wider arm (`fit_arms`), and its inner side then
# reached under the top's side past what the photo shows of it; below a crop top's hem it met the bared waist
# within the repaint's rounding, and the two were painted one block out to the old shirt's outline (a sleeveless
# shirt over trousers: the forearm's inner side 13 px past its visible skin at 512 px, the waist 5 px further).
# Of the longer side: how far past the visible skin the arm's inner side stays (2 px at 512: the skin's
# anti-aliased edge the skin test leaves out); of the fitted arm's breadth in a row: less visible skin (a speck)
# tells nothing of where its inner side is.
ARM_SKIN_MARGIN = 0.004
ARM_SHOWN = 0.25


@dataclass(frozen=True)
class LowerGarment:
    """The shopper's lower garment where the old top hid it and the new one leaves it bare."""

    alpha: np.ndarray  # float32 HxW in [0, 1]: how much of each pixel it covers (anti-aliased outline)
    colour: np.ndarray  # float32 HxWx3: its colour there
    below_waistband: np.ndarray  # bool HxW: uncovered pixels on the hips below the waistband: never skin
    # True when the photo shows its top (the uncovered part ends on it, but for notches into it) across the hips' middle
    # or all along: the midriff above still meets that top as broad as it is (`body_above_lower`).
    top_shown: bool = False

    @property
    def mask(self) -> np.ndarray:
        """bool HxW: where it is painted at all."""
        return np.asarray(self.alpha > 0)


def waistband_rows(pose: Pose, width: int) -> np.ndarray:
    """float64 [width]: per column, the row of the waistband line: WAISTBAND_RISE of the torso above the line
    through the hip joints (a smooth line across the body, tilted with the hips)."""
    frame = body_frame(pose)
    (x0, y0), (x1, y1) = frame.right_hip, frame.left_hip
    slope = (y1 - y0) / (x1 - x0) if abs(x1 - x0) > 1e-6 else 0.0
    return np.asarray(y0 + slope * (np.arange(width) - x0) - WAISTBAND_RISE * frame.torso, np.float64)


def _hips_band(frame: BodyFrame) -> tuple[int, int, float, float]:
    """The rows skipped below an uncovered part's bottom and the band read there (HEM_GAP, SAMPLE_BAND of the
    torso), and the hips' middle column and half breadth (HIP_BREADTH of the hip joints' distance), in px."""
    length = frame.torso
    hip_half = HIP_BREADTH * float(np.linalg.norm(frame.left_hip - frame.right_hip)) / 2
    return (max(1, round(HEM_GAP * length)), max(2, round(SAMPLE_BAND * length)),
            float(frame.left_hip[0] + frame.right_hip[0]) / 2, hip_half)


def _lower_columns(lower: np.ndarray, bottom: np.ndarray, has: np.ndarray, gap: int, band: int) -> np.ndarray:
    """bool [W]: the columns whose band of `band` rows, `gap` below the uncovered part's `bottom`, is mostly
    `lower` (the lower garment, or whatever is on the person)."""
    height = lower.shape[0]
    rows = bottom[None] + 1 + gap + np.arange(band)[:, None]
    inside = rows < height
    seen = lower[np.minimum(rows, height - 1), np.arange(lower.shape[1])[None]] & inside
    return np.asarray(has & (seen.mean(axis=0) >= LOWER_SHARE))


def _like_the_middle(lab: np.ndarray, lower: np.ndarray, columns: np.ndarray, start: np.ndarray, band: int,
                     middle: np.ndarray) -> np.ndarray:
    """bool [W]: of the `columns`, those whose band (`band` rows from `start`) has about the colour (LOWER_LIKE
    in Lab, its median) of the `lower` garment's pixels in the `middle` of the hips: a bag or a hand held at
    the hip, neither skin (a shaded hand may not be) nor a top, is no lower garment to carry up."""
    rows = np.minimum(start[None] + np.arange(band)[:, None], lab.shape[0] - 1)
    medians = np.median(lab[rows, np.arange(lab.shape[1])[None]], axis=0)
    central = lower & middle[None]
    reference = np.median(lab[central] if central.sum() >= band else medians[columns], axis=0)
    return np.asarray(columns & (np.linalg.norm(medians - reference, axis=-1) <= LOWER_LIKE))


def _nearest(found: np.ndarray) -> np.ndarray:
    """int [W]: per column, the nearest column where `found` is true (`found` has at least one)."""
    where = np.flatnonzero(found)
    columns = np.arange(len(found))
    after = np.clip(np.searchsorted(where, columns), 0, len(where) - 1)
    before = np.clip(after - 1, 0, len(where) - 1)
    pick_before = np.abs(where[before] - columns) <= np.abs(where[after] - columns)
    return np.asarray(np.where(pick_before, where[before], where[after]))


def bared_lower_garment(person: np.ndarray, person_mask: np.ndarray, skin: np.ndarray, old: np.ndarray,
                        new: np.ndarray, uncovered: np.ndarray, torso: np.ndarray, pose: Pose) -> LowerGarment | None:
    """The lower garment that the `old` top hid and the `new` one leaves `uncovered` below its hem, from the
    waistband line down to where it shows below the old hem.

    Its columns are those where the band just below the uncovered part is the lower garment (on the person,
    not skin, not a top, in the colours of the hips' middle) and those between them that nothing stands in
    front of; above the hip joints it narrows with the body's `torso` (uint8 {0, 1}: `bare_torso`) to its
    waist. None when nothing of it is bared: the old hem above the waistband, no lower garment below the hem
    (bare legs, a half-body photo cut off above it), no hips seen.
    """
    frame = body_frame(pose)
    if not frame.hips_seen or not uncovered.any():
        return None
    height, width = uncovered.shape
    length = frame.torso
    gap, band, hip_centre, hip_half = _hips_band(frame)
    # Everything is worked out in the window the lower garment can be bared in (around the hips, from the
    # waistband or the uncovered part's bottom up to HIGH_RISE above it, to the band below the old hem), a few px
    # wider for the outline's blur: at 512 px a tenth of the photo, where the whole photo took 30 ms.
    reach = LOWER_REACH * hip_half
    x0 = max(0, int(hip_centre - reach) - CROP_MARGIN)
    x1 = min(width, int(np.ceil(hip_centre + reach)) + 1 + CROP_MARGIN)
    hole_columns = uncovered[:, x0:x1].astype(bool)
    waistband = waistband_rows(pose, width)
    bottom = height - 1 - np.argmax(hole_columns[::-1], axis=0)
    # A column whose uncovered part ends above the waistband bares none of the lower garment, but where it ends on
    # the lower garment's own top (a high rise) it may reach down into it in a notch.
    has = hole_columns.any(axis=0) & (bottom > waistband[x0:x1] - HIGH_RISE * length)
    if not has.any():
        return None
    y0 = max(0, int(np.floor(min(waistband[x0:x1].min(), bottom[has].min()))) - CROP_MARGIN)
    y1 = min(height, int(bottom[has].max()) + 1 + gap + band + CROP_MARGIN)
    window = (slice(y0, y1), slice(x0, x1))
    found = _bared(person[window], person_mask[window] > 0.5, skin[window] > 0, old[window].astype(bool),
                   new[window].astype(bool), hole_columns[y0:y1], torso[window] > 0, waistband[x0:x1] - y0,
                   _hem_rows(new[:, x0:x1].astype(bool)) - y0, hip_centre - x0, hip_half, length, (gap, band))
    if found is None:
        return None
    alpha, colour = np.zeros((height, width), np.float32), np.zeros((height, width, 3), np.float32)
    beside = np.zeros((height, width), bool)
    alpha[window], colour[window], beside[window], top_shown = found
    return LowerGarment(alpha=alpha, colour=colour, below_waistband=beside, top_shown=top_shown)


def _bared(person: np.ndarray, on_person: np.ndarray, skin: np.ndarray, old: np.ndarray, new: np.ndarray,
           hole: np.ndarray, torso: np.ndarray, waistband: np.ndarray, hem: np.ndarray, hip_centre: float,
           hip_half: float, length: float, sample: tuple[int, int]
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool] | None:
    """`bared_lower_garment`'s alpha, colour, hips below the waistband and whether its top is shown, in its window
    (all arguments are);
    `sample` is the gap below the old hem and the band's height, in rows."""
    height, width = hole.shape
    gap, band = sample
    has = np.asarray(hole.any(axis=0))
    bottom = height - 1 - np.argmax(hole[::-1], axis=0)
    # The lower garment is on the person, neither skin nor either top, nor in the old top's colour where its mask
    # stopped short of its hem (mirrored up, a strip of it would show as a second hem) unless it has that
    # colour too.
    lower = on_person & ~skin & ~old & ~new & ~hole
    lab = cv2.cvtColor(person, cv2.COLOR_RGB2LAB).astype(np.float32)
    old_colour = np.median(lab[old], axis=0) if old.any() else np.full(3, np.inf, np.float32)
    unlike_old = lower & (np.linalg.norm(lab - old_colour, axis=-1) > OLD_COLOUR)
    columns = _lower_columns(unlike_old, bottom, has, gap, band)
    if columns.any():
        lower = unlike_old
    else:
        columns = _lower_columns(lower, bottom, has, gap, band)
    xs, ys = np.arange(width), np.arange(height, dtype=np.float64)[:, None]
    columns &= np.abs(xs - hip_centre) <= LOWER_REACH * hip_half
    if columns.any():
        columns = _like_the_middle(lab, lower, columns, bottom + 1 + gap, band, np.abs(xs - hip_centre) <= hip_half / 2)
    if not columns.any():
        return None
    # Narrow runs between columns found are the print's own: dropped, each stood as a streak of the backdrop down the
    # repainted trousers (a red/black/white print's white cells, a leopard's dark spots in the old top's black).
    columns = _closed(columns, max(1, round(PRINT_GAP * length)))
    # The lower garment's top: where the uncovered part ends on it above the waistband line the photo shows it,
    # and it goes on across the uncovered part's narrow notches into it.
    shown = _shown_top(bottom, columns, waistband, max(1, round(NOTCH_WIDTH * length)))
    bared = columns & ~np.isfinite(shown)
    notch = hole & (ys > shown[None] - 0.5) & (ys > hem[None])
    # Across the hips: from the first to the last column found (a skirt is one piece; trouser legs meet at
    # the crotch), but for columns where something else on the person stands in front of it (a hand, whose
    # arm goes on up in front too, a bag: what the body says is there stays); below the crotch, only the
    # columns found, so a long old top's hem there leaves the backdrop between the legs.
    in_front = ~columns & _lower_columns(on_person, bottom, has & (bottom > waistband), gap, band)
    hips_line = waistband + WAISTBAND_RISE * length
    span = np.zeros(width, bool)
    edge = shown
    region = notch
    if bared.any():
        found, lower_found = np.flatnonzero(bared), np.flatnonzero(columns)
        span = (xs >= found[0]) & (xs <= found[-1]) & ~in_front
        inside, rounded = _tapered((found[0], found[-1]), (lower_found[0], lower_found[-1]), torso, xs, ys, waistband,
                                   hips_line)
        edge = np.where(np.isfinite(shown), shown, rounded)
        above_crotch = ys < hips_line[None] + CROTCH_DROP * length
        region = region | (hole & (ys > rounded[None] - 0.5) & (ys > hem[None]) & span[None]
                           & (above_crotch | bared[None]) & inside)
    if not region.any():
        return None
    below = hole & (ys > edge[None] - 0.5) & (ys > hem[None])
    # Each pixel takes the colour `rise` rows above its source column's band start, mirrored back into the
    # band (and back again, ping-pong, where the bared part is taller than the band).
    source = _nearest(columns)
    start = bottom[source] + 1 + gap
    rise = start[None] - 1 - ys.astype(np.int64)
    folded = np.mod(rise, 2 * band)
    folded = np.where(folded >= band, 2 * band - 1 - folded, folded)
    rows = np.clip(start[None] + folded, 0, height - 1)
    # What of the band is not the garment (a speck of skin, the backdrop between the legs) takes the garment's
    # colour around it.
    colour = fill_from(person, lower)[rows, source[None]]
    # The waistband: darker at its top edge, with a faint seam along its foot (where the photo shows its top, its own).
    depth = ys - edge[None]
    shade = 1.0 - WAISTBAND_SHADE * np.exp(-np.clip(depth, 0.0, None) / max(WAISTBAND_EDGE * length, 1.0))
    seam = 1.0 - SEAM_SHADE * np.exp(-((depth - WAISTBAND_HEIGHT * length) ** 2) / 2.0)
    colour *= np.where(np.isfinite(shown)[None], 1.0, shade * seam)[..., None].astype(np.float32)
    # Anti-aliased: its top edge at the waistband's sub-pixel row, its sides blurred a little (against the
    # backdrop, not where it meets its own visible part below).
    top = np.clip(depth + 0.5, 0.0, 1.0)
    sides = cv2.GaussianBlur((region | lower).astype(np.float32), (0, 0), EDGE_SIGMA)
    alpha = np.where(region, np.minimum(top, sides), 0.0).astype(np.float32)
    # Below the waistband the hips are in the lower garment, and beside it is the backdrop (or an arm): a thigh
    # wider than the trousers as they show is no skin.
    hips = span | ((np.abs(xs - hip_centre) <= THIGH_REACH * hip_half) & ~in_front) | notch.any(axis=0)
    middle = int(np.clip(round(hip_centre), 0, width - 1))
    return alpha, colour, below & hips[None], bool(not bared.any() or np.isfinite(shown[middle]))


def _closed(found: np.ndarray, gap: int) -> np.ndarray:
    """bool [W]: `found` with its runs of False up to `gap` long between two True columns made True."""
    where = np.flatnonzero(found)
    closed = found.copy()
    for start, end in pairwise(where):
        if 1 < end - start <= gap + 1:
            closed[start + 1:end] = True
    return closed


def _hem_rows(new: np.ndarray) -> np.ndarray:
    """int [W]: per column, the new top's lowest row, carried on sideways from the nearest column it reaches
    (-1 when it reaches none). Only below it is the lower garment bared: beside a narrower but long top (a tee
    for a loose tunic) the old top's sides are the arm and the backdrop, not trousers up to a waistband."""
    reached = np.asarray(new.any(axis=0))
    if not reached.any():
        return np.full(new.shape[1], -1)
    lowest = new.shape[0] - 1 - np.argmax(new[::-1], axis=0)
    return np.asarray(lowest[_nearest(reached)])


def _shown_top(bottom: np.ndarray, columns: np.ndarray, waistband: np.ndarray, notch: int) -> np.ndarray:
    """float [W]: per column of the lower garment (`columns`), its top row where the photo shows it: the uncovered
    part's `bottom` row, carried on across its notches down into the lower garment up to `notch` columns wide (its
    lowest rows opened: a sliding minimum, then maximum), where that lies above the `waistband` line; inf elsewhere
    (bared down to the waistband). Beyond the lower garment's columns the profile is bottomless: a notch has the
    shown top on both sides (a loose top's front edge hanging down one side of a skirt's shown top is no notch).
    """
    profile = np.where(columns, bottom, np.inf).astype(np.float32)[None]
    kernel = np.ones((1, 2 * (notch // 2) + 1), np.uint8)  # odd, centred: an even one shifts the opening sideways
    opened = cv2.dilate(cv2.erode(profile, kernel), kernel)[0]
    return np.asarray(np.where(columns & (opened <= waistband), opened + 1, np.inf), np.float64)


def _tapered(bared: tuple[int, int], lower: tuple[int, int], torso: np.ndarray, xs: np.ndarray, ys: np.ndarray,
             waistband: np.ndarray, hips_line: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lower garment's outline as a waistband round the body: bool (rows x columns of the box), its breadth, as
    it shows (from the `bared` part's first to last column) from the hip joints down, coming in above them to the
    body's (`torso`'s, in the box) at the waistband, where the bared midriff above meets it; and float [columns], its
    top edge's row: the waistband line curving down to the front between the waist's sides (WAISTBAND_SAG), or the
    `lower` garment's as a whole where the photo shows its top beside the bared part. The sides ease in and out
    (a cosine's half period, upright at the waist and at the hips), as the hips' outline: a straight slant stood out
    from the waist as a corner."""
    left, right = bared
    centre = (left + right) // 2
    waist_row = int(np.clip(round(float(waistband[centre]) - ys[0, 0]), 0, len(ys) - 1))
    body = xs[torso[waist_row] > 0]
    waist_left, waist_right = (max(left, int(body[0])), min(right, int(body[-1]))) if len(body) else (left, right)
    band_left, band_right = (max(lower[0], int(body[0])), min(lower[1], int(body[-1]))) if len(body) else lower
    half = (band_right - band_left + 1) / 2
    sag = WAISTBAND_SAG * half
    across = np.clip((xs - (band_left + band_right) / 2) / half, -1.0, 1.0)
    top = waistband - sag * (1 - np.sqrt(1 - across**2))
    corner = waistband[centre] - sag
    rise = np.clip((hips_line[centre] - ys) / max(hips_line[centre] - corner, 1.0), 0.0, 1.0)
    ease = (1 - np.cos(np.pi * rise)) / 2
    inside_left = xs[None] >= left + ease * (waist_left - left)
    return np.asarray(inside_left & (xs[None] <= right + ease * (waist_right - right))), np.asarray(top)


def body_above_lower(person_colours: np.ndarray, hole: np.ndarray, on_person: np.ndarray, skin: np.ndarray,
                     tops: np.ndarray, torso: np.ndarray, pose: Pose) -> np.ndarray:
    """bool HxW: the body in the bared `hole` just above the lower garment it ends on (what is on the person
    below it, neither `skin` nor either of the `tops`, in the colours of its middle, in the photo `person_colours`):
    as broad as that garment's top across the hips' middle, coming in to the `torso`'s breadth (`bare_torso`)
    SIDE_RISE of the torso higher.

    The torso is drawn in an adult's proportions; a broader shopper's waist reaches past it, and the midriff a
    crop top bared met the trousers' top as a narrower band with a corner of backdrop at each end.
    """
    out = np.zeros(hole.shape, bool)
    frame = body_frame(pose)
    if not frame.hips_seen or not hole.any():
        return out
    height, width = hole.shape
    length = frame.torso
    gap, band, hip_centre, hip_half = _hips_band(frame)
    has = np.asarray(hole.any(axis=0))
    bottom = height - 1 - np.argmax(hole[::-1], axis=0)
    lower = on_person & ~skin & ~tops & ~hole
    columns = _lower_columns(lower, bottom, has, gap, band)
    xs = np.arange(width)
    columns &= np.abs(xs - hip_centre) <= LOWER_REACH * hip_half
    if not columns.any():
        return out
    # In the lower garment's colours: a bag held against the hip is none.
    lab = cv2.cvtColor(np.ascontiguousarray(person_colours), cv2.COLOR_RGB2LAB).astype(np.float32)
    columns = _like_the_middle(lab, lower, columns, bottom + 1 + gap, band, np.abs(xs - hip_centre) <= hip_half / 2)
    if not columns.any():
        return out
    left, right = int(np.flatnonzero(columns)[0]), int(np.flatnonzero(columns)[-1])
    rise = SIDE_RISE * length
    corners = []
    for x, outward in ((left, -1), (right, 1)):
        top = float(bottom[x])
        row = int(np.clip(round(top - rise), 0, height - 1))
        body = np.flatnonzero(torso[row] > 0)
        if not len(body):
            return out
        side = float(body[-1] if outward > 0 else body[0])
        # Never narrower than the torso: where it is broader than the lower garment's top, nothing is added.
        side = max(side, x) if outward > 0 else min(side, x)
        corners.append(((x + 0.5 * outward, top + 0.5), (side, top - rise)))
    (left_foot, left_head), (right_foot, right_head) = corners
    outline = np.round(np.array([left_foot, left_head, right_head, right_foot]) * 16).astype(np.int32)
    canvas = np.zeros(hole.shape, np.uint8)
    cv2.fillPoly(canvas, [outline], 1, lineType=cv2.LINE_8, shift=4)
    return np.asarray((canvas > 0) & hole)


def arms_beside_midriff(arms: Arms, skin: np.ndarray, worn: np.ndarray, new: np.ndarray,
                        torso: np.ndarray) -> np.ndarray:
    """bool HxW: what of the fitted `arms` below the `new` top's hem (`_hem_rows`) lies on the old garment (`worn`),
    off the `torso` (`bare_torso`), between an arm's visible `skin` in that row and the body: the backdrop between
    the arm and the waist, where the loose old top hung. Rows where an arm shows too little skin (ARM_SHOWN of its
    breadth: sleeved, or behind the old top) keep it as fitted."""
    height, width = skin.shape
    hidden = np.zeros((height, width), bool)
    seen_skin = skin > 0
    margin = max(1, round(ARM_SKIN_MARGIN * max(height, width)))
    xs = np.arange(width)[None]
    for arm in arms.arms:
        mask = replace(arms, arms=(arm,)).mask(shoulders=False)
        seen = mask & seen_skin
        shown = seen.sum(axis=1)
        rows = (shown > 0) & (shown >= ARM_SHOWN * mask.sum(axis=1))
        if arm.outward[0] > 0:  # the body lies towards the smaller columns, left of the arm's visible skin
            inner = xs < np.argmax(seen, axis=1)[:, None] - margin
        else:
            inner = xs > (width - 1 - np.argmax(seen[:, ::-1], axis=1))[:, None] + margin
        hidden |= mask & inner & rows[:, None]
    below = np.arange(height)[:, None] > _hem_rows(new.astype(bool))[None]
    return np.asarray(hidden & below & (worn > 0) & ~seen_skin & (torso == 0))


def dress_lower_garment(image: np.ndarray, lower: LowerGarment | None) -> np.ndarray:
    """`image` with the bared lower garment painted over it; pixels it does not cover are unchanged."""
    if lower is None:
        return image
    painted = lower.mask
    alpha = lower.alpha[painted][:, None]
    out = image.copy()
    blended = lower.colour[painted] * alpha + image[painted].astype(np.float32) * (1 - alpha)
    out[painted] = np.clip(np.round(blended), 0, 255).astype(np.uint8)
    return out
