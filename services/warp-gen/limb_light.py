"""Light on bared limbs: a cylinder's profile across an arm or a leg, and legs painted from the legs the photo shows.

A shorter garment bares the legs between its hem and the old one's. Painted in the torso's or the chest's
tone and light they read as a flat block; the shopper's own legs below the old hem show their tone and their
light across their width (which side is lit, a shin's highlight) and their skin's grain, and each bared leg
takes its own out to its outline, a knee where it bares one, and the shadow the new hem casts on it.
"""

from __future__ import annotations

import zlib

import cv2
import numpy as np

from fittingroom.common.body import LEG_KNEE, LEG_SEEN

MIN_LEG_PIXELS = 50
# A visible leg's colour is read across its width in ACROSS_BINS bins, out to LEG_READ of its half width (its
# outermost pixel is the photo's blend with the backdrop); a bared leg takes them out to its outline. The photo's own
# light at a leg's sides, not a cylinder's: under a studio's side light the lit side is brightest at its outline
# (turned towards the lamp), and a cylinder's rim laid over it drew a dark edge the visible leg below does not have.
ACROSS_BINS = 10
LEG_READ = 0.9
HEM_SHADOW = 0.015  # of the longer side: the shadow the new hem casts on the legs below it, and how dark
HEM_SHADE = 0.25
LEG_ONSET = 0.1  # of a leg's length: below its hip joint it turns from the hips' light to its own
FEET_REACH = 1.0  # of a leg's width at its bottom: how far beside it the feet below are looked for
# Thighs shaped to touch (knees together, a fitted dress's outline) turn away from the light where they meet, and each
# shades the other: up to TOUCH_SHADE darker on their meeting line, fading into each leg over TOUCH_WIDTH of its width
# at that row (a Gaussian's spread: a tenth of the shade left at half its width), and over the gap between them where
# they part. Painted with their sides' light only they read as one pale block from the hem to the knees. Catalogue
# thighs together show that shade over a third of their width or more; a fixed 3 px (at 512) left a mini's bared
# thighs one pale block split by a thin dark line, however wide they were.
TOUCH_SHADE = 0.22
TOUCH_WIDTH = 0.33
# Of the longer side (10 px at 512, about half a thigh's width on a full-length catalogue photo): the gap between
# parted legs over which that shade fades; thighs a few pixels apart still face and shade each other.
TOUCH_APART = 0.02
# Where a bared leg meets the visible one: that leg's colours across its top rows (JOIN_ROWS at least, more until
# MIN_LEG_PIXELS show: a thin leg's three rows may hold fewer) carry up into the repaint, fading over JOIN_FADE of
# the longer side.
JOIN_ROWS = 3
JOIN_FADE = 0.03
ROW_SMOOTH = 3.0  # px: how far down a leg its outline's pixel steps are smoothed for its light
# A bared knee under a studio's light from above and in front: the kneecap (KNEE_WIDE of the knee's half width across,
# KNEE_TALL of it up and down, about the knee's row) faces up at its top, lit by up to KNEE_LIT, and its rim beneath
# and beside it turns down and in, shaded by up to KNEE_SHADE over KNEE_SOFT of its size. A bared knee painted with
# the shin's light down its length read as a tube.
KNEE_WIDE = 0.45
KNEE_TALL = 0.5
KNEE_LIT = 0.04
KNEE_SHADE = 0.1
KNEE_RIM = 1.1
KNEE_SOFT = 0.4
# A bared leg's grain: the visible leg's brightness over its blur over GRAIN_BLUR of the longer side (pores, fine
# hair, not its light), within GRAIN_RANGE.
GRAIN_BLUR = 0.004
GRAIN_RANGE = (0.92, 1.08)
GRAIN_SMOOTH = 0.6  # px
GRAIN_QUANTILES = (0.1, 0.9)
GRAIN_INNER = 0.7  # of a leg's half width: the grain is read on its middle (towards its outline its light slopes)

