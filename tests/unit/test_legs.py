"""Legs bared by a shorter garment: their shape from the legs the photo shows, and their paint, on synthetic shoppers.

The shopper (tests/poses.py: hips at row 230, knees at 310, ankles at 385) wears a long black dress down to
row OLD_HEM; below it their calves show, CALF px wide, standing apart or together. A shorter new dress ends at
NEW_HEM: between the two hems the legs are repainted.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from poses import FRONTAL, frontal_pose

from fittingroom.common import landmarks as lm
from fittingroom.common.body import LEG_HEM, LEG_KNEE, LEG_SEEN, Pose
from fittingroom.common.garment import Category
from fittingroom.segment.legs import ANKLE_HEIGHT, KNEE_WIDTH, leg_shapes
from fittingroom.segment.worn_garment import bare_body
from fittingroom.tryon.classical import WARPED, ClassicalGarmentPipeline, Dressed
from fittingroom.tryon.requests import GarmentRequest
from fittingroom.warp_gen.dress import repaint_uncovered
from fittingroom.warp_gen.fit import GarmentFit, WarpedGarment
from fittingroom.warp_gen.limb_light import KNEE_TALL, cylinder_light, knee_light, leg_skin, limb_profile

H, W = 400, 300
BACKDROP = (235, 235, 235)
DRESS = (20, 20, 24)
LEG_SKIN = (180, 132, 110)
FACE_SKIN = (240, 205, 185)  # paler than the legs: the legs' tone must come from the legs
CALF = 22
OLD_HEM, NEW_HEM = 330, 262
HIP_JOINTS = 60.0  # FRONTAL's hip joints' distance
MODELLED = limb_profile(np.array(LEG_SKIN, np.float32), 0.8, 1.3)  # a leg's colours across it when none shows


def _leg_x(leg: int, y: float, spread: float) -> float:
    """The middle of a drawn leg at row `y`: the pose's bone, spread out by `spread` px at the knees and below."""
    hip, knee, ankle = ((lm.LEFT_HIP, lm.LEFT_KNEE, lm.LEFT_ANKLE), (lm.RIGHT_HIP, lm.RIGHT_KNEE, lm.RIGHT_ANKLE))[leg]
    ys = [FRONTAL[hip][1], FRONTAL[knee][1], FRONTAL[ankle][1]]
    xs = [FRONTAL[hip][0], FRONTAL[knee][0], FRONTAL[ankle][0]]
    outward = 1.0 if leg == 0 else -1.0
    return float(np.interp(y, ys, xs)) + outward * spread * float(np.clip((y - ys[0]) / (ys[1] - ys[0]), 0, 1))


