"""The shopper's legs under a garment: each leg's outline, row by row, from the pose and the legs the photo shows.

A shorter garment than the worn one bares the legs between the two hems; painted as one band from the pose
alone they read as a beige block. Below the old hem the person mask shows the legs themselves: their
width, where each one's middle is, and whether they part. Above it each leg goes on up its bone (hip, knee,
ankle) with a thigh's, knee's and calf's proportions, scaled to the widths seen; the thighs meet at the
crotch, and below it only as far as the visible legs stand together. Catalogue shoppers stand upright, so
a leg is a span of columns per row. Pure numpy/OpenCV: tested on synthetic images without any model.
"""

from __future__ import annotations

import cv2
import numpy as np

from fittingroom.common import landmarks as lm
from fittingroom.common.body import LEG_HEM, LEG_KNEE, LEG_SEEN, Pose, body_frame

# A leg's frontal width along its bone, in knee widths (adult anthropometry: a thigh below the crotch is about
# 1.45 knees wide, mid-thigh 1.3, the knee a waist between thigh and calf, the calf widest a third of the way down
# the shin and full to half way, where its muscle ends and the shin narrows fast to the ankle, 0.6), at bone positions
# t: 0 at the hip joint, 1 at the knee, 2 at the ankle. Tapered evenly from the knee down, a bared shin read as a
# cone, a tube with no calf. Above the hip joint (t < 0) the hip's outline rounds in towards the waist (HIP_RISE).
LEG_PROFILE_T = (-0.2, -0.1, 0.0, 0.2, 0.5, 0.8, 1.0, 1.15, 1.3, 1.5, 1.7, 1.85, 2.0)
LEG_PROFILE_WIDTH = (1.0, 1.4, 1.5, 1.45, 1.28, 1.12, 1.0, 1.06, 1.08, 0.98, 0.75, 0.62, 0.6)
# Of the hip-to-knee length: how far above its hip joint a leg starts, its outer edge the hip's, rounding in (the
# profile's t < 0). Started at the hip joint, a leg stood out of the torso's box by a step of a few pixels: below a
# mini ending above the hip joints (a long dress's shopper, full body) the rows between its hem and the hip joints
# showed the backdrop beside the torso, a round notch at each side of the bared hips.
HIP_RISE = 0.2
CROTCH = 0.2  # of the hip-to-knee length below the hip joints: where the thighs part, if they do
CROTCH_ROUND = 0.25  # ... and over how much more the gap's top opens (an arch, not a notch)
TOUCH = 0.2  # of a knee's width: legs shaped closer than this touch
KNEE_WIDTH = 0.6  # of the hip joints' distance: a knee's width when the photo shows no leg to measure
SHIN = 1.0  # of the hip-to-knee length: knee to ankle, where the pose cannot see the ankle
# Of the hip-to-knee length: how high the ankle joint stands above the sole. Trousers to the shoes hide the ankle
# and the foot's top below the pose's ankle point: a bared leg that stopped there left the backdrop between it and
# the shoe.
ANKLE_HEIGHT = 0.2
# Where the legs are measured: from a little below the old hem (its shadow and anti-aliased edge) down to this
# far along the shin (below it, shoes and ankles cross).
HEM_MARGIN = 0.04  # of the torso
MEASURE_TO = 1.8
# ... unless the old hem itself stops below MEASURE_TO (cropped trousers to the ankle): then the ankles between it and
# the shoes are all the photo shows of the legs, measured down to ANKLE_MEASURE_TO (half the ankle's height below its
# joint, above the foot's top). Left unmeasured, the bared shins took the hip joints' default widths: two tubes
# twice as wide as the slim ankles below them, joined to them by a step.
ANKLE_MEASURE_TO = 2.1
MIN_MEASURED_ROWS = 4
# A row whose run is this far off the median width has caught a hand, a bag or the shoes: not a leg.
WIDTH_OUTLIER = 0.35
# How far a leg's edge may be from its bone: the pose's bone may run off the leg's middle, and hip joints may be
# placed close together. Of the hip joints' distance, or of twice a knee's width, KNEE_REACH of the shoulder
# width, when that is larger.
REACH = (1.0, 2.0)
KNEE_REACH = 0.3
BLEND = 0.35  # of the hip-to-knee length: above the old hem, measured widths and offsets give way to the profile
# The shadow the old hem casts on the legs below it: rows whose middle third is darker than SHADOW_LIT of the leg's
# brightness HEM_SHADOW_DEPTH of the longer side below where it is first seen (the median of the MIN_MEASURED_ROWS
# rows from there), at most that deep. Taken as the leg's own light, it drew a dark seam at the old hem's level and
# was carried up the bared thigh.
HEM_SHADOW_DEPTH = 0.02
SHADOW_LIT = 0.97
EDGE_TRIM = 0.2  # of a leg's measured width: the most its edges move in to where the photo shows the leg


