"""Repainted skin going on from the shopper's own (seam, outline, grain), on synthetic images."""

from __future__ import annotations

import cv2
import numpy as np

from fittingroom.warp_gen.dress import ARM_RIDGE, ARM_SHADE, LUMA, repaint_uncovered
from fittingroom.warp_gen.limb_light import skin_grain
from fittingroom.warp_gen.skin_fill import (
    DEFAULT_OUTLINE,
    GRAIN_MAX_SPREAD,
    GRAIN_SMOOTH_RANGE,
    SEAM_SKIP,
    SHADE_DEEPEST,
    add_grain,
    match_seam,
    outline_fall,
    outline_light,
    seam_rim,
    shade_floor,
)

H, W = 120, 100
BACKDROP = (232, 232, 232)
SKIN = (210, 160, 130)


def _noisy_skin(seed: int, spread: float, blur: float = 0.6) -> np.ndarray:
    """HxWx3 uint8: SKIN with a fine grain of relative `spread` (a pixel's own, blurred over `blur` px as a photo's
    is)."""
    noise = np.random.default_rng(seed).normal(0.0, 1.0, (H, W)).astype(np.float32)
    noise = cv2.GaussianBlur(noise, (0, 0), blur)
    noise *= spread / noise.std()
    return np.clip(np.array(SKIN, np.float32) * (1.0 + noise)[..., None], 0, 255).astype(np.uint8)


def test_the_paint_meets_the_visible_skin_without_a_step_and_keeps_its_own_colour_deeper_in() -> None:
    person = np.full((H, W, 3), SKIN, np.uint8)
    visible = np.zeros((H, W), bool)
    visible[:40, 20:80] = True  # the neck and shoulders the photo shows
    to_skin = np.zeros((H, W), bool)
    to_skin[40:, 20:80] = True  # the chest below, repainted a fifth too dark
    painted = np.zeros((H, W, 3), np.float32)
    painted[to_skin] = np.array(SKIN, np.float32) * 0.8
    out = match_seam(painted, person, to_skin, visible)
    at_seam = out[41, 50] / np.array(SKIN, np.float32)
    assert np.all(np.abs(at_seam - 1.0) < 0.05)  # next to the visible skin: its colour
    assert np.all(np.abs(out[110, 50] / painted[110, 50] - 1.0) < 0.1)  # deep in: the paint's own
    assert np.array_equal(out[~to_skin], painted[~to_skin])


