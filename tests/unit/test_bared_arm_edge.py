"""An arm bared from an old sleeve, on synthetic photos: its outline against the backdrop, and its inner side."""

from __future__ import annotations

import numpy as np
from poses import frontal_pose
from test_arms import BACKDROP, H, W, _photo, bared_right_sleeve

from fittingroom.warp_gen.arms import fit_arms
from fittingroom.warp_gen.dress import ARM_RIDGE, ARM_SHADE, arm_shading, arm_strips, front_slivers, skin_gaps

LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def _bared_right_forearm() -> tuple[np.ndarray, np.ndarray]:
    """The navy right sleeve (on the image's left) replaced by a sleeveless garment: the sleeve's mask and the
    repainted photo's luma."""
    sleeve, out = bared_right_sleeve()
    return sleeve, out.astype(np.float32) @ LUMA


def test_a_bared_arm_meets_the_backdrop_within_a_pixel_and_no_lighter() -> None:
    """A catalogue arm meets its backdrop within about a pixel: past the repainted arm's outline the backdrop is
    the backdrop's own (no quarter of skin there, no pale rim lighter than it), and between the backdrop's level and
    the arm's darker edge at most one pixel blends the two on each side of the arm."""
    sleeve, luma = _bared_right_forearm()
    backdrop = float(np.array(BACKDROP, np.float32) @ LUMA)
    for row in range(170, 230, 6):
        across = np.flatnonzero(sleeve[row])
        left, right = int(across[0]), int(across[-1])
        assert (luma[row, left - 6:left - 1] <= backdrop + 1.0).all()  # never lighter than the backdrop
        assert abs(float(luma[row, left - 2]) - backdrop) <= 2.0  # the backdrop's own right up to the outline
        arm = float(np.median(luma[row, left + 3:right - 2]))
        span = luma[row, left - 4:left + 4]
        blends = (span > arm + 0.1 * (backdrop - arm)) & (span < backdrop - 0.1 * (backdrop - arm))
        assert blends.sum() <= 1


def test_skin_bared_between_an_arm_and_the_new_garment_is_the_arms_turning_side() -> None:
    """A loose old sleeve bares skin past the fitted arm's inner outline, up to the new garment's side: it is the
    arm's side turning from the light (limb, darker than its bone), not torso lit as the chest (a pale band)."""
    image, person, skin = _photo()
    arms = fit_arms(frontal_pose(), image, person, skin)
    bare = arms.mask()
    strip = np.zeros_like(bare)
    for row in range(180, 230):  # 7 px of skin beside the right forearm's inner outline
        inner = int(np.flatnonzero(bare[row, :120])[-1])
        strip[row, inner + 1:inner + 8] = True
    bare |= strip
    torso = (np.abs(np.arange(W)[None] - 150) < 30) & (np.arange(H)[:, None] > 100)
    garment = torso | (np.arange(W)[None] > 90) & ~bare  # hanging behind the arm, up to its bared side
    shade, limb = arm_shading(bare, bare | torso, arms, cover=garment & (np.arange(H)[:, None] > 100))
    rows = slice(190, 220)
    assert (limb[rows][strip[rows]] > 0.75).all() and float(np.median(limb[rows][strip[rows]])) > 0.95
    ridge = float(np.median(shade[rows, 75:90].max(axis=1)))
    assert abs(ridge - ARM_RIDGE) < 0.06
    assert float(np.median(shade[rows][strip[rows]])) < ridge - 0.05  # its side, not lit as the chest
    outermost = [float(shade[row, np.flatnonzero(strip[row])[-1]]) for row in range(190, 220)]
    assert abs(float(np.median(outermost)) - ARM_SHADE) < 0.06  # its outline at the arm's outline shade


