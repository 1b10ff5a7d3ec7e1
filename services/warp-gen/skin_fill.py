"""Repainted skin that goes on from the shopper's own: no seam where it meets the visible skin, the visible
skin's own light at its outline, and its grain.

`dress.repaint_uncovered` paints bared skin from a tone and modelled light (a torso's roundness, an arm's
cylinder, the rounding off towards an outline). These things still told it apart from skin at full size:
- the old garment's anti-aliased edge and the shadow it cast on the skin beside it, taken for skin and kept, traced
  the old collar round a bared neck: `seam_rim` is that skin, repainted with the hole;
- where it met the shopper's visible skin (a shoulder below the neck, an upper arm above the forearm) the
  modelled light drew a step, and a chest bared by a lower neckline read as a pale patch with a seam where the old
  neckline was: `match_seam` carries the visible skin's colour across the seam (its ratio to the paint, solved
  for as a membrane pinned along all of the seam and free along the garment and the backdrop, relaxing over a
  chest's size; then the seam's last pixels), so the paint's modelled light is kept but its tone is the skin's;
- against the backdrop the modelled light fell to under half the tone at the outline, which the anti-aliased
  edge blended into a dark halo round a bared shoulder or arm; the shopper's own skin darkens there by a tenth
  or so: `outline_light` measures how the visible skin's brightness falls towards the backdrop and gives the
  repaint's outline that fall, no deeper;
- where a torso's side, an arm's and a contact shadow met (a shoulder beside a strap) their product drew brown
  streaks: `shade_floor` keeps the paint no darker than the darkest of the shopper's visible skin;
- the paint was smooth as plastic: `add_grain` gives it the visible skin's fine grain, its pixels picked from
  that skin's at random (seeded from the photo: the same inputs give the same image), with its spread, read where
  that skin's light is flat (`flat_skin`: a highlight's edge is light, not grain; copied as noise it was blotches).
"""

from __future__ import annotations

import zlib

import cv2
import numpy as np

from fittingroom.common.body import LEG_SEEN
from fittingroom.warp_gen.limb_light import grain_blur, skin_grain