def _shopper(*, spread: float = 0.0, calf: int = CALF, lit_from_right: float = 0.0, rounded: float = 0.0,
             dimming: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """image, person mask, old dress mask and skin mask: a face, a long black dress, two calves below it (their
    right sides brighter than their left by `lit_from_right` of their tone, their sides darker than their middle by
    `rounded` of it, each row `dimming` of it darker than the row above from the old hem down)."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.circle(image, (150, 60), 30, FACE_SKIN, -1)
    across = np.linspace(-1.0, 1.0, calf)[:, None]
    light = (1.0 + lit_from_right * across / 2) * (1.0 - rounded * across**2)
    for leg in (0, 1):
        for y in range(OLD_HEM - 20, 386):
            x = _leg_x(leg, y, spread)
            dimmed = light * (1.0 - dimming * max(y - OLD_HEM, 0))
            image[y, round(x - calf / 2):round(x - calf / 2) + calf] = np.round(np.array(LEG_SKIN) * dimmed)
    dress = np.zeros((H, W), np.uint8)
    cv2.fillPoly(dress, [np.array([[110, 110], [190, 110], [200, OLD_HEM], [100, OLD_HEM]], np.int32)], 1)
    image[dress > 0] = DRESS
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    skin = (person > 0) & ~(dress > 0)
    skin[image[..., 0] < 100] = False  # the dress's black
    return image, person, dress, skin.astype(np.uint8)


def _pose() -> Pose:
    return frontal_pose()


def _runs(row: np.ndarray) -> list[tuple[int, int]]:
    """The [start, end] column runs of a boolean row."""
    padded = np.concatenate([[False], row.astype(bool), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def test_each_leg_is_as_wide_as_the_calves_the_photo_shows_below_the_old_hem() -> None:
    _, person, dress, _ = _shopper(spread=4.0)
    legs = leg_shapes(_pose(), (H, W), person, dress)
    for leg in (0, 1):
        row = legs[leg][350]
        assert (row == LEG_SEEN).sum() == pytest.approx(CALF, abs=1)  # measured where it shows
        # Its middle is where the photo shows it (4 px outward of the pose's bone), not on the bone.
        assert np.flatnonzero(row).mean() == pytest.approx(_leg_x(leg, 350, 4.0), abs=1)
        # Above the hem it goes on up the bone, wider towards the thigh, never twice the calf at the knee.
        widths = [int((legs[leg][y] > 0).sum()) for y in (320, 300, 270)]
        assert CALF - 2 <= widths[0] <= widths[1] <= widths[2] <= 2.2 * CALF
        assert not (legs[leg][300] == LEG_SEEN).any()  # under the dress it is shaped, not seen


def test_legs_that_stand_apart_part_above_the_hem_and_meet_at_the_crotch() -> None:
    _, person, dress, _ = _shopper(spread=6.0)
    union = leg_shapes(_pose(), (H, W), person, dress).max(axis=0) > 0
    assert len(_runs(union[300])) == 2 and not union[300, 150]  # the backdrop shows between the knees
    assert len(_runs(union[236])) == 1  # just below the hip joints the thighs are one


def test_legs_that_stand_together_stay_together_above_the_hem() -> None:
    # Calves 34 px wide on bones 56 px apart at the knee: touching at the old hem, and so above it.
    _, person, dress, _ = _shopper(calf=56)
    union = leg_shapes(_pose(), (H, W), person, dress).max(axis=0) > 0
    assert all(len(_runs(union[y])) == 1 for y in range(240, OLD_HEM))


def test_without_visible_legs_the_widths_come_from_the_hip_joints() -> None:
    legs = leg_shapes(_pose(), (H, W))
    knee_row = int(FRONTAL[lm.LEFT_KNEE][1])
    assert (legs[0][knee_row] > 0).sum() == pytest.approx(KNEE_WIDTH * HIP_JOINTS, abs=2)
    assert not (legs == LEG_SEEN).any()
    assert not leg_shapes(frontal_pose(visibility=0.01), (H, W)).any()  # no hips or knees seen: no legs


def test_the_legs_round_into_the_hips_with_no_step_beside_the_torso() -> None:
    # The thighs' tops stand wider than the torso's box at the hip joints (row 230): the body's outline goes in
    # towards the waist row by row, with no step (a notch of backdrop beside the hips below a mini's hem).
    body = bare_body(_pose(), (H, W), leg_shapes(_pose(), (H, W), worn=_shopper()[2]))  # no leg shows
    hips = int(FRONTAL[lm.LEFT_HIP][1])
    rows = range(hips - 24, hips + 8)
    left = np.array([np.flatnonzero(body[y]).min() for y in rows])
    right = np.array([np.flatnonzero(body[y]).max() for y in rows])
    assert np.abs(np.diff(left)).max() <= 2 and np.abs(np.diff(right)).max() <= 2
    assert right[-1] - left[-1] > right[0] - left[0] + 8  # the hips are wider than the torso above them


def test_bare_body_holds_the_legs_it_is_given() -> None:
    _, person, dress, _ = _shopper(spread=6.0)
    legs = leg_shapes(_pose(), (H, W), person, dress)
    body = bare_body(_pose(), (H, W), legs)
    assert set(np.unique(body)) <= {0, 1}
    assert np.array_equal(body[300] > 0, legs.max(axis=0)[300] > 0)  # below the torso: the legs only


def _repaint(spread: float, lit_from_right: float = 0.0, rounded: float = 0.0, calf: int = CALF,
             new_hem: int = NEW_HEM, dimming: float = 0.0, hem_band: bool = False
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The old dress shortened to `new_hem`: the image before and after, the uncovered part (with the old hem's band
    on the legs, as the classical composite has it, when `hem_band`) and the legs."""
    image, person, dress, skin = _shopper(spread=spread, lit_from_right=lit_from_right, rounded=rounded, calf=calf,
                                          dimming=dimming)
    legs = leg_shapes(_pose(), (H, W), person, dress)
    new = dress.copy()
    new[new_hem:] = 0
    uncovered = (dress > 0) & (new == 0)
    if hem_band:
        uncovered |= (legs == LEG_HEM).any(axis=0)
    body = bare_body(_pose(), (H, W), legs)
    out = repaint_uncovered(image, uncovered, body, skin, dress > 0, cover=new, legs=legs)
    return image, out, uncovered, legs


def test_repainted_legs_keep_the_backdrop_between_them_and_take_the_legs_tone() -> None:
    image, out, uncovered, _ = _repaint(spread=6.0)
    assert np.abs(out[300, 150].astype(int) - BACKDROP).max() <= 8  # between the knees: backdrop, not skin
    for leg in (0, 1):
        middle = out[300, round(_leg_x(leg, 300, 6.0))].astype(int)
        assert np.abs(middle - LEG_SKIN).max() <= 12  # the legs' own tone, not the paler face's
    assert np.array_equal(out[~uncovered], image[~uncovered])  # nothing else changes


def _painted_row(image: np.ndarray, uncovered: np.ndarray, legs: np.ndarray, row: int) -> np.ndarray:
    """float: the legs' paint (before its outline is blended with the backdrop) along `row`, channels averaged."""
    new = np.zeros((H, W), np.uint8)
    new[:NEW_HEM] = 1
    return leg_skin(np.zeros((H, W, 3), np.float32), image, uncovered, legs, new, MODELLED)[row].mean(axis=1)


def test_repainted_legs_are_rounded_as_the_visible_ones_and_shaded_under_the_new_hem() -> None:
    image, out, uncovered, legs = _repaint(spread=6.0, rounded=0.25)
    luma = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY).astype(int)
    row = 300
    left, right = _runs(legs[0][row] > 0)[0]
    middle = (left + right) // 2
    assert luma[NEW_HEM + 1, middle] < luma[row, middle] - 10  # the new hem's shadow on the thigh
    # Across the leg it turns from the light at its sides, as the calves below the old hem do.
    painted = _painted_row(image, uncovered, legs, row)
    assert painted[left] < 0.9 * painted[middle] and painted[right] < 0.9 * painted[middle]
    assert painted[left] < painted[left + 3] < painted[middle] + 1
    # The bared leg meets the visible one without a step: the rows either side of the old hem are alike.
    assert abs(luma[OLD_HEM - 1, middle] - luma[OLD_HEM + 1, middle]) <= 12


