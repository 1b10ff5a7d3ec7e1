"""Light on bared limbs: a cylinder's profile across an arm or a leg, and legs painted from the legs the photo shows.

A shorter garment bares the legs between its hem and the old one's. Painted in the torso's or the chest's
tone and light they read as a flat block; the shopper's own legs below the old hem show their tone and how
much darker each side of a leg turns, and each bared leg takes those, rounded across its own width, with
the shadow the new hem casts on it.
"""

from __future__ import annotations

import cv2
import numpy as np

from fittingroom.common.body import LEG_SEEN

# How far across a leg (0 on its bone, 1 at its outline) its lit middle is read, and the band towards each side
# whose light, relative to the middle's, says how dark that side turns.
LEG_MIDDLE = 0.4
LEG_SIDE = (0.5, 0.8)
# A leg's outline relative to its ridge: never black, and always darker (its sides turn from the light; a
# brighter side in the photo is the backdrop blended into the person mask's edge).
LEG_SHADE_RANGE = (0.55, 0.8)
MIN_LEG_PIXELS = 50
HEM_SHADOW = 0.015  # of the longer side: the shadow the new hem casts on the legs below it, and how dark
HEM_SHADE = 0.25
LEG_ONSET = 0.1  # of a leg's length: below its hip joint it turns from the hips' light to its own
LIT_LEG_QUANTILES = (0.5, 0.9)  # of the brightness of the visible legs' middles: their lit tone
# Where a bared leg meets the visible one: that leg's colours across its top JOIN_ROWS rows (in ACROSS_BINS bins
# of its width) carry up into the repaint, fading over JOIN_FADE of the longer side.
JOIN_ROWS = 3
ACROSS_BINS = 8
JOIN_FADE = 0.03
ROW_SMOOTH = 3.0  # px: how far down a leg its outline's pixel steps are smoothed for its light


def cylinder_light(across: np.ndarray, ridge: float, shade: float) -> np.ndarray:
    """float: a limb lit from the front, `ridge` along its bone (`across` 0) falling as a circle's profile to
    `shade` at its outline (`across` 1 or more)."""
    facing = np.sqrt(np.clip(1.0 - np.clip(across, 0.0, 1.0) ** 2, 0.0, 1.0))
    return np.asarray(shade + (ridge - shade) * facing)


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
    left = inside.argmax(axis=1).astype(np.float32)
    right = (width - 1 - inside[:, ::-1].argmax(axis=1)).astype(np.float32)
    # The outline steps a pixel at a time: its middle and width, smoothed down the leg, do not (a ridge that
    # jumps from row to row draws streaks across the leg).
    for edge in (left, right):
        edge[found[0]:found[-1] + 1] = cv2.GaussianBlur(edge[found[0]:found[-1] + 1, None], (1, 0), ROW_SMOOTH,
                                                        borderType=cv2.BORDER_REPLICATE)[:, 0]
    centre, half = (left + right) / 2, np.maximum((right - left + 1) / 2, 0.5)
    cols = np.arange(width, dtype=np.float32)[None]
    signed = (cols - centre[:, None]) / half[:, None]
    across[inside] = signed[inside]
    down[:] = np.clip((np.arange(height) - found[0]) / max(found[-1] - found[0], 1), 0.0, 1.0)[:, None]
    return across, down


def _side_shade(luma: np.ndarray, across: np.ndarray, middle: float, sign: float) -> float:
    """How dark one side of the visible legs turns: the `shade` whose cylinder profile gives the light seen
    in the LEG_SIDE band of that side, relative to the middle's `middle`."""
    band = (sign * across >= LEG_SIDE[0]) & (sign * across <= LEG_SIDE[1])
    if band.sum() < MIN_LEG_PIXELS // 4:
        return LEG_SHADE_RANGE[0] + 0.5 * (LEG_SHADE_RANGE[1] - LEG_SHADE_RANGE[0])
    ratio = float(np.median(luma[band])) / max(middle, 1.0)
    facing = float(cylinder_light(np.array(np.mean(LEG_SIDE)), 1.0, 0.0))
    return float(np.clip((ratio - facing) / (1.0 - facing), *LEG_SHADE_RANGE))