def test_an_arm_with_no_skin_beside_it_keeps_its_profile() -> None:
    """No strip: the places across the arm are unchanged (every other repainted arm stays as it was)."""
    across = np.tile(np.abs(np.arange(40, dtype=np.float32) - 20) / 8, (30, 1))
    fitted = across <= 1.0
    found, stretched = arm_strips(fitted, fitted, fitted.copy(), ~fitted, across, 2.0)
    assert not found.any() and np.array_equal(stretched, across)


def test_a_strip_beside_an_arm_stretches_its_profile_to_the_strips_outline() -> None:
    across = np.tile(np.abs(np.arange(40, dtype=np.float32) - 20) / 8, (30, 1))
    fitted = across <= 1.0  # columns 12..28
    bare = fitted.copy()
    bare[:, 29:31] = True  # two cells of skin beside its right side, then the new garment
    found, stretched = arm_strips(fitted, fitted, bare, ~bare, across, 2.0)
    assert found[5:25, 29:31].all() and not found[:, :29].any()
    assert abs(float(stretched[15, 30]) - 1.0) < 0.1  # the strip's outline is the arm's outline
    assert (np.diff(stretched[15, 20:31]) > 0).all()  # darkening steadily from the lit line to it
    assert np.allclose(stretched[15, 12:17], across[15, 12:17], atol=0.05)  # its other side as it was


def test_skin_beside_an_arm_away_from_the_new_garment_is_no_strip() -> None:
    """Skin between an arm and the backdrop or the old trousers (a midriff touching a hanging arm) keeps its light."""
    across = np.tile(np.abs(np.arange(40, dtype=np.float32) - 20) / 8, (30, 1))
    fitted = across <= 1.0
    bare = fitted.copy()
    bare[:, 29:31] = True
    found, stretched = arm_strips(fitted, fitted, bare, np.zeros_like(bare), across, 2.0)
    assert not found.any() and np.array_equal(stretched, across)


def test_a_pixel_thin_gap_between_bared_skin_and_the_new_garment_is_skin_and_a_wide_one_backdrop() -> None:
    hole = np.ones((40, 512), bool)
    skin = np.zeros_like(hole)
    skin[:, 100:120] = True  # a bared arm
    cover = np.zeros_like(hole)
    cover[:, 121:140] = True  # the new garment's side, a pixel past it
    cover[:, 142:160] = True  # and the garment again, 2 px past that: no skin between
    gaps = skin_gaps(skin, cover, hole)
    assert gaps[5:35, 120:122].all()  # the gap, and the garment's edge over it (its anti-aliased pixels show skin)
    assert not gaps[:, 122:].any() and not gaps[:, :100].any()  # the garment's inside, the next gap; the backdrop
    wide = np.zeros_like(hole)
    wide[:, 123:140] = True  # 3 px off: the backdrop between arm and body, as the photo shows it
    assert not skin_gaps(skin, wide, hole)[:, :123].any()
    hole[:, 120] = False  # the backdrop the old garment never reached, as the photo shows it
    assert not skin_gaps(skin, cover, hole).any()  # no sliver of skin beyond it


def test_a_few_pixels_of_garment_between_an_arm_in_front_and_the_backdrop_are_no_garment() -> None:
    """The garment hangs on under an arm in front of it; past the arm's occluding mask, a pixel short of the person's
    outline, it stood as a dark line along the arm's outer side."""
    person = np.zeros((60, 512), np.float32)  # SLIVER: 4 px at 512
    person[:, 10:62] = 1.0  # the body and, on columns 50..61, an arm in front of the garment's side
    front = np.zeros((60, 512), bool)
    front[:, 50:60] = True  # the arm's mask stops 2 px short of the outline
    paint = np.zeros((60, 512), np.uint8)
    paint[:, 30:62] = 1
    paint[front] = 0
    paint[:, 11:13] = 1  # a strap two pixels wide by the person's outline, away from the arm
    found = front_slivers(paint, front, person)
    assert found[:, 60:62].all()
    assert not found[:, :50].any()  # the garment's body and the strap stay