def test_repainted_legs_take_the_light_the_visible_legs_show_across_their_width() -> None:
    _, out, _, legs = _repaint(spread=6.0, lit_from_right=0.3)
    luma = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY).astype(int)
    for leg in (0, 1):
        left, right = _runs(legs[leg][300] > 0)[0]
        quarter = (right - left) // 4
        assert luma[300, left + quarter] < luma[300, right - quarter] - 8  # lit from the right, as below the hem


def test_a_leg_lit_to_its_outline_keeps_its_lit_side_to_the_outline() -> None:
    # Lit from the right, evenly rounded: the calves' right edge is their brightest, and so is the bared legs'.
    image, _, uncovered, legs = _repaint(spread=6.0, lit_from_right=0.4)
    for leg in (0, 1):
        left, right = _runs(legs[leg][300] > 0)[0]
        painted = _painted_row(image, uncovered, legs, 300)
        assert painted[right] >= painted[(left + right) // 2] + 10  # no darker rim laid over the lit side
        assert painted[right] >= painted[right - 2] - 2


def _step_at_join(out: np.ndarray, legs: np.ndarray, leg: int) -> int:
    """The largest luma difference across `leg` between the bared rows just above where the photo shows it and the
    rows just below."""
    luma = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY).astype(int)
    top = int(np.flatnonzero((legs[leg] == LEG_SEEN).any(axis=1))[0])
    left, right = _runs(legs[leg][top] > 0)[0]
    return int(np.abs(luma[top - 2, left + 1:right] - luma[top + 1, left + 1:right]).max())