LUMA = np.array([0.299, 0.587, 0.114], np.float32)  # RGB weights of perceived brightness (BT.601)
# The seam: the visible skin's colour is read SEAM_SKIP..SEAM_SKIP + SEAM_READ px past it (not its first pixels: the
# old garment's edge and contact shadow lie there), the paint's over its first SEAM_READ px; their ratio, within
# SEAM_RANGE, is carried into the repaint as a membrane that relaxes to the paint's own over SEAM_REACH of the
# longer side away from the seam (a chest's size: a pale patch bared by a lower neckline takes the skin's tone
# throughout; a whole leg's far end keeps its modelled tone).
SEAM_SKIP = 2
SEAM_READ = 3
SEAM_RANGE = (0.75, 1.33)
SEAM_REACH = 0.1
# The membrane's solve: its grid (the membrane is smooth; the solve's work falls with the square of the step), how
# firmly the seam's cells hold their ratio (against the membrane's pull, per cell), and when conjugate gradients
# stop (at most that many steps, ~40 on the development photos; or once the preconditioned residual's square,
# summed over the cells, in log units, is below the tolerance: far below a visible change).
MEMBRANE_STEP = 8
MEMBRANE_PIN = 4.0
MEMBRANE_ITERATIONS = 60
MEMBRANE_TOLERANCE = 1e-8
# The seam's last pixels: matched over this share of the longer side (the step a ragged seam leaves between the
# membrane's coarse cells).
SEAM_FINE = 0.006
SEAM_KNOWN = 0.05  # a blur's weight below which it knows too little of what it averages
SPREAD_STEP = 4  # px: the coarse grid that smooth light (the seam's, the outline's inside) is worked out on
MIN_SEAM_PIXELS = 20
# The outline: how the visible skin's brightness falls over OUTLINE_DEPTH of the longer side towards the backdrop,
# relative to its brightness just deeper in; measured in 1 px steps, each from at least OUTLINE_MIN_PIXELS, and no
# darker than OUTLINE_DARKEST (a shadow cast on the backdrop is no rim of the skin). When too little skin meets the
# backdrop to tell: DEFAULT_OUTLINE, what catalogue shoppers' arms and shoulders show under studio light.
OUTLINE_DEPTH = 0.016
OUTLINE_MIN_PIXELS = 20
OUTLINE_DARKEST = 0.75
DEFAULT_OUTLINE = (0.88, 0.9, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98)
LIT_QUANTILE = 0.95  # of the visible body skin's brightness: the most the outline's light lifts to
# The grain: pixels of the visible skin's (`skin_grain`, inside its outline by GRAIN_INSET px: there the ratio is
# the outline's fall, not grain) smoothed as the skin's own is (`grain_smoothing`), its spread then restored.
GRAIN_INSET = 3
# px: the Gaussian whose smoothing of white noise gives the skin's own grain its neighbours' correlation (the
# development photos' skin: 0.73-0.91 px; a fixed 0.6, finer than any of them, read as sand), within this range.
GRAIN_SMOOTH_RANGE = (0.5, 1.2)
GRAIN_SMOOTH_STEP = 0.05
GRAIN_PROBE = 64  # px: the side of the noise it is worked out on
# The grain is read on the flattest GRAIN_FLAT of the visible skin's inside (by the slope of its light over the
# grain's blur), at least MIN_GRAIN_PIXELS: where the light turns (a highlight's or a shade's edge on a glossy arm)
# the grain's blur keeps the light's own few-px structure, which gave the grain up to twice the skin's spread and
# a coarser correlation (051482's arms: 0.028 at 1.2 px, where they are flat 0.017 at 0.7 px); copied as noise
# onto a bared midriff it read as blotches of 3-6 px.
GRAIN_FLAT = 0.2
# The light whose slope tells the flat places: the skin's blurred over FLAT_LIGHT grain blurs (the grain's own spots
# average out: ranked at the grain's blur, its locally weakest spots were picked, a third of its spread), its slope
# averaged over places FLAT_PLACE as wide.
FLAT_LIGHT = 3.0
FLAT_PLACE = 1.0
GRAIN_QUANTILES = (0.1, 0.9)
# The most spread the grain takes (of the brightness) at the finest smoothing: 0.009-0.026 on the development
# photos' visible skin; a shopper whose only "skin" is a few hundred pixels of a face or of a fabric taken for
# skin (the README's astronaut: 0.057) gave bared arms a sandy texture. Coarser grain takes less, inversely to its
# smoothing: what correlates over a few px on a photo's skin is mostly its light (a sheen, a highlight's edge);
# copied at random as round spots 1.05-1.2 px wide with a spread of 0.024 (00121's and 051482's arms) it read as a
# rash on a bared chest and midriff.
GRAIN_MAX_SPREAD = 0.03
MIN_GRAIN_PIXELS = 200
# The darkest shade repainted skin takes: this quantile of the visible skin's brightness (inside its outline), reached
# softly over SHADE_KNEE of it.
SHADE_QUANTILE = 0.05
SHADE_DEEPEST = 0.8  # of its median: the floor is at most this (a shade at least a fifth deep is always allowed)
SHADE_KNEE = 0.08


def _distance_from(mask: np.ndarray) -> np.ndarray:
    """float32 HxW: each pixel's distance to the nearest pixel of `mask` (0 on it)."""
    return np.asarray(cv2.distanceTransform((~mask.astype(bool)).astype(np.uint8), cv2.DIST_L2, 5), np.float32)


def channel_axis(image: np.ndarray) -> np.ndarray:
    """HxWxC: `image` with its channel axis, which OpenCV drops from a single channel's result."""
    return image.reshape(image.shape[0], image.shape[1], -1)


