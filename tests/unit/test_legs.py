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
from fittingroom.common.body import LEG_SEEN, Pose
from fittingroom.segment.legs import KNEE_WIDTH, leg_shapes
from fittingroom.segment.worn_garment import bare_body
from fittingroom.warp_gen.dress import repaint_uncovered
from fittingroom.warp_gen.limb_light import cylinder_light, leg_skin

H, W = 400, 300
BACKDROP = (235, 235, 235)
DRESS = (20, 20, 24)
LEG_SKIN = (190, 140, 115)
FACE_SKIN = (240, 205, 185)  # paler than the legs: the legs' tone must come from the legs
CALF = 22
OLD_HEM, NEW_HEM = 330, 262
SHOULDER_WIDTH = 90.0  # FRONTAL's


def _leg_x(leg: int, y: float, spread: float) -> float:
    """The middle of a drawn leg at row `y`: the pose's bone, spread out by `spread` px at the knees and below."""
    hip, knee, ankle = ((lm.LEFT_HIP, lm.LEFT_KNEE, lm.LEFT_ANKLE), (lm.RIGHT_HIP, lm.RIGHT_KNEE, lm.RIGHT_ANKLE))[leg]
    ys = [FRONTAL[hip][1], FRONTAL[knee][1], FRONTAL[ankle][1]]
    xs = [FRONTAL[hip][0], FRONTAL[knee][0], FRONTAL[ankle][0]]
    outward = 1.0 if leg == 0 else -1.0
    return float(np.interp(y, ys, xs)) + outward * spread * float(np.clip((y - ys[0]) / (ys[1] - ys[0]), 0, 1))


def _shopper(*, spread: float = 0.0, calf: int = CALF) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """image, person mask, old dress mask and skin mask: a face, a long black dress, two calves below it."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.circle(image, (150, 60), 30, FACE_SKIN, -1)
    for leg in (0, 1):
        for y in range(OLD_HEM - 20, 386):
            x = _leg_x(leg, y, spread)
            image[y, round(x - calf / 2):round(x - calf / 2) + calf] = LEG_SKIN
    dress = np.zeros((H, W), np.uint8)
    cv2.fillPoly(dress, [np.array([[110, 110], [190, 110], [200, OLD_HEM], [100, OLD_HEM]], np.int32)], 1)
    image[dress > 0] = DRESS
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    skin = (np.all(image == LEG_SKIN, axis=2) | np.all(image == FACE_SKIN, axis=2)).astype(np.uint8)
    return image, person, dress, skin


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


def test_without_visible_legs_the_widths_come_from_the_shoulders() -> None:
    legs = leg_shapes(_pose(), (H, W))
    knee_row = int(FRONTAL[lm.LEFT_KNEE][1])
    assert (legs[0][knee_row] > 0).sum() == pytest.approx(KNEE_WIDTH * SHOULDER_WIDTH, abs=2)
    assert not (legs == LEG_SEEN).any()
    assert not leg_shapes(frontal_pose(visibility=0.01), (H, W)).any()  # no hips or knees seen: no legs


def test_bare_body_holds_the_legs_it_is_given() -> None:
    _, person, dress, _ = _shopper(spread=6.0)
    legs = leg_shapes(_pose(), (H, W), person, dress)
    body = bare_body(_pose(), (H, W), legs)
    assert set(np.unique(body)) <= {0, 1}
    assert np.array_equal(body[300] > 0, legs.max(axis=0)[300] > 0)  # below the torso: the legs only


def _repaint(spread: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The old dress shortened to NEW_HEM: the image before and after, the uncovered part and the legs."""
    image, person, dress, skin = _shopper(spread=spread)
    legs = leg_shapes(_pose(), (H, W), person, dress)
    new = dress.copy()
    new[NEW_HEM:] = 0
    uncovered = (dress > 0) & (new == 0)
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


def test_repainted_legs_are_rounded_and_shaded_under_the_new_hem() -> None:
    _, out, _, legs = _repaint(spread=6.0)
    luma = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY).astype(int)
    row = 300
    left, right = _runs(legs[0][row] > 0)[0]
    middle = (left + right) // 2
    assert luma[row, left + 2] < luma[row, middle] - 10 and luma[row, right - 2] < luma[row, middle] - 10
    assert luma[NEW_HEM + 1, middle] < luma[row, middle] - 10  # the new hem's shadow on the thigh
    # The bared leg meets the visible one without a step: the rows either side of the old hem are alike.
    assert abs(luma[OLD_HEM - 1, middle] - luma[OLD_HEM + 1, middle]) <= 12


def test_leg_skin_changes_nothing_without_visible_legs_to_learn_from() -> None:
    image, _, dress, _ = _shopper()
    legs = leg_shapes(_pose(), (H, W))  # nothing seen: no tone to take
    painted = np.full((H, W, 3), 100.0, np.float32)
    to_skin = np.zeros((H, W), bool)
    to_skin[280:320, 100:200] = True
    assert np.array_equal(leg_skin(painted, image, to_skin, legs, dress), painted)


def test_cylinder_light_runs_from_the_ridge_to_the_shade() -> None:
    light = cylinder_light(np.array([0.0, 0.5, 1.0, 2.0]), 1.0, 0.6)
    assert light[0] == pytest.approx(1.0) and light[2] == pytest.approx(0.6) and light[3] == pytest.approx(0.6)
    assert 0.6 < light[1] < 1.0