def test_a_thin_leg_meets_the_visible_one_without_a_step() -> None:
    # Calves 12 px wide show fewer than MIN_LEG_PIXELS px in their top three rows; their light dims down the leg (the
    # leg's colours over all it shows are darker than its top rows').
    _, out, _, legs = _repaint(spread=6.0, calf=12, dimming=0.006, hem_band=True)
    assert all(_step_at_join(out, legs, leg) <= 6 for leg in (0, 1))


def test_a_new_hem_just_above_the_old_one_casts_no_seam_where_the_leg_shows() -> None:
    # The new dress ends 8 rows above the old: its shadow on the legs is gone by the rows the photo shows.
    _, out, _, legs = _repaint(spread=6.0, new_hem=OLD_HEM - 8, hem_band=True)
    assert all(_step_at_join(out, legs, leg) <= 4 for leg in (0, 1))


def test_a_shaped_leg_marks_its_knee_row() -> None:
    _, person, dress, _ = _shopper(spread=6.0)
    legs = leg_shapes(_pose(), (H, W), person, dress)
    for leg, knee in zip(legs, (lm.LEFT_KNEE, lm.RIGHT_KNEE), strict=True):
        assert np.flatnonzero((leg == LEG_KNEE).any(axis=1)).tolist() == [FRONTAL[knee][1]]
        assert set(np.unique(leg)) == {0, 1, LEG_KNEE, LEG_HEM, LEG_SEEN}


def test_a_bared_knee_is_lit_on_its_cap_and_shaded_beneath_it() -> None:
    leg = np.zeros((H, W), np.uint8)
    leg[230:385, 100:130] = 1
    leg[310, 100:130] = LEG_KNEE
    tall = KNEE_TALL * 15  # px: the knee's half width is 15
    rows = np.array([310 - 0.4 * tall, 310 + 1.1 * tall, 310 + 5 * tall, 250])
    light = knee_light(leg, rows, np.zeros(4))
    assert light[0] > 1.0 > light[1]  # the cap's top faces the light, beneath it the rim turns away
    assert light[2] == pytest.approx(1.0, abs=1e-3) and light[3] == pytest.approx(1.0, abs=1e-3)  # off the knee
    leg[310] = 1
    assert np.array_equal(knee_light(leg, rows, np.zeros(4)), np.ones(4, np.float32))  # no knee marked


def test_the_repainted_knee_is_shaded_beneath_its_cap() -> None:
    image, _, uncovered, legs = _repaint(spread=6.0)
    painted = leg_skin(np.zeros((H, W, 3), np.float32), image, uncovered, legs, np.zeros((H, W), np.uint8),
                       MODELLED)
    for leg in (0, 1):
        left, right = _runs(legs[leg][310] > 0)[0]
        middle, tall = (left + right) // 2, KNEE_TALL * (right - left + 1) / 2
        beneath, cap, thigh = painted[round(310 + 1.1 * tall), middle], painted[310, middle], painted[285, middle]
        assert beneath.mean() < cap.mean() - 4 and beneath.mean() < thigh.mean() - 4


def test_the_old_hem_band_lies_between_the_garment_and_the_legs_seen() -> None:
    _, person, dress, _ = _shopper(spread=6.0)
    legs = leg_shapes(_pose(), (H, W), person, dress)
    for leg in legs:
        rows = [int(np.max(leg[y])) for y in range(OLD_HEM - 6, OLD_HEM + 20)]
        assert LEG_HEM in rows and rows.index(LEG_HEM) < rows.index(LEG_SEEN)  # the hem's edge, then the leg seen
        assert all(value == LEG_SEEN for value in rows[rows.index(LEG_SEEN):])