def _normalized_blur(values: np.ndarray, weight: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """float32 HxW(xC) average of `values` weighted by `weight` over a Gaussian of `sigma` px, and the weight's
    own blur (how much of the average is known there)."""
    weight = np.asarray(weight, np.float32)
    spread = np.asarray(cv2.GaussianBlur(weight, (0, 0), sigma), np.float32)
    weighted = np.asarray(values, np.float32) * (weight[..., None] if values.ndim == 3 else weight)
    total = np.asarray(cv2.GaussianBlur(weighted, (0, 0), sigma), np.float32)
    below = np.maximum(spread, 1e-6)
    return total / (below[..., None] if values.ndim == 3 else below), spread


def _shrunk(values: np.ndarray, weight: np.ndarray, small: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """float32 (h, w, C) mean of `values` over `weight` in each cell of a grid of `small` (w, h) cells, and the
    weight's share of each cell."""
    share = np.asarray(cv2.resize(weight.astype(np.float32), small, interpolation=cv2.INTER_AREA), np.float32)
    total = channel_axis(cv2.resize(values.astype(np.float32) * weight[..., None], small, interpolation=cv2.INTER_AREA))
    return total / np.maximum(share, 1e-6)[..., None], share


def seam_rim(hole: np.ndarray, body: np.ndarray, skin: np.ndarray, legs: np.ndarray | None = None) -> np.ndarray:
    """bool HxW: the visible `skin` on the `body` within SEAM_SKIP px of the `hole` on it, to repaint with it: the old
    garment's anti-aliased edge and the shadow it cast, which the skin mask takes for skin, traced the old collar
    round a bared neck as a dark line. Not on the legs (`legs`, (2, H, W)) where the photo shows them (LEG_SEEN):
    their rows in the old hem's shadow are repainted already (LEG_HEM), and the bared leg's paint goes on from the
    first rows below, whole (eaten into at their skin's pixels, the rows it read were the backdrop's sliver beside
    the leg, and the paint kept a seam)."""
    on_body = body.astype(bool)
    near = _distance_from(hole.astype(bool) & on_body) <= SEAM_SKIP
    rim = near & skin.astype(bool) & on_body & ~hole.astype(bool)
    if legs is not None:
        rim &= ~(legs == LEG_SEEN).any(axis=0)
    return np.asarray(rim)


def _near(mask: np.ndarray, px: int) -> np.ndarray:
    """bool HxW: within `px` px of `mask` (a square's reach: a dilation is cheaper than a distance transform)."""
    return np.asarray(cv2.dilate(mask.astype(np.uint8), np.ones((2 * px + 1, 2 * px + 1), np.uint8)) > 0)


def _grid(shape: tuple[int, ...], step: int = SPREAD_STEP) -> tuple[int, int]:
    """(w, h) of the `step` px grid over an image of `shape`."""
    return max(1, shape[1] // step), max(1, shape[0] // step)


def _membrane(ratio: np.ndarray, data: np.ndarray, unknown: np.ndarray, reach: float) -> np.ndarray:
    """float32 hxwxC: the smooth field over the `unknown` cells that takes the `ratio` where `data` (0..1, its
    weight) is, as a stretched membrane would, and relaxes towards 0 over `reach` cells away from them: the
    solution of (L + D + 1/reach^2) f = D ratio, with L the Laplacian over the unknown cells' 4-neighbours (no pull
    across their outline: the garment and the backdrop lend nothing) and D the data's weight. Solved by conjugate
    gradients preconditioned by its diagonal, started from the data's normalized blur (deterministic)."""
    inside = unknown.astype(np.float32)
    cross = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], np.float32)

    def around(field: np.ndarray) -> np.ndarray:  # the sum over each cell's unknown 4-neighbours
        return channel_axis(cv2.filter2D(field, -1, cross, borderType=cv2.BORDER_CONSTANT))

    diagonal = (around(inside)[..., 0] + MEMBRANE_PIN * data + 1.0 / reach**2) * inside + (1.0 - inside)
    pinned = (MEMBRANE_PIN * data)[..., None]

    def apply(field: np.ndarray) -> np.ndarray:  # fields stay 0 off the unknown cells
        return np.asarray((diagonal[..., None] * field - around(field)) * inside[..., None], np.float32)

    start, _ = _normalized_blur(ratio, data, max(reach / 2, 1.0))
    field = np.asarray(start * inside[..., None], np.float32)
    residual = pinned * ratio * inside[..., None] - apply(field)
    scale = 1.0 / diagonal[..., None]
    step = residual * scale
    direction = step.copy()
    along = (residual * step).sum(axis=(0, 1))
    for _ in range(MEMBRANE_ITERATIONS):
        if float(along.max()) <= MEMBRANE_TOLERANCE:
            break
        pushed = apply(direction)
        move = along / np.maximum((direction * pushed).sum(axis=(0, 1)), 1e-12)
        field += move * direction
        residual -= move * pushed
        step = residual * scale
        next_along = (residual * step).sum(axis=(0, 1))
        direction = step + (next_along / np.maximum(along, 1e-12)) * direction
        along = next_along
    return field


def _close_seam(painted: np.ndarray, person: np.ndarray, to_skin: np.ndarray, visible: np.ndarray) -> np.ndarray:
    """float32 HxWx3: `painted` (where `to_skin`) times the ratio of the `visible` skin (its average over SEAM_FINE
    of the longer side) to the paint on each of the seam's pixels, spread into the paint over that reach and fading
    with it: the pixel-sized step that the membrane's coarse grid leaves along a ragged seam (a modelled shade that
    ends on it, a corner of a cell, a strip of skin too thin to read past the seam)."""
    side = max(to_skin.shape)
    sigma = max(SEAM_FINE * side, 1.0)
    margin = int(np.ceil(3 * sigma))
    band = to_skin & _near(visible, margin)
    if not band.any():
        return painted
    # On the band's bounding box, with the blur's reach round it.
    rows, cols = np.flatnonzero(band.any(axis=1)), np.flatnonzero(band.any(axis=0))
    box = np.s_[max(rows[0] - margin, 0):rows[-1] + margin + 1, max(cols[0] - margin, 0):cols[-1] + margin + 1]
    away = _distance_from(visible[box])  # exact within the margin, all that is used
    skin_near, skin_weight = _normalized_blur(person[box], visible[box], sigma)
    # The seam's pixels: the paint's next to the skin, where the skin's blur is known.
    seam = to_skin[box] & (away <= 1.5) & (skin_weight > SEAM_KNOWN)
    ratio = np.log(np.clip(skin_near / np.maximum(painted[box], 1.0), *SEAM_RANGE)) * seam[..., None]
    spread, known = _normalized_blur(ratio, seam.astype(np.float32), sigma)
    hold = np.clip(known / SEAM_KNOWN, 0.0, 1.0) * np.exp(-np.maximum(away - 1.0, 0.0) / sigma)
    out = np.array(painted, np.float32)
    inner = band[box]
    out[box][inner] *= np.exp(spread[inner] * hold[inner][:, None])
    return out


def match_seam(painted: np.ndarray, person: np.ndarray, to_skin: np.ndarray, visible: np.ndarray) -> np.ndarray:
    """float32 HxWx3: `painted` skin (where `to_skin`) multiplied, per channel, by the ratio of the `visible` skin
    beside it to the paint along their seam, carried into the repaint as a membrane (`_membrane`): whole along all
    of the seam (a strap's place between two sides takes both), smoothly between, relaxing to the paint's own over
    SEAM_REACH of the longer side away from it; the garment and the backdrop beside the paint lend nothing. A
    multiplier, so the modelled light inside stays. Worked out on a grid MEMBRANE_STEP px coarse (smooth light,
    a fraction of the work)."""
    to_skin = to_skin.astype(bool)
    # Specks of skin (a button, a pale fold taken for skin) are no skin to go on from: pieces smaller than a disc
    # of the seam's reading depth are dropped. A thin strip of real skin between two repainted parts (above an old
    # sweetheart neckline) stays: an opening dropped it, and the paint beside it kept its own, paler tone.
    side = 2 * (SEAM_SKIP + SEAM_READ) + 1
    _, pieces, stats, _ = cv2.connectedComponentsWithStats(visible.astype(np.uint8), connectivity=8)
    large = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] >= np.pi * side**2 / 4)
    visible = np.isin(pieces, large[large > 0])
    seam = to_skin & _near(visible, SEAM_READ)
    read = visible & _near(to_skin, SEAM_SKIP + SEAM_READ) & ~_near(to_skin, SEAM_SKIP)
    if seam.sum() < MIN_SEAM_PIXELS or read.sum() < MIN_SEAM_PIXELS:
        return painted
    height, width = to_skin.shape
    small = _grid(to_skin.shape, MEMBRANE_STEP)
    # Each side's colour next to the seam: averaged over the cells round it (the two sides are a few px apart).
    reach_cells = (SEAM_SKIP + SEAM_READ) / MEMBRANE_STEP
    skin_cells, skin_share = _shrunk(person, read.astype(np.float32), small)
    paint_cells, paint_share = _shrunk(painted, seam.astype(np.float32), small)
    skin_near, _ = _normalized_blur(skin_cells, skin_share, reach_cells)
    paint_near, _ = _normalized_blur(paint_cells, paint_share, reach_cells)
    ratio = np.log(np.clip(skin_near / np.maximum(paint_near, 1.0), *SEAM_RANGE))
    # The cells the paint covers, on the bounding box of them (the solve's work is the box's).
    unknown = cv2.resize(to_skin.astype(np.float32), small, interpolation=cv2.INTER_AREA) > 0
    rows, cols = np.flatnonzero(unknown.any(axis=1)), np.flatnonzero(unknown.any(axis=0))
    box = np.s_[max(rows[0] - 1, 0):rows[-1] + 2, max(cols[0] - 1, 0):cols[-1] + 2]
    # A cell's hold on its ratio: whole where a fair share of it is seam (a cell's side of it, or more).
    weight = np.clip(paint_share * MEMBRANE_STEP, 0.0, 1.0)
    reach = max(SEAM_REACH * max(height, width), 2.0) / MEMBRANE_STEP
    spread = np.zeros(ratio.shape, np.float32)
    spread[box] = _membrane(ratio[box], weight[box] * unknown[box], unknown[box], reach)
    # Cells beside the paint's (a pixel of it interpolates from them) take their neighbours' value.
    ring, known = _normalized_blur(spread, unknown.astype(np.float32), 1.0)
    spread = np.where(unknown[..., None], spread, ring * (known > 1e-3)[..., None])
    ys, xs = np.nonzero(to_skin)
    factor = channel_axis(cv2.resize(spread, (width, height), interpolation=cv2.INTER_LINEAR))[ys, xs]
    out = np.array(painted, np.float32)
    out[ys, xs] *= np.exp(factor)
    return _close_seam(out, person, to_skin, visible)