def _profile(t: np.ndarray) -> np.ndarray:
    return np.interp(t, LEG_PROFILE_T, LEG_PROFILE_WIDTH)


def _bone(pose: Pose, hip: np.ndarray, knee: int, ankle: int) -> tuple[np.ndarray, np.ndarray]:
    """(ys, xs) of a leg's joints, hip to ankle (the ankle placed below the knee when not seen)."""
    k = pose.point(knee)
    a = pose.point(ankle) if pose.sees(ankle) else k + SHIN * (k - hip)
    ys = np.array([hip[1], k[1], a[1]], np.float64)
    ys = np.maximum.accumulate(ys + np.arange(3) * 1e-3)  # upright legs: rows go down the bone
    return ys, np.array([hip[0], k[0], a[0]], np.float64)


def _along(ys: np.ndarray, bone_ys: np.ndarray) -> np.ndarray:
    """Bone position t of each row: 0 at the hip, 1 at the knee, 2 at the ankle, extrapolated beyond."""
    upper = (ys - bone_ys[0]) / max(bone_ys[1] - bone_ys[0], 1.0)
    lower = 1.0 + (ys - bone_ys[1]) / max(bone_ys[2] - bone_ys[1], 1.0)
    return np.where(ys < bone_ys[1], upper, lower)


def _runs_around(person: np.ndarray, rows: np.ndarray, xs: np.ndarray, reach: float) -> tuple[np.ndarray, ...]:
    """Per row, the person mask's run of columns around `xs` (the nearest person pixel within `reach`):
    (found, left, right), inclusive, clipped to `reach` either side."""
    width = person.shape[1]
    cols = np.arange(width)[None]
    lines = person[rows]
    near = np.abs(cols - xs[:, None]) <= reach
    candidates = lines & near
    found = candidates.any(axis=1)
    anchor = np.argmin(np.where(candidates, np.abs(cols - xs[:, None]), np.inf), axis=1)
    gap = ~lines | ~near
    left = np.where(gap & (cols < anchor[:, None]), cols, -1).max(axis=1) + 1
    right = np.where(gap & (cols > anchor[:, None]), cols, width).min(axis=1) - 1
    return found, left, right


class _Leg:
    """One leg's bone and its outline per row from the hip joint down: left and right edge columns."""

    def __init__(self, ys: np.ndarray, xs: np.ndarray, top: int, bottom: int):
        self.bone_ys = ys
        self.rows = np.arange(top, bottom + 1)
        self.t = _along(self.rows.astype(np.float64), ys)
        self.centre = np.interp(self.rows, ys, xs)
        self.left = self.centre.copy()
        self.right = self.centre.copy()
        self.midline = self.centre.copy()  # between the two legs' bones
        self.inward = 0.0  # +1 when the other leg is to the right (larger columns), -1 when to the left
        self.hem: int | None = None  # the index of the row the worn garment's hem edge starts on, if it covers this leg

    def pair(self, other: _Leg) -> None:
        self.midline = (self.centre + np.interp(self.rows, other.rows, other.centre)) / 2
        self.inward = 1.0 if float(np.mean(self.midline - self.centre)) > 0 else -1.0

    @property
    def thigh(self) -> float:
        return max(float(self.bone_ys[1] - self.bone_ys[0]), 1.0)