def test_without_visible_legs_each_bared_leg_is_rounded_as_the_modelled_limb() -> None:
    """Trousers to the shoes swapped for shorts: no leg shows to learn from; each takes the modelled profile (its
    middle brighter than its sides, the skin's tone on average) instead of the flat paint."""
    image = _shopper()[0]
    legs = leg_shapes(_pose(), (H, W))
    painted = np.full((H, W, 3), 100.0, np.float32)
    to_skin = np.zeros((H, W), bool)
    to_skin[280:380, 60:240] = True
    out = leg_skin(painted, image, to_skin, legs, np.zeros((H, W), np.uint8), MODELLED)
    row = 350
    span = np.flatnonzero(legs[0][row] > 0)
    luma = out[row, span].mean(axis=1)
    middle, sides = luma[len(span) // 2], min(luma[1], luma[-2])
    assert middle > sides + 10  # rounded, not flat
    assert np.abs(out[row, span].mean(axis=0) - LEG_SKIN).max() <= 0.08 * max(LEG_SKIN)  # the tone on average
    assert np.array_equal(out[~to_skin], painted[~to_skin])  # off the bared legs: unchanged


def test_legs_modelled_from_arms_lit_almost_flat_are_still_rounded_as_legs() -> None:
    """The arms read their sides 0.95 of their middle (thin arms' sides are read near their middle): the bared legs
    modelled from them are no flatter than the legs these photos show, their outline a tenth darker than their
    middle."""
    legs = leg_shapes(_pose(), (H, W))
    to_skin = np.zeros((H, W), bool)
    to_skin[280:380, 60:240] = True
    flat_arms = limb_profile(np.array(LEG_SKIN, np.float32), 0.95, 1.3)
    out = leg_skin(np.zeros((H, W, 3), np.float32), _shopper()[0], to_skin, legs, np.zeros((H, W), np.uint8),
                   flat_arms)
    span = np.flatnonzero(legs[0][350] > 0)
    luma = out[350, span].mean(axis=1)
    assert max(luma[0], luma[-1]) < 0.92 * luma[len(span) // 2]


def test_legs_reach_down_to_the_worn_trousers_bottom_below_the_ankles() -> None:
    """Trousers to the shoes hide the ankle: the legs go on below the pose's ankle point to their bottom, never
    farther than the ankle stands above the sole."""
    ankle = int(FRONTAL[lm.LEFT_ANKLE][1])
    thigh = FRONTAL[lm.LEFT_KNEE][1] - FRONTAL[lm.LEFT_HIP][1]
    tall = H + 60
    for bottom, reach in ((ankle + 8, ankle + 8), (tall - 1, round(ankle + ANKLE_HEIGHT * thigh))):
        trousers = np.zeros((tall, W), np.uint8)
        trousers[200:bottom + 1, 90:210] = 1
        legs = leg_shapes(_pose(), (tall, W), trousers.astype(np.float32), trousers)
        assert int(np.flatnonzero(legs.max(axis=0).any(axis=1))[-1]) == pytest.approx(reach, abs=1)


def test_cylinder_light_runs_from_the_ridge_to_the_shade() -> None:
    light = cylinder_light(np.array([0.0, 0.5, 1.0, 2.0]), 1.0, 0.6)
    assert light[0] == pytest.approx(1.0) and light[2] == pytest.approx(0.6) and light[3] == pytest.approx(0.6)
    assert 0.6 < light[1] < 1.0


def test_the_repaint_is_the_same_for_the_same_photo() -> None:
    first, second = _repaint(spread=6.0, lit_from_right=0.3)[1], _repaint(spread=6.0, lit_from_right=0.3)[1]
    assert np.array_equal(first, second)  # the skin's grain is seeded from the photo


def _shortened(image: np.ndarray, person: np.ndarray, old: np.ndarray, colour: tuple[int, int, int],
               category: Category) -> Dressed:
    """The classical composite of a garment in `colour` shaped like the `old` one but ending at NEW_HEM."""
    new = old.copy()
    new[NEW_HEM:] = 0
    warped = np.zeros((H, W, 3), np.uint8)
    warped[new > 0] = colour
    fit = GarmentFit(names=(), source=np.zeros((0, 2)), target=np.zeros((0, 2)), body=np.zeros((0, 2)), limbs=())
    laid_on = WarpedGarment(image=warped, alpha=new.astype(np.float32), fit=fit, laid=np.zeros((H, W), np.uint8))
    return ClassicalGarmentPipeline.composite(GarmentRequest(image, image, category), person, _pose(), laid_on,
                                              np.zeros((H, W), np.uint8), old)


def test_a_shorter_dress_in_the_classical_composite_bares_two_legs_with_the_backdrop_between() -> None:
    image, person, dress, _ = _shopper(spread=6.0)
    dressed = _shortened(image, person, dress, (40, 140, 90), Category.DRESS)
    assert dressed.dressing == WARPED
    out = dressed.image.astype(int)
    assert np.abs(out[300, 150] - BACKDROP).max() <= 8  # between the knees
    for leg in (0, 1):
        assert np.abs(out[300, round(_leg_x(leg, 300, 6.0))] - LEG_SKIN).max() <= 25  # a thigh, in the legs' tone
    assert dressed.repainted[OLD_HEM + 2, round(_leg_x(0, OLD_HEM + 2, 6.0))]  # the old hem's edge on the leg too


def test_shorts_over_cropped_trousers_bare_two_legs_with_the_backdrop_between() -> None:
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.circle(image, (150, 60), 30, FACE_SKIN, -1)
    cv2.rectangle(image, (105, 100), (195, 225), (200, 200, 60), -1)  # a yellow top
    trousers = np.zeros((H, W), np.uint8)
    cv2.rectangle(trousers, (110, 222), (190, 250), 1, -1)
    for leg in (0, 1):
        for y in range(230, 386):
            x = _leg_x(leg, y, 6.0)
            image[y, round(x - CALF / 2):round(x - CALF / 2) + CALF] = LEG_SKIN
            if y < OLD_HEM:
                trousers[y, round(x - 20):round(x + 20)] = 1
    image[trousers > 0] = (30, 40, 110)  # navy trousers down to mid-calf
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    dressed = _shortened(image, person, trousers, (200, 60, 60), Category.LOWER)
    out = dressed.image.astype(int)
    assert np.abs(out[300, 150] - BACKDROP).max() <= 8
    for leg in (0, 1):
        assert np.abs(out[300, round(_leg_x(leg, 300, 6.0))] - LEG_SKIN).max() <= 25


def test_thighs_that_touch_shade_each_other_where_they_meet() -> None:
    """Legs shaped together (knees touching below a fitted dress) show where they meet: a shade along the line
    between them, not one pale block."""
    image, person, dress, _ = _shopper(calf=56)
    legs = leg_shapes(_pose(), (H, W), person, dress)
    new = np.zeros((H, W), np.uint8)
    new[:NEW_HEM] = 1
    uncovered = (dress > 0) & (new == 0)
    row = 300
    runs = _runs((legs.max(axis=0) > 0)[row])
    assert len(runs) == 1  # one run: the legs touch
    luma = leg_skin(np.zeros((H, W, 3), np.float32), image, uncovered, legs, new, MODELLED)[row].mean(axis=1)
    seam = 150 + int(np.argmin(luma[140:161])) - 10
    assert abs(seam - 150) <= 3  # on the line between the legs
    (left, right), = runs
    assert luma[seam] < 0.9 * min(luma[(left + seam) // 2], luma[(seam + right) // 2])  # darker than their middles


def test_legs_no_photo_shows_take_the_tone_of_the_feet_below_them() -> None:
    """Shorts over trousers that reached the shoes: the bared legs take the tone of the ankles and feet the photo
    shows below them (the legs' own skin), not the paler face's."""
    ankle = int(FRONTAL[lm.LEFT_ANKLE][1])
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.circle(image, (150, 60), 30, FACE_SKIN, -1)
    trousers = np.zeros((H, W), np.uint8)
    trousers[200:ankle + 2, 95:205] = 1
    image[trousers > 0] = DRESS
    for leg in (0, 1):  # the feet below the trousers
        x = round(_leg_x(leg, ankle, 0.0))
        image[ankle + 2:ankle + 12, x - 10:x + 11] = LEG_SKIN
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    skin = (person > 0) & (trousers == 0)
    legs = leg_shapes(_pose(), (H, W), person, trousers)
    shorts = trousers.copy()
    shorts[NEW_HEM:] = 0
    uncovered = (trousers > 0) & (shorts == 0)
    out = repaint_uncovered(image, uncovered, bare_body(_pose(), (H, W), legs), skin.astype(np.uint8),
                            trousers > 0, cover=shorts, legs=legs)
    middle = out[340, round(_leg_x(0, 340, 0.0))].astype(int)
    assert np.abs(middle - LEG_SKIN).max() <= 0.12 * max(LEG_SKIN)