# A limb's side against its middle under the studio's light, read on the visible skin of the shopper's arms (cells of
# their place across them, `Arms.across`: 0 along their lit line, 1 at their outline): the median brightness of the
# cells SIDE_PLACES of the way out over that of those within MIDDLE_PLACE of the lit line, each from MIN_SIDE_CELLS
# cells at least, within SIDE_RANGE (the development shoppers' arms, under a tee or a shirt: 0.73, 0.82, 0.85, 0.93;
# 1.03 from the fewest cells, clipped; one shows too little).
SIDE_PLACES = (0.7, 0.95)
MIDDLE_PLACE = 0.3
SIDE_RANGE = (0.7, 0.95)
MIN_SIDE_CELLS = 12
# A bared leg's outline against its middle when no leg shows (`limb_profile`): the arms' side light (`side_light`), no
# brighter than a leg's. The development shoppers' visible legs (thighs below shorts and a mini skirt, shins below a
# knee-length dress), measured as `side_light` measures arms: 0.81, 0.88, 0.90, 0.90 at their sides, which the
# profile (ARM_FALLOFF) draws with an outline 0.75 to 0.87 of its middle. Arms read up to 0.95 (thin: their cells half
# backdrop are left out, so their sides are read nearer their middle); lit so, a trousers shopper's bared shins were
# flat tubes, 4 % darker at their outline than along their middle.
LEG_RIM = (0.75, 0.87)

_CENTRES = np.linspace(-LEG_READ, LEG_READ, 2 * ACROSS_BINS + 1)[1::2]


def side_light(luma: np.ndarray, seen: np.ndarray, across: np.ndarray) -> float | None:
    """How bright the sides of the shopper's limbs are against their middle: the `seen` cells' median `luma` at
    SIDE_PLACES of their place `across` their limb over the median within MIDDLE_PLACE of its lit line, within
    SIDE_RANGE; None when too few cells show either. The same light turns a torso's sides away from the camera."""
    side = seen & (across >= SIDE_PLACES[0]) & (across <= SIDE_PLACES[1])
    middle = seen & (across <= MIDDLE_PLACE)
    if side.sum() < MIN_SIDE_CELLS or middle.sum() < MIN_SIDE_CELLS:
        return None
    return float(np.clip(np.median(luma[side]) / max(float(np.median(luma[middle])), 1.0), *SIDE_RANGE))


def cylinder_light(across: np.ndarray, ridge: float, shade: float, falloff: float | None = None) -> np.ndarray:
    """float: a limb lit from the front, `ridge` along its bone (`across` 0) falling to `shade` at its outline
    (`across` 1 or more): as a circle's profile, or with a `falloff` exponent as 1 - across**falloff (a studio's
    broad soft light falls off a real arm from its bone on: a circle's profile stays flat over its middle half)."""
    within = np.clip(across, 0.0, 1.0)
    facing = np.sqrt(np.clip(1.0 - within**2, 0.0, 1.0)) if falloff is None else 1.0 - within**falloff
    return np.asarray(shade + (ridge - shade) * facing)