def _measure(leg: _Leg, person: np.ndarray, worn: np.ndarray, reach: float,
             margin: int) -> np.ndarray:
    """bool per row of `leg`: rows where the person mask shows the bare leg below the worn garment, with
    `leg.left`/`leg.right` set to its edges there (a run shared with the other leg split between them)."""
    height = person.shape[0]
    inside = (leg.rows >= 0) & (leg.rows < height)
    rows = np.clip(leg.rows, 0, height - 1)
    cols = np.arange(person.shape[1])[None]
    window = np.abs(cols - leg.centre[:, None]) <= reach
    covered = (worn[rows] & window).any(axis=1) & inside
    # The old hem: the first row below the garment's top that it leaves bare (not the last row of its colour: a
    # black dress's outline may take black shoes too).
    worn_rows = np.flatnonzero(covered)
    bare = np.flatnonzero(~covered[worn_rows[0]:]) + worn_rows[0] if len(worn_rows) else np.array([0])
    hem = int(bare[0]) if len(bare) else len(rows)
    # A slanting hem leaves the leg's own columns bare a few rows before the window's: the hem's edge starts higher.
    leg.hem = max(hem - margin, 0) if len(worn_rows) else None
    seen = np.zeros(len(rows), bool)
    seen[hem + margin:] = True
    below_hem = leg.t[min(hem + margin, len(rows) - 1)]
    seen &= inside & (leg.t <= (MEASURE_TO if below_hem < MEASURE_TO else ANKLE_MEASURE_TO))
    if not seen.any():
        return seen
    found, left, right = _runs_around(person, rows[seen], leg.centre[seen], reach)
    found &= ~covered[seen]
    # Legs standing together are one run: each keeps its side of the midline between the two bones.
    if leg.inward > 0:
        right = np.minimum(right, np.floor(leg.midline[seen]))
    else:
        left = np.maximum(left, np.ceil(leg.midline[seen]))
    widths = right - left + 1.0
    good = found & (widths > 0)
    if good.any():
        typical = float(np.median(widths[good] / _profile(leg.t[seen][good])))
        good &= np.abs(widths / (typical * _profile(leg.t[seen])) - 1.0) <= WIDTH_OUTLIER
    # Only rows joined to the hem count: a leg the mask loses (crossed ankles, the frame's edge) is not measured.
    first_bad = np.nonzero(~good)[0]
    if len(first_bad):
        good[first_bad[0]:] = False
    index = np.nonzero(seen)[0]
    seen[:] = False
    seen[index[good]] = True
    leg.left[index[good]], leg.right[index[good]] = left[good], right[good]
    return seen


def _middle_third(left: np.ndarray, right: np.ndarray, width: int) -> np.ndarray:
    """bool [rows, width]: per row, the middle third of a leg between its edges `left` and `right`."""
    third = (right - left) / 3
    cols = np.arange(width)[None]
    return np.asarray((cols >= (left + third)[:, None]) & (cols <= (right - third)[:, None]))