def _join(person: np.ndarray, seen: np.ndarray, across: np.ndarray) -> tuple[np.ndarray, int] | None:
    """A leg's colour across its top rows that the photo shows (JOIN_ROWS of them, binned over ACROSS_BINS of
    its width), and the first of those rows; None when it shows none."""
    rows = np.nonzero(seen.any(axis=1))[0]
    if len(rows) == 0:
        return None
    top = int(rows[0])
    band = seen[top:top + JOIN_ROWS]
    colours, where = person[top:top + JOIN_ROWS][band].astype(np.float32), across[top:top + JOIN_ROWS][band]
    edges = np.linspace(-1.0, 1.0, ACROSS_BINS + 1)
    bins = np.clip(np.digitize(where, edges) - 1, 0, ACROSS_BINS - 1)
    counts = np.bincount(bins, minlength=ACROSS_BINS)
    if (counts == 0).any():
        return None
    profile = np.stack([np.bincount(bins, colours[:, c], ACROSS_BINS) / counts for c in range(3)], axis=1)
    return profile, top


def leg_skin(painted: np.ndarray, person: np.ndarray, to_skin: np.ndarray, legs: np.ndarray,
             cover: np.ndarray) -> np.ndarray:
    """float32 HxWx3: `painted` skin with the bared legs repainted (`legs`: each leg's mask, (2, H, W), LEG_SEEN
    where the photo shows it bare).

    Each leg takes the median tone of the middles of the shopper's visible legs, rounded across its own
    width as a cylinder whose sides turn as dark as those legs' sides do, shaded under the new garment's
    (`cover`) hem; just above where the photo shows it, the colours of its top visible rows, across its
    width, so it goes on without a seam. Unchanged where no leg shows to learn from, or off the legs.
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
    seen = (legs == LEG_SEEN) & ~to_skin[None]
    sample = seen.any(axis=0)
    bared = to_skin & (owner >= 0)
    if sample.sum() < MIN_LEG_PIXELS or not bared.any():
        return painted
    luma = cv2.cvtColor(person, cv2.COLOR_RGB2GRAY).astype(np.float32)
    middle = sample & (np.abs(across) <= LEG_MIDDLE)
    if middle.sum() < MIN_LEG_PIXELS // 2:
        middle = sample
    # Lit: a thigh out of the old garment's shade faces the studio light as the shins below it do.
    low, high = np.quantile(luma[middle], LIT_LEG_QUANTILES)
    lit = middle & (luma >= low) & (luma <= high)
    tone = np.median(person[lit].astype(np.float32), axis=0)
    middle_luma = float(np.median(luma[lit]))
    shades = [_side_shade(luma[sample], across[sample], middle_luma, sign) for sign in (-1.0, 1.0)]
    light = np.where(across < 0, cylinder_light(np.abs(across), 1.0, shades[0]),
                     cylinder_light(np.abs(across), 1.0, shades[1])).astype(np.float32)
    leg_paint = tone[None, None] * light[..., None]
    # Just above where each leg shows, its own colours there across its width: the model's residual fades up.
    rows = np.arange(height, dtype=np.float32)[:, None]
    centres = np.linspace(-1.0, 1.0, 2 * ACROSS_BINS + 1)[1::2]
    for index, leg_seen in enumerate(seen):
        joined = _join(person, leg_seen, np.where(owner == index, across, spans[index][0]))
        if joined is None:
            continue
        profile, top = joined
        mine = bared & (owner == index)
        modelled = tone[None] * np.where(centres < 0, cylinder_light(np.abs(centres), 1.0, shades[0]),
                                         cylinder_light(np.abs(centres), 1.0, shades[1]))[:, None]
        residual = np.stack([np.interp(np.clip(across[mine], -1, 1), centres, (profile - modelled)[:, c])
                             for c in range(3)], axis=1)
        fade = np.exp(-np.maximum(top - rows, 0.0) / max(JOIN_FADE * side, 1.0))
        leg_paint[mine] += residual * np.broadcast_to(fade, (height, width))[mine][:, None]
    beneath = cv2.distanceTransform((cover == 0).astype(np.uint8), cv2.DIST_L2, 3)
    leg_paint *= (1.0 - HEM_SHADE * np.exp(-beneath / max(HEM_SHADOW * side, 1.0)))[..., None]
    weight = ((owner >= 0) * np.clip(down / LEG_ONSET, 0.0, 1.0)).astype(np.float32)[..., None]
    return np.asarray(painted * (1.0 - weight) + leg_paint * weight, np.float32)