def _middle(leg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """float32 per row: the middle column of `leg` and its half width (0.5 on rows it does not reach).

    The outline steps a pixel at a time: its middle and width, smoothed down the leg, do not (a ridge that
    jumps from row to row draws streaks across the leg).
    """
    width = leg.shape[1]
    inside = leg > 0
    found = np.flatnonzero(inside.any(axis=1))
    left = inside.argmax(axis=1).astype(np.float32)
    right = (width - 1 - inside[:, ::-1].argmax(axis=1)).astype(np.float32)
    if len(found):
        for edge in (left, right):
            edge[found[0]:found[-1] + 1] = cv2.GaussianBlur(edge[found[0]:found[-1] + 1, None], (1, 0), ROW_SMOOTH,
                                                            borderType=cv2.BORDER_REPLICATE)[:, 0]
    return (left + right) / 2, np.maximum((right - left + 1) / 2, 0.5)


def _across(leg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """float32 HxW: where across `leg` each of its pixels is (-1 its left outline, 0 its middle, 1 its right;
    inf off it), row by row; and float32 HxW: how far down the leg (0 at its top row, 1 at its bottom)."""
    height, width = leg.shape
    inside = leg > 0
    rows = inside.any(axis=1)
    across = np.full((height, width), np.inf, np.float32)
    down = np.zeros((height, width), np.float32)
    if not rows.any():
        return across, down
    found = np.nonzero(rows)[0]
    centre, half = _middle(leg)
    cols = np.arange(width, dtype=np.float32)[None]
    signed = (cols - centre[:, None]) / half[:, None]
    across[inside] = signed[inside]
    down[:] = np.clip((np.arange(height) - found[0]) / max(found[-1] - found[0], 1), 0.0, 1.0)[:, None]
    return across, down


def _colours_across(person: np.ndarray, seen: np.ndarray, across: np.ndarray) -> np.ndarray | None:
    """float32 (ACROSS_BINS, 3): the median colour of the `seen` pixels in each bin of a leg's width out to LEG_READ
    (bins with none take their neighbours'); None when fewer than half the bins, or MIN_LEG_PIXELS pixels, are seen."""
    seen = seen & (np.abs(across) <= LEG_READ)
    if seen.sum() < MIN_LEG_PIXELS:
        return None
    colours, where = person[seen].astype(np.float32), across[seen]
    bins = np.clip(((where / LEG_READ + 1.0) / 2.0 * ACROSS_BINS).astype(int), 0, ACROSS_BINS - 1)
    filled = np.array([(bins == b).any() for b in range(ACROSS_BINS)])
    if filled.sum() < ACROSS_BINS / 2:
        return None
    medians = np.array([np.median(colours[bins == b], axis=0) if filled[b] else np.zeros(3)
                        for b in range(ACROSS_BINS)])
    return np.stack([np.interp(_CENTRES, _CENTRES[filled], medians[filled, c]) for c in range(3)], axis=1)


def _paint_across(colours: np.ndarray, across: np.ndarray) -> np.ndarray:
    """float32 Nx3: a leg's colour at each of `across` (N positions): its colours across its width, the outermost
    bins' out to the outline."""
    return np.stack([np.interp(across, _CENTRES, colours[:, c]) for c in range(3)], axis=1).astype(np.float32)


def _top_rows(seen: np.ndarray, top: int) -> np.ndarray:
    """bool HxW: the `seen` pixels on its rows from `top` down, JOIN_ROWS rows at least and more until MIN_LEG_PIXELS
    of them show (or its rows run out)."""
    counts = np.cumsum(seen[top:].sum(axis=1))
    rows = max(JOIN_ROWS, int(np.searchsorted(counts, MIN_LEG_PIXELS)) + 1)
    band = np.zeros_like(seen)
    band[top:top + rows] = seen[top:top + rows]
    return band


def knee_light(leg: np.ndarray, ys: np.ndarray, across: np.ndarray) -> np.ndarray:
    """float32 N: the light on a bared knee at rows `ys`, `across` its leg (`_across`), of the leg whose mask is `leg`
    (LEG_KNEE on its knee's row): 1 off the knee, or where the mask marks none (the photo shows the knee as it is)."""
    rows = np.flatnonzero((leg == LEG_KNEE).any(axis=1))
    if not len(rows):
        return np.ones(len(ys), np.float32)
    _, half = _middle(leg > 0)
    down = (ys - rows[0]) / (KNEE_TALL * float(half[rows[0]]))
    cap = np.sqrt((across / KNEE_WIDE) ** 2 + down**2)
    lit = KNEE_LIT * np.exp(-(cap / KNEE_RIM) ** 2) * np.clip(0.5 - down, 0.0, 1.0)
    rim = KNEE_SHADE * np.exp(-(((cap - KNEE_RIM) / KNEE_SOFT) ** 2)) * np.clip(down + 0.3, 0.0, 1.0)
    return np.asarray(1.0 + lit - rim, np.float32)


def grain_blur(side: int) -> float:
    """px: the blur that the skin's grain is read over (`skin_grain`) in a photo whose longer side is `side`."""
    return max(GRAIN_BLUR * side, 0.7)


def skin_grain(person: np.ndarray, seen: np.ndarray, side: int | None = None) -> np.ndarray:
    """float32 HxW: the skin's fine grain where `seen` (its brightness over its own blur over GRAIN_BLUR of the
    longer `side` of the photo, `person`'s own unless it is a part of it), 1 elsewhere."""
    luma = cv2.cvtColor(person, cv2.COLOR_RGB2GRAY).astype(np.float32)
    weight = seen.astype(np.float32)
    sigma = grain_blur(side if side is not None else max(person.shape[:2]))
    smooth = cv2.GaussianBlur(luma * weight, (0, 0), sigma) / np.maximum(cv2.GaussianBlur(weight, (0, 0), sigma), 1e-3)
    return np.where(seen, np.clip(luma / np.maximum(smooth, 1.0), *GRAIN_RANGE), 1.0).astype(np.float32)


def _grain_for(grain: np.ndarray, seen: np.ndarray, across: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """float32 N: grain for the bared pixels at (`ys`, `xs`): each the grain of a pixel of the visible leg's
    middle (`seen`, within GRAIN_INNER of `across`) picked at random, smoothed over GRAIN_SMOOTH px as the skin's
    own is. Mirrored or tiled rows drew stripes."""
    pool = grain[seen & (np.abs(across) <= GRAIN_INNER)]
    if len(pool) == 0:
        return np.ones(len(ys), np.float32)
    # Its pores and creases are rarer than its grain: picked at random they would read as specks.
    pool = np.clip(pool, *np.quantile(pool, GRAIN_QUANTILES))
    # Seeded from the photo: the same inputs give the same image.
    picked = pool[np.random.default_rng(zlib.crc32(pool.tobytes())).integers(len(pool), size=len(ys))]
    field = np.ones(grain.shape, np.float32)
    field[ys, xs] = picked
    return np.asarray(cv2.GaussianBlur(field, (0, 0), GRAIN_SMOOTH)[ys, xs], np.float32)


def below_legs(skin: np.ndarray, legs: np.ndarray) -> np.ndarray:
    """bool HxW: the visible `skin` below each leg's mask (`legs`, (2, H, W)), within FEET_REACH of its bottom row's
    span either side: the ankles and feet the old garment left bare, the legs' own skin."""
    feet = np.zeros(skin.shape, bool)
    for leg in legs > 0:
        rows = np.flatnonzero(leg.any(axis=1))
        if not len(rows):
            continue
        cols = np.flatnonzero(leg[rows[-1]])
        reach = round(FEET_REACH * (cols[-1] - cols[0] + 1))
        feet[rows[-1] + 1:, max(cols[0] - reach, 0):cols[-1] + reach + 1] = True
    return feet & skin.astype(bool)


def limb_profile(tone: np.ndarray, rim_light: float, falloff: float) -> np.ndarray:
    """float32 (ACROSS_BINS, 3): a leg's colours across its width (`leg_skin`'s bins) modelled, not read: lit as a
    cylinder (`cylinder_light`: `rim_light` of its middle at the outline, within LEG_RIM, its `falloff`), `tone` (RGB,
    the visible skin's median) on average across it. Its middle is brighter than the median: the visible skin's median
    is its light and its shade together."""
    light = cylinder_light(np.abs(_CENTRES), 1.0, float(np.clip(rim_light, *LEG_RIM)), falloff)
    return np.asarray(tone[None] * (light / light.mean())[:, None], np.float32)


def _around(mask: np.ndarray, margin: int) -> tuple[slice, slice]:
    """The rows and columns of `mask`'s pixels, `margin` px more each way (within the image): the legs' distances are
    worked out there, not over the whole photo (a distance transform of the whole is a millisecond each)."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return (slice(max(int(rows[0]) - margin, 0), int(rows[-1]) + margin + 1),
            slice(max(int(cols[0]) - margin, 0), int(cols[-1]) + margin + 1))


def _near_touch(owner: np.ndarray, spread: list[np.ndarray], apart: float) -> np.ndarray:
    """float32 HxW in [0, 1]: how near each leg's pixel is to the other leg (`owner`: which leg each pixel is, -1 off
    them): 1 on its side towards the other where they touch, falling off as a Gaussian over `spread` px (each leg's,
    per row) into it and over `apart` px of the gap between them; 0 off the legs. Shaded only on their meeting line,
    thighs together that part above the knees ended their shade in a square step where the backdrop began to show
    between them: a dark strip down the middle of a mini's bared thighs."""
    near = np.zeros(owner.shape, np.float32)
    if not ((owner == 0).any() and (owner == 1).any()):
        return near
    box = _around(owner >= 0, 1)
    whose = owner[box]
    for index in (0, 1):
        mine = whose == index
        depth = cv2.distanceTransform(mine.astype(np.uint8), cv2.DIST_L2, 3)  # 1 on its outline
        to_other = cv2.distanceTransform((whose != 1 - index).astype(np.uint8), cv2.DIST_L2, 3)
        gap = np.maximum(to_other - depth, 0.0)[mine]  # 0 where they touch
        reach = np.maximum(spread[index][np.nonzero(mine)[0] + box[0].start], 1.0)
        near[box][mine] = np.exp(-(((depth[mine] - 1.0) / reach) ** 2) - (gap / max(apart, 1.0)) ** 2)
    return near


def _fill_between(owner: np.ndarray, across: np.ndarray, down: np.ndarray, to_skin: np.ndarray, legs: np.ndarray,
                  reach: float) -> None:
    """In place: the bared skin between the two legs that neither's outline holds (`owner` -1; the narrow top of the
    gap where they part, closed when the bared outline is rounded off, within `reach` px of both together) given to
    the nearer leg, at its outline (`across` +-1, its `down`). Painted with the torso's light, that wedge was a pale
    tongue between the legs' shaded inner sides."""
    if len(legs) != 2 or not ((owner == 0).any() and (owner == 1).any()):
        return
    box = _around(owner >= 0, 1)
    away = [cv2.distanceTransform((owner[box] != index).astype(np.uint8), cv2.DIST_L2, 3) for index in (0, 1)]
    between = to_skin[box] & (owner[box] < 0) & (away[0] + away[1] <= reach)
    if not between.any():
        return
    ys, xs = np.nonzero(between)
    away = [distance[ys, xs] for distance in away]
    ys, xs = ys + box[0].start, xs + box[1].start
    nearer = (away[1] < away[0]).astype(int)
    for index in (0, 1):
        centre, _ = _middle(legs[index] > 0)
        mine = nearer == index
        rows = np.flatnonzero((legs[index] > 0).any(axis=1))
        owner[ys[mine], xs[mine]] = index
        across[ys[mine], xs[mine]] = np.sign(xs[mine] - centre[ys[mine]])
        down[ys[mine], xs[mine]] = np.clip((ys[mine] - rows[0]) / max(rows[-1] - rows[0], 1), 0.0, 1.0)


def leg_skin(painted: np.ndarray, person: np.ndarray, to_skin: np.ndarray, legs: np.ndarray,
             cover: np.ndarray, unseen: np.ndarray, unseen_skin: np.ndarray | None = None) -> np.ndarray:
    """float32 HxWx3: `painted` skin with the bared legs repainted (`legs`: each leg's mask, (2, H, W), LEG_SEEN
    where the photo shows it bare).

    Each leg takes the colours across its width that it shows below the old hem, out to its outline (the other
    leg's, mirrored, when it shows none) and its skin's grain, a kneecap's light where it is shaped over its knee
    (LEG_KNEE, `knee_light`), shaded under the new garment's (`cover`) hem and where the two touch; just above where
    the photo shows it, the colours of its top visible rows and neither the knee's light nor the shadows, so it goes on
    without a seam.
    Where the photo shows neither leg (shorts over trousers that reached the shoes) each takes the `unseen` colours
    across it (`limb_profile`, from the shopper's skin and arms): the body's paint left them two flat cut-outs, paler
    than the arms (the old trousers' light). A leg the photo does not show bare takes the grain of the other's skin,
    or, where neither shows, of the `unseen_skin` (the skin its tone was read on: feet, else arms and neck): without
    it a bared leg was smooth plastic beside the shopper's own skin. Unchanged off the legs.
    """
    height, width = person.shape[:2]
    side = max(height, width)
    spans = [_across(leg > 0) for leg in legs]
    across = np.full((height, width), np.inf, np.float32)
    down = np.zeros((height, width), np.float32)
    owner = np.full((height, width), -1)
    for index, (leg_across, leg_down) in enumerate(spans):  # where the legs overlap, the one nearer its middle
        nearer = np.abs(leg_across) < np.abs(across)
        across[nearer], down[nearer], owner[nearer] = leg_across[nearer], leg_down[nearer], index
    _fill_between(owner, across, down, to_skin, legs, TOUCH_APART * side)
    seen = (legs == LEG_SEEN) & ~to_skin[None]
    found = [_colours_across(person, leg_seen, leg_across) for leg_seen, (leg_across, _) in zip(seen, spans,
                                                                                                 strict=True)]
    bared = to_skin & (owner >= 0)
    if not bared.any():
        return painted
    shown = [p for p in found if p is not None]
    # A pair: a leg the photo does not show bare takes the other's light, mirrored (the studio lights both).
    profiles = [p if p is not None else shown[0][::-1] for p in found] if shown else [unseen] * len(legs)
    ys, xs = np.nonzero(bared)
    whose, where = owner[ys, xs], across[ys, xs]
    leg_paint = np.zeros((len(ys), 3), np.float32)
    grain_seen = seen.any(axis=0)
    if not grain_seen.any() and unseen_skin is not None:
        grain_seen = unseen_skin.astype(bool)
    grain = skin_grain(person, grain_seen)
    above_join = np.full(len(ys), np.inf, np.float32)  # rows up from where the photo shows the pixel's leg
    for index, (colours, leg_seen) in enumerate(zip(profiles, seen, strict=True)):
        mine = whose == index
        leg_paint[mine] = _paint_across(colours, where[mine])
        seen_rows = np.flatnonzero(leg_seen.any(axis=1))
        if len(seen_rows) == 0:
            # No own skin to read: the other leg's grain (read on its middle), else all of `unseen_skin`'s.
            other = [spans[k][0] for k in range(len(legs)) if k != index and seen[k].any()]
            pool_across = other[0] if other else np.zeros_like(across)
            leg_paint[mine] *= _grain_for(grain, grain_seen, pool_across, ys[mine], xs[mine])[:, None]
            continue
        # Just above where the leg shows, its top rows' own colours: the difference fades up the leg.
        top = int(seen_rows[0])
        above_join[mine] = np.maximum(top - ys[mine], 0)
        readable = leg_seen & (np.abs(spans[index][0]) <= LEG_READ)
        joined = _colours_across(person, _top_rows(readable, top), spans[index][0])
        if joined is None:
            joined = colours
        residual = _paint_across(joined, where[mine]) - _paint_across(colours, where[mine])
        fade = np.exp(-np.maximum(top - ys[mine], 0) / max(JOIN_FADE * side, 1.0))
        leg_paint[mine] += residual * fade[:, None]
        # The skin's grain: the visible leg's own (no smooth plastic above it).
        leg_paint[mine] *= _grain_for(grain, leg_seen, spans[index][0], ys[mine], xs[mine])[:, None]
    # The knee's light and the new hem's shadow, both gone by where the photo shows the leg: a new hem just above the
    # old one drew a dark band ending in a seam.
    reach = max(HEM_SHADOW * side, 1.0)
    modelled = np.clip(above_join / reach, 0.0, 1.0)
    for index, leg in enumerate(legs):
        mine = whose == index
        leg_paint[mine] *= (1.0 + (knee_light(leg, ys[mine], where[mine]) - 1.0) * modelled[mine])[:, None]
    beneath = cv2.distanceTransform((cover == 0).astype(np.uint8), cv2.DIST_L2, 3)[ys, xs]
    leg_paint *= (1.0 - HEM_SHADE * np.exp(-beneath / reach) * modelled)[:, None]
    spread = [TOUCH_WIDTH * 2.0 * _middle(leg > 0)[1] for leg in legs]  # TOUCH_WIDTH of each leg's width, per row
    touching = _near_touch(owner, spread, TOUCH_APART * side)[ys, xs]
    leg_paint *= (1.0 - TOUCH_SHADE * touching * modelled)[:, None]
    weight = np.clip(down[ys, xs] / LEG_ONSET, 0.0, 1.0)[:, None]
    out = np.array(painted, np.float32)
    out[ys, xs] = out[ys, xs] * (1.0 - weight) + leg_paint * weight
    return out