def _trim_to_photo(leg: _Leg, seen: np.ndarray, image: np.ndarray, person: np.ndarray) -> None:
    """On the `seen` rows, `leg`'s measured edges moved in past the pixels whose colour is nearer the backdrop's
    (the median off the `person` mask on those rows) than the leg's middle third's, by at most EDGE_TRIM of its
    width: between knees that nearly touch the person mask takes the backdrop's sliver as leg. Each edge then reaches
    out by the share of leg in the pixel beyond it (`_coverage`): the photo's outline falls within a pixel, and cut
    at whole pixels the bared leg above it came out a pixel narrower, a notch just above where the photo shows it."""
    index = np.flatnonzero(seen)
    if not len(index):
        return
    rows = leg.rows[index]
    lab = cv2.cvtColor(np.ascontiguousarray(image[rows]), cv2.COLOR_RGB2LAB).astype(np.float32)
    off = ~person[rows]
    if not off.any():
        return
    backdrop = np.median(lab[off], axis=0)
    cols = np.arange(image.shape[1])[None]
    left, right = leg.left[index], leg.right[index]
    middle = _middle_third(left, right, image.shape[1])
    inside = (cols >= left[:, None]) & (cols <= right[:, None])
    centre = np.stack([np.median(line[span], axis=0) for line, span in zip(lab, middle, strict=True)])
    near_backdrop = np.linalg.norm(lab - backdrop, axis=2) < np.linalg.norm(lab - centre[:, None], axis=2)
    leglike = inside & ~near_backdrop
    found = leglike.any(axis=1)
    most = np.floor(EDGE_TRIM * (right - left + 1))
    first = np.where(found, leglike.argmax(axis=1), left)
    last = np.where(found, image.shape[1] - 1 - leglike[:, ::-1].argmax(axis=1), right)
    trimmed_left = np.minimum(np.maximum(left, first), left + most)
    trimmed_right = np.maximum(np.minimum(right, last), right - most)
    share = _coverage(lab, backdrop, centre)
    lines = np.arange(len(index))
    outside_left = np.clip(trimmed_left - 1, 0, image.shape[1] - 1).astype(int)
    outside_right = np.clip(trimmed_right + 1, 0, image.shape[1] - 1).astype(int)
    leg.left[index] = trimmed_left - np.where(trimmed_left > 0, share[lines, outside_left], 0.0)
    leg.right[index] = trimmed_right + np.where(trimmed_right < image.shape[1] - 1, share[lines, outside_right], 0.0)