def outline_fall(person: np.ndarray, visible: np.ndarray, backdrop: np.ndarray) -> np.ndarray:
    """float32 N: the `visible` skin's brightness at 1, 2, .. N px from the `backdrop`, relative to its brightness
    just deeper in (N: OUTLINE_DEPTH of the longer side); DEFAULT_OUTLINE where too little skin meets it."""
    depth = max(2, round(OUTLINE_DEPTH * max(person.shape[:2])))
    default = np.interp(np.arange(depth), np.linspace(0, depth - 1, len(DEFAULT_OUTLINE)), DEFAULT_OUTLINE)
    away = _distance_from(backdrop)
    luma = cv2.cvtColor(person, cv2.COLOR_RGB2GRAY)  # BT.601, as LUMA
    seen = visible.astype(bool)
    deeper = seen & (away >= depth + 1) & (away < depth + 1 + depth // 2 + 1)
    if deeper.sum() < OUTLINE_MIN_PIXELS:
        return np.asarray(default, np.float32)
    reference = max(float(np.median(luma[deeper])), 1.0)
    fall = default.copy()
    for step in range(depth):
        ring = seen & (away >= step + 1) & (away < step + 2)
        if ring.sum() >= OUTLINE_MIN_PIXELS:
            fall[step] = float(np.median(luma[ring])) / reference
    return np.clip(fall, OUTLINE_DARKEST, 1.0).astype(np.float32)


def outline_light(painted: np.ndarray, to_skin: np.ndarray, backdrop: np.ndarray, fall: np.ndarray,
                  brightest: float = float("inf"), modelled: np.ndarray | None = None) -> np.ndarray:
    """float32 HxWx3: `painted` skin no darker near the `backdrop` than the paint just deeper in, times the
    shopper's own `fall` of brightness there (`outline_fall`), up to `brightest`: the modelled rounding stays where
    it is lighter. Only brightens, and only within len(`fall`) px of the backdrop; not where the paint's light
    across its outline is `modelled` (0..1: an arm's cylinder): an arm is hardly wider than that reach, and lifted
    to its ridge's brightness all across it read as a flat cardboard tube."""
    to_skin = to_skin.astype(bool)
    depth = len(fall)
    away = _distance_from(backdrop)
    edge = to_skin & (away < depth + 1)
    if not edge.any():
        return painted
    luma = painted @ LUMA
    inner = to_skin & (away >= depth + 1) & (away < 2 * depth + 1)
    ys, xs = np.nonzero(edge)
    if inner.any():  # the paint just deeper in, carried out to the outline (on the coarse grid: it is smooth)
        cells, share = _shrunk(luma[..., None], inner.astype(np.float32), _grid(luma.shape))
        deeper_cells, known_cells = _normalized_blur(cells[..., 0], share, depth / SPREAD_STEP)
        size = (luma.shape[1], luma.shape[0])
        deeper = cv2.resize(deeper_cells, size, interpolation=cv2.INTER_LINEAR)[ys, xs]
        known = cv2.resize(known_cells, size, interpolation=cv2.INTER_LINEAR)[ys, xs] > 1e-3
    else:  # a repaint all outline (a thin strip): its own brightest tenth stands in for the inside
        deeper = np.full(len(ys), float(np.quantile(luma[to_skin], 0.9)), np.float32)
        known = np.ones(len(ys), bool)
    step = np.clip(away[ys, xs] - 1.0, 0.0, depth - 1.0)
    target = np.minimum(deeper * np.interp(step, np.arange(depth), fall), brightest)
    lift = np.where(known, np.maximum(target / np.maximum(luma[ys, xs], 1.0), 1.0), 1.0)
    if modelled is not None:
        lift = 1.0 + (lift - 1.0) * (1.0 - np.clip(modelled[ys, xs], 0.0, 1.0))
    out = np.array(painted, np.float32)
    out[ys, xs] *= lift[:, None]
    return out


def add_grain(painted: np.ndarray, person: np.ndarray, to_skin: np.ndarray, visible: np.ndarray) -> np.ndarray:
    """float32 HxWx3: `painted` skin (where `to_skin`) with the `visible` skin's grain: each pixel's brightness
    over its blur there, picked at random from that skin's inside where its light is flat (`flat_skin`) and smoothed
    as the skin's own is there, with the same spread. Unchanged when too little skin shows to learn it from."""
    to_skin = to_skin.astype(bool)
    kernel = np.ones((2 * GRAIN_INSET + 1, 2 * GRAIN_INSET + 1), np.uint8)
    inside = cv2.erode(visible.astype(np.uint8), kernel) > 0
    if inside.sum() < MIN_GRAIN_PIXELS or not to_skin.any():
        return painted
    # Read on the skin's bounding box only (the blur's reach stays inside the skin: it is normalized to it).
    rows, cols = np.flatnonzero(inside.any(axis=1)), np.flatnonzero(inside.any(axis=0))
    box = np.s_[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    grain = skin_grain(person[box], inside[box], max(person.shape[:2]))
    flat = flat_skin(person[box], inside[box], max(person.shape[:2]))
    sigma = grain_smoothing(grain, flat, max(person.shape[:2]))
    pool = grain[flat]
    # Its pores, freckles and creases are rarer than its grain: picked at random they would read as specks.
    pool = np.clip(pool, *np.quantile(pool, GRAIN_QUANTILES))
    ys, xs = np.nonzero(to_skin)
    # Seeded from the photo: the same inputs give the same image.
    picked = pool[np.random.default_rng(zlib.crc32(pool.tobytes())).integers(len(pool), size=len(ys))]
    field = np.zeros(to_skin.shape, np.float32)
    field[ys, xs] = picked - 1.0
    smooth = np.asarray(cv2.GaussianBlur(field, (0, 0), sigma)[ys, xs], np.float32)
    # Smoothing averages neighbours and narrows the spread: restored to the visible skin's own.
    spread = min(float(np.std(pool)), GRAIN_MAX_SPREAD * GRAIN_SMOOTH_RANGE[0] / sigma)
    smooth = smooth * (spread / max(float(np.std(smooth)), 1e-6))
    out = np.array(painted, np.float32)
    out[ys, xs] *= (1.0 + smooth)[:, None]
    return out


def flat_skin(person: np.ndarray, inside: np.ndarray, side: int) -> np.ndarray:
    """bool HxW: the flattest GRAIN_FLAT of the skin `inside` (the least slope of its brightness's log over
    `grain_blur` of the photo's longer `side`), at least MIN_GRAIN_PIXELS of it (all of it when it is no more)."""
    if inside.sum() <= MIN_GRAIN_PIXELS:
        return inside
    luma = cv2.cvtColor(person, cv2.COLOR_RGB2GRAY).astype(np.float32)
    weight = inside.astype(np.float32)
    sigma = FLAT_LIGHT * grain_blur(side)
    light = cv2.GaussianBlur(luma * weight, (0, 0), sigma) / np.maximum(cv2.GaussianBlur(weight, (0, 0), sigma), 1e-3)
    down, across = np.gradient(np.log(np.maximum(light, 1.0)))
    # Flat places, not pixels: ranked pixel by pixel, a grain's own smooth spots were picked (its read correlation
    # fell below zero on plain noise).
    slope = cv2.GaussianBlur(np.hypot(down, across).astype(np.float32), (0, 0), FLAT_PLACE * sigma)[inside]
    share = max(GRAIN_FLAT, MIN_GRAIN_PIXELS / len(slope))
    flat = np.zeros_like(inside)
    flat[inside] = slope <= np.quantile(slope, share)
    return flat


def _neighbours_correlation(values: np.ndarray, inside: np.ndarray) -> float:
    """The correlation of `values`' deviations about 1 between neighbours (across and down) both `inside`."""
    centred = np.where(inside, values - 1.0, 0.0).astype(np.float64)
    products, powers = 0.0, 0.0
    for a, b in ((np.s_[:, :-1], np.s_[:, 1:]), (np.s_[:-1, :], np.s_[1:, :])):
        both = inside[a] & inside[b]
        products += float((centred[a] * centred[b])[both].sum())
        powers += float(np.sqrt((centred[a][both] ** 2).sum() * (centred[b][both] ** 2).sum()))
    return products / max(powers, 1e-12)


def grain_smoothing(grain: np.ndarray, inside: np.ndarray, side: int) -> float:
    """px: how far white noise is smoothed to be grained as the skin's own `grain` is (where `inside`; read over
    `grain_blur` of the photo's longer `side`): the step of GRAIN_SMOOTH_RANGE whose noise, read the same way,
    comes closest to the skin's correlation between neighbours. Fixed noise: the same photo, the same answer."""
    measured = _neighbours_correlation(grain, inside)
    noise = np.random.default_rng(0).normal(0.0, 1.0, (GRAIN_PROBE, GRAIN_PROBE)).astype(np.float32)
    everywhere = np.ones(noise.shape, bool)
    blur = grain_blur(side)
    steps = np.arange(GRAIN_SMOOTH_RANGE[0], GRAIN_SMOOTH_RANGE[1] + 1e-6, GRAIN_SMOOTH_STEP)
    found = []
    for sigma in steps:
        smooth = 100.0 + cv2.GaussianBlur(noise, (0, 0), float(sigma))
        found.append(_neighbours_correlation(smooth / cv2.GaussianBlur(smooth, (0, 0), blur), everywhere))
    return float(steps[int(np.argmin(np.abs(np.array(found) - measured)))])


def shade_floor(painted: np.ndarray, person: np.ndarray, to_skin: np.ndarray, visible: np.ndarray) -> np.ndarray:
    """float32 HxWx3: `painted` skin (where `to_skin`) no darker than the darkest of the `visible` skin's inside
    (its SHADE_QUANTILE of brightness), reached softly over SHADE_KNEE of it. The modelled light multiplies
    several shadings (a torso's side, an arm's, a contact shadow) that where they meet (a shoulder beside a
    strap) drew brown streaks deeper than any shade the shopper's own skin shows. Unchanged when too little
    skin shows."""
    to_skin = to_skin.astype(bool)
    kernel = np.ones((2 * GRAIN_INSET + 1, 2 * GRAIN_INSET + 1), np.uint8)
    inside = cv2.erode(visible.astype(np.uint8), kernel) > 0
    if inside.sum() < MIN_GRAIN_PIXELS or not to_skin.any():
        return painted
    seen = person[inside].astype(np.float32) @ LUMA
    # Where the visible skin is evenly lit (a face alone) its darkest is its tone: the modelled light keeps its depth.
    floor = min(float(np.quantile(seen, SHADE_QUANTILE)), SHADE_DEEPEST * float(np.median(seen)))
    knee = max(SHADE_KNEE * floor, 1.0)
    luma = painted[to_skin] @ LUMA
    # Below the knee the brightness bends smoothly (same value and slope at the knee) towards the floor.
    lifted = np.where(luma < floor + knee, floor + knee * np.exp((luma - floor - knee) / knee), luma)
    out = np.array(painted, np.float32)
    out[to_skin] *= (lifted / np.maximum(luma, 1.0))[:, None]
    return out


def continue_skin(painted: np.ndarray, person: np.ndarray, to_skin: np.ndarray, visible: np.ndarray,
                  body_seen: np.ndarray, backdrop: np.ndarray, scene: np.ndarray,
                  modelled: np.ndarray | None = None) -> np.ndarray:
    """float32 HxWx3: `painted` skin (where `to_skin`) going on from the shopper's `visible` skin: no darker than
    the shopper's body skin (`body_seen`) shows (`shade_floor`), given the fall of that skin towards the photo's
    backdrop (`scene`) at its own outline against the `backdrop` (what is neither skin, this paint nor the new
    garment; `outline_light`; not where its light is `modelled`, an arm's cylinder), no brighter there than the
    body skin's lit tenth, then matched to the visible skin
    along their seam (`match_seam`: last, so that it also evens out what the outline's light lifted beside it),
    and its grain (`add_grain`)."""
    out = shade_floor(painted, person, to_skin, body_seen)
    seen = person[body_seen.astype(bool)].astype(np.float32) @ LUMA
    brightest = float(np.quantile(seen, LIT_QUANTILE)) if len(seen) >= MIN_GRAIN_PIXELS else float("inf")
    out = outline_light(out, to_skin, backdrop, outline_fall(person, body_seen, scene), brightest, modelled)
    out = match_seam(out, person, to_skin, visible)
    return add_grain(out, person, to_skin, body_seen)