def _patch_in_skin() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Visible skin all round a repainted patch (a strap's place, a chest bared by a lower neckline) that was
    painted a seventh too pale, with a modelled shade inside it: (person, visible, to_skin, painted, the shade)."""
    person = np.full((H, W, 3), SKIN, np.uint8)
    to_skin = np.zeros((H, W), bool)
    to_skin[30:90, 25:75] = True
    visible = ~to_skin
    rows = np.arange(H, dtype=np.float32)[:, None]
    shade = np.broadcast_to(1.0 - 0.08 * np.exp(-0.5 * ((rows - 60.0) / 8.0) ** 2), (H, W))  # a collarbone's shade
    painted = np.where(to_skin[..., None], np.array(SKIN, np.float32) * 1.15 * shade[..., None], 0.0)
    return person, visible, to_skin, painted.astype(np.float32), shade


def test_a_patch_within_the_skin_meets_it_without_a_step_along_all_its_seam_and_keeps_its_shade() -> None:
    person, visible, to_skin, painted, shade = _patch_in_skin()
    out = match_seam(painted, person, to_skin, visible)
    tone = np.array(SKIN, np.float32) @ LUMA
    luma = out @ LUMA
    seam = to_skin & ~cv2.erode(to_skin.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    assert np.all(np.abs(luma[seam] / tone - 1.0) < 0.03)  # all round: top, bottom and both sides
    # Inside, the modelled shade stays: the middle row is darker than the rows above and below it by about as much.
    kept = luma[60, 50] / luma[45, 50]
    assert abs(kept - shade[60, 50] / shade[45, 50]) < 0.03
    assert np.all(np.abs(luma[to_skin] / tone - 1.0) < 0.1)  # the pale seventh gone throughout
    assert np.array_equal(out[~to_skin], painted[~to_skin])
    assert np.array_equal(out, match_seam(painted, person, to_skin, visible))  # deterministic


def test_a_thin_strip_of_skin_between_two_repainted_parts_is_a_seam_to_match() -> None:
    """Real skin 4 px tall between two repainted parts (above an old sweetheart neckline, below a bared collar):
    the paint on either side meets it without a step."""
    person = np.full((H, W, 3), SKIN, np.uint8)
    to_skin = np.zeros((H, W), bool)
    to_skin[20:56, 20:80] = True
    to_skin[60:100, 20:80] = True
    visible = ~to_skin
    painted = np.where(to_skin[..., None], np.array(SKIN, np.float32) * 0.85, 0.0).astype(np.float32)
    out = match_seam(painted, person, to_skin, visible)
    tone = np.array(SKIN, np.float32) @ LUMA
    assert abs(float(out[55, 50] @ LUMA) / tone - 1.0) < 0.03
    assert abs(float(out[60, 50] @ LUMA) / tone - 1.0) < 0.03


def test_the_garment_beside_a_patch_lends_it_no_colour() -> None:
    """A patch with skin above it and a green garment below and beside it: the garment's colour never bleeds into
    the paint (only the visible skin's ratio is carried), and the paint beside the garment is as it is beside
    none."""
    person = np.full((H, W, 3), SKIN, np.uint8)
    garment = np.zeros((H, W), bool)
    garment[70:, :] = True
    garment[:, 75:] = True
    person[garment] = (30, 150, 90)
    to_skin = np.zeros((H, W), bool)
    to_skin[40:70, 25:75] = True
    visible = ~to_skin & ~garment
    painted = np.where(to_skin[..., None], np.array(SKIN, np.float32) * 0.85, 0.0).astype(np.float32)
    out = match_seam(painted, person, to_skin, visible)
    hue = out[to_skin] / np.array(SKIN, np.float32)
    assert np.all(np.abs(hue - hue[:, :1]) < 0.01)  # each pixel the skin's colour, scaled: no green in it
    neutral = person.copy()
    neutral[garment] = BACKDROP
    assert np.allclose(out, match_seam(painted, neutral, to_skin, visible))


def test_a_speck_of_skin_is_no_seam_to_match() -> None:
    person = np.full((H, W, 3), (90, 60, 50), np.uint8)  # a dark speck taken for skin
    visible = np.zeros((H, W), bool)
    visible[60:63, 50:53] = True
    to_skin = np.zeros((H, W), bool)
    to_skin[30:100, 20:80] = True
    to_skin &= ~visible
    painted = np.where(to_skin[..., None], np.array(SKIN, np.float32), 0.0).astype(np.float32)
    assert np.array_equal(match_seam(painted, person, to_skin, visible), painted)


def test_the_outline_fall_is_the_visible_skins_own_and_a_default_when_none_meets_the_backdrop() -> None:
    body = np.zeros((H, W), bool)
    body[:, 30:70] = True  # an upright arm on the backdrop, 2 px of its edge a tenth darker
    person = np.full((H, W, 3), BACKDROP, np.uint8)
    person[body] = SKIN
    person[:, 30:32] = (np.array(SKIN) * 0.9).astype(np.uint8)
    person[:, 68:70] = (np.array(SKIN) * 0.9).astype(np.uint8)
    fall = outline_fall(person, body, ~body)
    assert np.allclose(fall[:2], 0.9, atol=0.01) and np.allclose(fall[3:], 1.0, atol=0.01)
    default = outline_fall(person, np.zeros_like(body), ~body)
    assert np.isclose(default[0], DEFAULT_OUTLINE[0]) and np.isclose(default[-1], DEFAULT_OUTLINE[-1])


def test_the_outline_is_no_darker_than_the_skins_own_fall_and_never_darkened() -> None:
    to_skin = np.zeros((H, W), bool)
    to_skin[20:100, 30:70] = True
    across = np.abs(np.arange(W) - 49.5) / 20.0
    painted = np.zeros((H, W, 3), np.float32)
    # A modelled rounding that falls to 0.4 of the tone at the outline: blended into the backdrop, a dark halo.
    painted[to_skin] = (np.array(SKIN, np.float32)[None] * (1.0 - 0.6 * np.clip(across, 0, 1) ** 4)[:, None])[
        np.nonzero(to_skin)[1]]
    fall = np.full(8, 0.9, np.float32)
    out = outline_light(painted, to_skin, ~to_skin, fall)
    middle = float(painted[60, 50] @ LUMA)
    row = out[60, 30:70] @ LUMA
    assert row.min() >= 0.85 * middle  # the shopper's fall at its outline, no deeper
    assert np.all(out[to_skin] >= painted[to_skin] - 1e-3)  # only ever brightened
    assert np.array_equal(out[~to_skin], painted[~to_skin])
    # Where the paint's light across its outline is modelled (an arm's cylinder), it is left as modelled: an arm is
    # hardly wider than the outline's reach, and lifted all across it read as one flat tone.
    modelled = np.zeros((H, W), np.float32)
    modelled[:, :50] = 1.0
    kept = outline_light(painted, to_skin, ~to_skin, fall, modelled=modelled)
    assert np.array_equal(kept[:, :50], painted[:, :50])
    assert np.array_equal(kept[:, 50:], out[:, 50:])


def _grained(spread: float, seed: int, blur: float = 0.6) -> tuple[np.ndarray, ...]:
    """Skin of grain `spread` (blurred over `blur` px) seen on the left half, flat paint on the right: (person,
    visible, to_skin, painted, the paint with the visible skin's grain added)."""
    person = _noisy_skin(seed, spread, blur)
    visible = np.zeros((H, W), bool)
    visible[:, :50] = True
    to_skin = ~visible
    painted = np.where(to_skin[..., None], np.array(SKIN, np.float32), 0.0).astype(np.float32)
    return person, visible, to_skin, painted, add_grain(painted, person, to_skin, visible)


def test_grain_is_the_visible_skins_and_the_same_for_the_same_photo() -> None:
    person, visible, to_skin, painted, out = _grained(0.03, 1)
    relative = (out[to_skin] @ LUMA) / (np.array(SKIN, np.float32) @ LUMA)
    seen = (person[10:110, 5:45].astype(np.float32) @ LUMA) / (np.array(SKIN, np.float32) @ LUMA)
    # The visible skin's grain, less its rarest specks (clipped to its middle eight tenths).
    assert 0.4 * seen.std() <= relative.std() <= 1.1 * seen.std()
    assert abs(float(np.mean(relative)) - 1.0) < 0.01  # grain, no change of tone
    assert np.array_equal(out, add_grain(painted, person, to_skin, visible))  # deterministic
    assert np.array_equal(add_grain(painted, person, to_skin, np.zeros_like(visible)), painted)  # none to learn


def test_grain_is_no_coarser_than_skin_s_even_where_the_visible_skin_is_rough() -> None:
    """A rough patch taken for skin (a fabric, a face's features) lends the paint at most GRAIN_MAX_SPREAD."""
    _, _, to_skin, _, out = _grained(0.12, 2)
    relative = (out[to_skin] @ LUMA) / (np.array(SKIN, np.float32) @ LUMA)
    assert relative.std() <= GRAIN_MAX_SPREAD * 1.05


def test_coarse_grain_is_copied_fainter_than_fine_grain() -> None:
    """Grain correlated over a few px (mostly the skin's light: a sheen, a highlight's edge) copied as random round
    spots at its full spread read as a rash: the spread copied shrinks inversely to the grain's smoothing, down to
    GRAIN_MAX_SPREAD's share GRAIN_SMOOTH_RANGE[0] / GRAIN_SMOOTH_RANGE[1] for the coarsest."""
    person, _, to_skin, _, out = _grained(0.2, 3, 1.3)
    copied = float(((out[to_skin] @ LUMA) / (np.array(SKIN, np.float32) @ LUMA)).std())
    seen = (person[10:110, 5:45].astype(np.float32) @ LUMA) / (np.array(SKIN, np.float32) @ LUMA)
    assert copied <= GRAIN_MAX_SPREAD * GRAIN_SMOOTH_RANGE[0] / GRAIN_SMOOTH_RANGE[1] * 1.05
    assert copied < 0.5 * min(float(seen.std()), GRAIN_MAX_SPREAD)


def test_a_bared_arm_has_no_dark_halo_against_the_backdrop() -> None:
    """Long dark sleeves replaced by a sleeveless top: the arms are repainted skin beside the backdrop. Near their
    outline no pixel may be much darker than both the skin and the backdrop (the halo the modelled rounding drew:
    a quarter darker than the skin)."""
    height, width = 2 * H, 2 * W
    person = np.full((height, width, 3), BACKDROP, np.uint8)
    body = np.zeros((height, width), np.uint8)
    body[40:, 72:128] = 1  # the torso and, apart from it, the arms
    body[44:, 36:64] = 1
    body[44:, 136:164] = 1
    skin = np.zeros((height, width), np.uint8)
    skin[:40, 84:116] = 1  # the neck and the hands
    skin[210:, 36:64] = 1
    skin[210:, 136:164] = 1
    person[skin > 0] = SKIN
    old = (body > 0) & (skin == 0)
    person[old] = (40, 40, 45)
    new = np.zeros((height, width), bool)
    new[40:, 72:128] = True
    uncovered = old & ~new
    out = repaint_uncovered(person, uncovered, body, skin, old | new | (skin > 0), cover=new.astype(np.uint8))
    darkest = min(float(np.array(SKIN) @ LUMA), float(np.array(BACKDROP) @ LUMA))
    near_edge = uncovered & (cv2.dilate((body == 0).astype(np.uint8), np.ones((7, 7), np.uint8)) > 0)
    assert near_edge.any()
    # An arm's own rounding reaches ARM_SHADE of its ridge at its outline (as catalogue shoppers' arms do), no deeper.
    assert (out[near_edge].astype(np.float32) @ LUMA).min() >= 0.97 * ARM_SHADE / ARM_RIDGE * darkest


def test_repainted_skin_is_no_darker_than_the_darkest_of_the_visible_skin() -> None:
    shade = np.linspace(0.7, 1.0, W, dtype=np.float32)  # the visible skin: a shaded side to a lit one
    person = np.clip(np.array(SKIN, np.float32)[None, None] * shade[None, :, None], 0, 255).astype(np.uint8)
    person = np.repeat(person, H, axis=0)
    visible = np.zeros((H, W), bool)
    visible[:60] = True
    to_skin = ~visible
    painted = np.repeat((np.array(SKIN, np.float32)[None] * np.linspace(0.3, 1.0, W)[:, None])[None], H, axis=0).astype(
        np.float32)
    out = shade_floor(painted, person, to_skin, visible)
    seen = person[10:50].astype(np.float32) @ LUMA
    # No deeper than the visible skin's darkest, nor than a fifth below its middle (three streaks of modelled shade).
    darkest = min(float(np.quantile(seen, 0.05)), SHADE_DEEPEST * float(np.median(seen)))
    assert float((out[to_skin] @ LUMA).min()) >= 0.99 * darkest
    assert np.allclose(out[80, -10:], painted[80, -10:], rtol=1e-4)  # the lit paint as it was
    assert np.array_equal(out[visible], painted[visible])


def test_the_seam_rim_is_the_skin_beside_the_hole_on_the_body_only() -> None:
    hole = np.zeros((H, W), bool)
    hole[40:, 20:80] = True
    skin = np.zeros((H, W), bool)
    skin[:40, :] = True  # the neck and, off the body, something skin-coloured beside it
    body = np.zeros((H, W), bool)
    body[:, 20:80] = True
    rim = seam_rim(hole, body, skin)
    assert rim[40 - SEAM_SKIP:40, 30:70].all() and not rim[:40 - SEAM_SKIP].any()
    assert not rim[:, :20].any() and not (rim & hole).any()


def _neighbours_correlation(values: np.ndarray) -> float:
    """The correlation of each pixel's deviation with its right-hand neighbour's."""
    centred = values - values.mean()
    return float((centred[:, :-1] * centred[:, 1:]).mean() / centred.var())


def test_grain_is_as_fine_as_the_visible_skins_own() -> None:
    """Skin whose grain is blurred over a pixel (a photo scaled down): the paint's grain is as coarse, not white
    noise finer than it (which read as sand on a bared arm)."""
    for blur in (0.6, 1.0):
        person, visible, to_skin, _, out = _grained(0.03, 3, blur)
        # Both read as the skin's grain is (over its blur: a shade across the skin is no grain).
        seen = _neighbours_correlation(skin_grain(person, visible)[10:110, 5:45])
        painted = _neighbours_correlation(skin_grain(out, to_skin)[10:110, 55:95])
        assert abs(painted - seen) < 0.1