def _coverage(lab: np.ndarray, backdrop: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """float32 [rows, width] in [0, 1]: how much of each pixel of `lab` (Lab rows) is leg, by where its colour lies
    between the `backdrop`'s (0) and its row's leg `centre`'s (1): an outline's pixel is a blend of the two."""
    towards = centre[:, None] - backdrop
    along = np.sum((lab - backdrop) * towards, axis=2) / np.maximum(np.sum(towards**2, axis=2), 1e-3)
    return np.clip(along, 0.0, 1.0).astype(np.float32)


def _past_hem_shadow(leg: _Leg, seen: np.ndarray, image: np.ndarray, depth: int) -> np.ndarray:
    """bool per row of `leg`: its `seen` rows less the first ones in the old hem's shadow (by the brightness of the
    photo, `image`), at most `depth` rows of them; unchanged when fewer than MIN_MEASURED_ROWS rows below them show."""
    index = np.flatnonzero(seen)[:depth + MIN_MEASURED_ROWS]
    if len(index) < MIN_MEASURED_ROWS + depth:
        return seen
    middle = _middle_third(leg.left[index], leg.right[index], image.shape[1])
    rows = cv2.cvtColor(np.ascontiguousarray(image[leg.rows[index]]), cv2.COLOR_RGB2GRAY)
    brightness = np.array([np.median(row[span]) if span.any() else np.nan for row, span in zip(rows, middle,
                                                                                                strict=True)])
    lit = SHADOW_LIT * np.nanmedian(brightness[depth:depth + MIN_MEASURED_ROWS])
    shaded = np.cumprod(brightness[:depth] < lit).sum()  # the run of dark rows from the first seen
    out = seen.copy()
    out[index[:shaded]] = False
    return out


def _shape(leg: _Leg, seen: np.ndarray, knee_width: float) -> None:
    """Fill in `leg`'s edges on the rows not `seen`: the profile scaled to `knee_width`, its middle and width
    blending into the measured ones just above the old hem."""
    half = knee_width * _profile(leg.t) / 2
    centre = leg.centre.copy()
    left_shift = right_shift = np.zeros(len(leg.rows))
    if seen.any():
        first = int(np.nonzero(seen)[0][0])
        rows = slice(first, first + MIN_MEASURED_ROWS)
        # The leg's middle leans from the hip joint to where the mask shows it.
        lean = float(np.median((leg.left[rows] + leg.right[rows]) / 2 - leg.centre[rows]))
        hip = round(leg.bone_ys[0])
        centre += lean * np.clip((leg.rows - hip) / max(leg.rows[first] - hip, 1), 0.0, 1.0)
        # Each edge meets the mask's own on the first row seen, and gives way to the profile above it.
        fade = np.clip(1.0 - (leg.rows[first] - leg.rows) / (BLEND * leg.thigh), 0.0, 1.0)
        left_shift = (float(np.median(leg.left[rows])) - (centre[first] - half[first])) * fade
        right_shift = (float(np.median(leg.right[rows])) - (centre[first] + half[first])) * fade
    left, right = centre - half + left_shift, centre + half + right_shift
    # Above the crotch the thighs meet: the inner edge reaches the midline, and parts from it in an arch below.
    depth = np.clip((leg.t - CROTCH) / CROTCH_ROUND, 0.0, 1.0)
    join = (1.0 - depth) ** 2
    if leg.inward > 0:
        right = np.maximum(right, right + (leg.midline - right) * join)
    else:
        left = np.minimum(left, left + (leg.midline - left) * join)
    leg.left = np.where(seen, leg.left, left)
    leg.right = np.where(seen, leg.right, right)


def leg_shapes(pose: Pose, shape: tuple[int, int], person: np.ndarray | None = None,
               worn: np.ndarray | None = None, image: np.ndarray | None = None) -> np.ndarray:
    """uint8 (2, H, W): each leg from its hip (HIP_RISE above its hip joint, given `worn`) to its ankle, as wide as
    the photo shows it: LEG_SEEN where the photo shows it bare below the worn garment (its tone and light are the
    shopper's own there), LEG_HEM on the few rows between (the worn garment's hem: its edge and shadow), 1 elsewhere
    on it, 0 off it.

    Widths, and each leg's middle, come from the person mask (`person`) on the rows below the worn garment
    (`worn`) where the legs show; above them from the profile of a leg scaled to those widths (or to the hip
    joints' distance when no leg shows). Zero where the pose sees no hips and knees. With the photo (`image`, RGB),
    the measured edges stop where it shows the backdrop (`_trim_to_photo`), and the rows below the old hem in its
    shadow are LEG_HEM too (`_past_hem_shadow`).
    """
    legs = np.zeros((2, *shape), np.uint8)
    if not pose.sees(lm.LEFT_HIP, lm.RIGHT_HIP, lm.LEFT_KNEE, lm.RIGHT_KNEE):
        return legs
    frame = body_frame(pose)
    left_bone = _bone(pose, frame.left_hip, lm.LEFT_KNEE, lm.LEFT_ANKLE)
    right_bone = _bone(pose, frame.right_hip, lm.RIGHT_KNEE, lm.RIGHT_ANKLE)
    hips = float(np.linalg.norm(frame.left_hip - frame.right_hip))
    bottom = round(max(left_bone[0][2], right_bone[0][2]))
    if worn is not None:  # to the worn garment's bottom below the ankles, at most as far as the ankle is high
        thigh = float(np.mean([ys[1] - ys[0] for ys, _ in (left_bone, right_bone)]))
        worn_rows = np.flatnonzero((worn > 0).any(axis=1))
        if len(worn_rows):
            bottom = max(bottom, min(int(worn_rows[-1]), round(bottom + ANKLE_HEIGHT * thigh)))
    # The hips only where a garment over them is changed (`worn`): under a top's hem are the trousers' waist and the
    # torso's box, which the hips stepped out of at the waistband.
    rise = HIP_RISE if worn is not None else 0.0
    built = [_Leg(ys, xs, round(ys[0] - rise * (ys[1] - ys[0])), bottom) for ys, xs in (left_bone, right_bone)]
    first, second = built
    default_knee = KNEE_WIDTH * hips
    reach = max(REACH[0] * hips, REACH[1] * KNEE_REACH * frame.shoulder_width)
    margin = round(HEM_MARGIN * frame.torso)
    first.pair(second)
    second.pair(first)
    seen = [_measure(leg, person > 0.5, worn > 0, reach, margin) if person is not None and worn is not None
            else np.zeros(len(leg.rows), bool) for leg in built]
    if image is not None and person is not None:
        for leg, rows_seen in zip(built, seen, strict=True):
            _trim_to_photo(leg, rows_seen, image, person > 0.5)
    # Both legs take one knee width, from whichever shows (they are a pair; one may be hidden by a hand).
    ratios = np.concatenate([(leg.right - leg.left + 1.0)[s] / _profile(leg.t[s]) for leg, s in zip(built, seen,
                                                                                                     strict=True)])
    knee_width = float(np.median(ratios)) if len(ratios) >= MIN_MEASURED_ROWS else default_knee
    for leg, rows_seen in zip(built, seen, strict=True):
        _shape(leg, rows_seen if rows_seen.sum() >= MIN_MEASURED_ROWS else np.zeros_like(rows_seen), knee_width)
    _close_slivers(built, seen, TOUCH * knee_width)
    if image is not None:  # the shadow's rows keep their measured outline: only their light is the old hem's
        depth = round(HEM_SHADOW_DEPTH * max(shape))
        seen = [_past_hem_shadow(leg, rows_seen, image, depth) for leg, rows_seen in zip(built, seen, strict=True)]
    for index, (leg, rows_seen) in enumerate(zip(built, seen, strict=True)):
        _rasterise(legs[index], leg, rows_seen if rows_seen.sum() >= MIN_MEASURED_ROWS else None)
    return legs


def _close_slivers(legs: list[_Leg], seen: list[np.ndarray], narrowest: float) -> None:
    """On the rows a leg is shaped, its inner edge meets the other's where the backdrop between them would be a
    sliver narrower than `narrowest` (thighs that nearly touch touch; a hair-thin gap read as a line); a gap up to
    twice that narrows to none at `narrowest` (`_narrowed`). Closed at `narrowest` alone, thighs together that part
    towards the knees opened their gap at once, `narrowest` wide: a square notch of backdrop, the end of their shade
    a square step."""
    left_leg, right_leg = legs if legs[0].inward > 0 else legs[::-1]
    left_seen, right_seen = seen if legs[0].inward > 0 else seen[::-1]
    gap = np.interp(left_leg.rows, right_leg.rows, right_leg.left) - left_leg.right  # on the left leg's rows
    other_gap = right_leg.left - np.interp(right_leg.rows, left_leg.rows, left_leg.right)
    left_leg.right = np.where(~left_seen, left_leg.right + _narrowed(gap, narrowest), left_leg.right)
    right_leg.left = np.where(~right_seen, right_leg.left - _narrowed(other_gap, narrowest), right_leg.left)


def _narrowed(gap: np.ndarray, narrowest: float) -> np.ndarray:
    """How far each leg's inner edge moves towards the other across a `gap` between them: to meet it (and overlap by
    half a pixel) under `narrowest`, from there to twice it so that the gap left, 2 (gap - narrowest), opens from none
    to its own width; not at all where the legs overlap or stand farther apart."""
    closing = np.where(gap < narrowest, gap / 2 + 0.5, (2 * narrowest - gap) / 2)
    return np.where((gap > 0) & (gap < 2 * narrowest), closing, 0.0)


def _rasterise(mask: np.ndarray, leg: _Leg, seen: np.ndarray | None) -> None:
    """Draw `leg` into `mask`: LEG_SEEN on the rows where the photo shows it, LEG_HEM between them and the worn
    garment, LEG_KNEE on its knee's row when it is shaped there, 1 elsewhere."""
    height, width = mask.shape
    inside = (leg.rows >= 0) & (leg.rows < height)
    rows = leg.rows[inside]
    left = np.clip(np.round(leg.left[inside]), 0, width)
    right = np.clip(np.round(leg.right[inside]), -1, width - 1)
    cols = np.arange(width)[None]
    value = np.ones(len(leg.rows), np.int64)
    value[np.argmin(np.abs(leg.t - 1.0))] = LEG_KNEE
    if seen is not None:
        value[seen] = LEG_SEEN
        if leg.hem is not None:  # the old hem's anti-aliased edge and its shadow on the leg, above where it is seen
            value[leg.hem:int(np.flatnonzero(seen)[0])] = LEG_HEM
    value = value[inside]
    spans = (cols >= left[:, None]) & (cols <= right[:, None])
    mask[rows] = np.where(spans, value[:, None], mask[rows]).astype(np.uint8)
