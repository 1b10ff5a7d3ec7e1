"""Garment landmarks and fit on shapes that catalogue product photos have and the sample garments lack:
a tie below the hem, a sleeve hidden on one side, straps at different heights, a flared skirt under flutter
sleeves, a tilted waistband, narrow trouser legs, long sleeves hanging past the hem, ruffle tiers, cap
sleeves, a raised back collar, a flutter's rest beside a V neck off the axis. Synthetic masks, drawn here."""

from __future__ import annotations

import warnings

import cv2
import numpy as np
import pytest
from poses import frontal_pose

from fittingroom.common import landmarks as lm
from fittingroom.common.body import Pose
from fittingroom.common.garment import Category
from fittingroom.segment.garment_landmarks import garment_landmarks
from fittingroom.warp_gen.fit import beside_legs, covered_mask, fit_garment, warp_garment

# A T-shirt: torso x 100..200, y 60..260; sleeves out to x 50 and 250, from y 60 to 110.
TORSO = ((100, 60), (200, 260))


def _tee(*, right_sleeve: bool = True) -> np.ndarray:
    mask = np.zeros((300, 300), np.uint8)
    cv2.rectangle(mask, *TORSO, 1, -1)
    cv2.rectangle(mask, (200, 60), (250, 110), 1, -1)  # the wearer's left sleeve (image right)
    if right_sleeve:
        cv2.rectangle(mask, (50, 60), (100, 110), 1, -1)
    return mask


def _near(point: tuple[float, float] | None, expected: tuple[float, float], tolerance: float) -> bool:
    return point is not None and float(np.hypot(point[0] - expected[0], point[1] - expected[1])) <= tolerance


def test_a_tie_below_the_hem_is_not_the_hem() -> None:
    mask = _tee()
    cv2.rectangle(mask, (185, 250), (198, 295), 1, -1)  # a tie hanging from the wearer's left hip
    marks = garment_landmarks(mask, Category.UPPER)
    assert _near(marks.left_hem, (200, 260), 4) and _near(marks.right_hem, (100, 260), 4)
    # The side line runs to the real hem, so the sleeves are still found where they are.
    assert _near(marks.left_cuff, (245, 85), 10) and _near(marks.right_cuff, (55, 85), 10)


@pytest.mark.parametrize("category", [Category.UPPER, Category.DRESS])
def test_a_cropped_garment_keeps_its_shoulders_and_armpits(category: Category) -> None:
    """A crop top or a mini is as broad at the shoulders as the long one: its armpits are looked for as deep below
    its top (a share of its width), not a share of its shorter height, which stopped above them."""
    long = np.zeros((400, 300), np.uint8)
    cv2.rectangle(long, (100, 40), (200, 380), 1, -1)
    cv2.rectangle(long, (60, 40), (240, 90), 1, -1)  # short sleeves, 50 px deep below the shoulders' line
    cropped = long.copy()
    cropped[120:] = 0  # the body cut 30 px below the armpits
    full, short = garment_landmarks(long, category), garment_landmarks(cropped, category)
    for name in ("left_shoulder", "right_shoulder", "left_armpit", "right_armpit"):
        assert _near(getattr(short, name), getattr(full, name), 3), name
    assert _near(short.left_armpit, (200, 90), 4) and _near(short.right_armpit, (100, 90), 4)


def _draped() -> np.ndarray:
    """A tee whose wearer's right sleeve (longer) has a drape from its end to the hem: no armpit corner."""
    mask = _tee()
    cv2.rectangle(mask, (20, 60), (100, 110), 1, -1)
    cv2.fillPoly(mask, [np.array([[20, 110], [100, 110], [100, 250]], np.int32)], 1)
    return mask


def test_a_sleeve_hidden_on_one_side_is_mirrored() -> None:
    marks = garment_landmarks(_draped(), Category.UPPER)
    assert marks.left_armpit is not None and marks.right_armpit is not None
    assert abs(marks.right_armpit[0] - 100) <= 2 and abs(marks.left_armpit[1] - marks.right_armpit[1]) <= 1
    assert marks.right_cuff is not None and marks.right_cuff[0] < 60 and abs(marks.right_cuff[1] - 85) <= 5


def test_a_garment_as_worn_is_not_assumed_symmetric() -> None:
    marks = garment_landmarks(_draped(), Category.UPPER, symmetric=False)
    assert marks.left_armpit is not None and marks.right_armpit is None


def test_a_sleeve_cut_short_by_the_background_takes_the_other_sides_armpit() -> None:
    mask = _tee()
    # The wearer's right sleeve lost its lower edge to the background: its corner is found lower, on a slant.
    mask[95:111, 60:100] = 0
    cv2.fillPoly(mask, [np.array([[60, 95], [100, 95], [100, 135]], np.int32)], 1)
    marks = garment_landmarks(mask, Category.UPPER)
    assert marks.left_armpit is not None and marks.right_armpit is not None
    assert abs(marks.left_armpit[1] - marks.right_armpit[1]) <= 1
    assert abs((marks.left_armpit[0] + marks.right_armpit[0]) / 2 - 150) <= 3
    unsure = garment_landmarks(mask, Category.UPPER, symmetric=False)
    assert unsure.right_armpit is None or unsure.right_armpit[1] > marks.right_armpit[1]


def test_a_sleeve_is_not_mirrored_off_the_garment() -> None:
    marks = garment_landmarks(_tee(right_sleeve=False), Category.UPPER)
    assert marks.left_cuff is not None and marks.right_cuff is None and marks.right_armpit is None


def test_each_strap_is_found_at_its_own_top() -> None:
    mask = np.zeros((300, 300), np.uint8)
    cv2.rectangle(mask, (100, 110), (200, 260), 1, -1)  # a camisole's bodice
    cv2.rectangle(mask, (180, 40), (188, 110), 1, -1)  # the wearer's left strap, photographed higher
    cv2.rectangle(mask, (112, 56), (120, 110), 1, -1)  # the right strap, 16 px lower
    marks = garment_landmarks(mask, Category.UPPER)
    assert _near(marks.left_shoulder, (188, 40), 2) and _near(marks.right_shoulder, (112, 56), 2)
    assert marks.left_armpit is None and marks.right_armpit is None
    assert marks.neck is not None and abs(marks.neck[0] - 150) <= 1 and marks.neck[1] == 110  # between the straps


def test_a_v_necks_tip_is_no_armpit() -> None:
    """A crop top whose straps the photo lost: two bodice halves above a V whose tip is off the axis."""
    mask = np.zeros((300, 300), np.uint8)
    cv2.fillPoly(mask, [np.array([[60, 100], [240, 100], [240, 260], [60, 260]], np.int32)], 1)
    cv2.fillPoly(mask, [np.array([[120, 100], [196, 100], [158, 150]], np.int32)], 0)  # a V, its tip 8 px aside
    marks = garment_landmarks(mask, Category.UPPER)
    assert marks.left_armpit is None and marks.right_armpit is None
    assert _near(marks.left_shoulder, (240, 100), 2) and _near(marks.right_shoulder, (60, 100), 2)


def test_a_flared_skirt_is_no_sleeve() -> None:
    mask = np.zeros((400, 300), np.uint8)
    bodice = np.array([[110, 40], [190, 40], [185, 150], [115, 150]], np.int32)
    skirt = np.array([[115, 150], [185, 150], [270, 390], [30, 390]], np.int32)
    cv2.fillPoly(mask, [bodice, skirt], 1)
    cv2.fillPoly(mask, [np.array([[190, 40], [235, 55], [225, 80], [189, 70]], np.int32)], 1)  # flutter sleeves
    cv2.fillPoly(mask, [np.array([[110, 40], [65, 55], [75, 80], [111, 70]], np.int32)], 1)
    marks = garment_landmarks(mask, Category.DRESS)
    for cuff in (marks.left_cuff, marks.right_cuff):
        assert cuff is not None and cuff[1] < 100  # on the flutter sleeve, not on the skirt's flare
    assert _near(marks.left_hem, (270, 390), 4) and _near(marks.right_hem, (30, 390), 4)


def test_no_all_nan_warning_on_a_garment_with_a_gap() -> None:
    mask = _tee()
    mask[150:170, 145:156] = 0  # a cut-out at the body's axis: rows where the axis run is empty
    mask[150:170, :] = 0
    mask[150:170, 120:130] = 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        garment_landmarks(mask, Category.UPPER)


def _trousers(*, leg_width: int, tilt: float = 0.0) -> np.ndarray:
    mask = np.zeros((400, 300), np.uint8)
    cv2.rectangle(mask, (100, 40), (200, 160), 1, -1)
    cv2.rectangle(mask, (150 - 6 - leg_width, 160), (144, 380), 1, -1)
    cv2.rectangle(mask, (156, 160), (156 + leg_width, 380), 1, -1)
    if tilt:
        rotation = cv2.getRotationMatrix2D((150, 200), tilt, 1.0)
        mask = cv2.warpAffine(mask, rotation, (300, 400), flags=cv2.INTER_NEAREST)
    return mask


def test_a_waistband_photographed_aslant_keeps_both_corners() -> None:
    marks = garment_landmarks(_trousers(leg_width=40, tilt=4.0), Category.LOWER)
    rotation = cv2.getRotationMatrix2D((150, 200), 4.0, 1.0)
    for found, corner in ((marks.left_waist, (200, 40)), (marks.right_waist, (100, 40))):
        expected = rotation @ np.array([*corner, 1.0])
        assert _near(found, (float(expected[0]), float(expected[1])), 4), (found, expected)


def test_knee_points_follow_each_legs_own_width() -> None:
    marks = garment_landmarks(_trousers(leg_width=30), Category.LOWER)
    assert marks.crotch is not None
    assert marks.left_knee_outer is not None and marks.left_knee_inner is not None
    assert abs(marks.left_knee_outer[0] - 186) <= 1 and abs(marks.left_knee_inner[0] - 156) <= 1
    assert marks.crotch[1] < marks.left_knee_outer[1] < 380


def _pose() -> Pose:
    """Legs apart."""
    return frontal_pose({lm.LEFT_KNEE: (190, 310), lm.RIGHT_KNEE: (110, 310), lm.LEFT_ANKLE: (200, 385),
                         lm.RIGHT_ANKLE: (100, 385)})


def test_narrow_legs_stay_narrow_and_on_the_legs() -> None:
    """Knee-level points at the garment's own width; beside them, background (not skin) for the repaint."""
    mask = _trousers(leg_width=18)
    marks = garment_landmarks(mask, Category.LOWER)
    fit = fit_garment(marks, _pose(), Category.LOWER)
    target = dict(zip(fit.names, fit.target, strict=True))
    # The knee level sits on the body's leg, as wide as the garment's leg scaled, not the body's thigh.
    knee_width = float(np.linalg.norm(target["left_knee_outer"] - target["left_knee_inner"]))
    hip_width = 60.0
    assert knee_width < 0.55 * hip_width
    # The legs touch on the product photo and stand apart on the body: the gap between them may be
    # squeezed, so the warp still puts every landmark where the fit says (no stiffening against a "fold").
    warped = warp_garment(np.dstack([mask * 200] * 3).astype(np.uint8), mask, fit, (400, 300),
                          np.zeros(mask.shape, bool))
    alpha = warped.alpha > 0.5
    # Beside the narrow legs, within the body's leg zone, is background for the repaint, not a thigh.
    beside = beside_legs(fit, warped.alpha).astype(bool)
    row = round(float(target["left_knee_outer"][1]))
    assert beside[row].any() and not (beside & alpha).any()
    assert (beside | alpha)[row].sum() >= covered_mask(fit, (400, 300))[row].sum() - 2
    for name in ("left_knee_outer", "left_knee_inner", "right_knee_outer", "right_hem_inner"):
        x, y = target[name]
        assert alpha[round(y) - 3:round(y) + 4, round(x) - 3:round(x) + 4].any(), name
    between = alpha[round(float(target["left_knee_inner"][1])),
                    round(float(target["right_knee_inner"][0])) + 3:round(float(target["left_knee_inner"][0])) - 3]
    assert not between.any()  # background between the legs


def test_below_the_hem_of_shorts_nothing_is_beside_their_legs() -> None:
    """Past a short leg's hem is the bared thigh: the band beside the legs stops at their hems (its round end cut a
    notch of backdrop into the thigh's top below the hem)."""
    shorts = _trousers(leg_width=18)
    shorts[230:] = 0
    fit = fit_garment(garment_landmarks(shorts, Category.LOWER), _pose(), Category.LOWER)
    warped = warp_garment(np.dstack([shorts * 200] * 3).astype(np.uint8), shorts, fit, (400, 300),
                          np.zeros(shorts.shape, bool))
    hem = int(np.flatnonzero((warped.alpha > 0.5).any(axis=1))[-1])
    beside = beside_legs(fit, warped.alpha).astype(bool)
    assert beside[hem - 4].any()  # beside the legs above their hems
    assert not beside[hem + 1:].any()


def test_nothing_is_beside_legs_for_a_skirt_or_a_top() -> None:
    skirt = np.zeros((400, 300), np.uint8)
    cv2.fillPoly(skirt, [np.array([[110, 40], [190, 40], [230, 260], [70, 260]], np.int32)], 1)
    fit = fit_garment(garment_landmarks(skirt, Category.LOWER), _pose(), Category.LOWER)
    assert not beside_legs(fit, np.zeros((400, 300), np.float32)).any()
    top = fit_garment(garment_landmarks(_tee(), Category.UPPER), _pose(), Category.UPPER)
    assert not beside_legs(top, np.zeros((400, 300), np.float32)).any()


def test_a_rounded_hem_corner_is_its_lowest_outermost_point() -> None:
    mask = _tee()
    # The side leans in just above the hem and the corner is rounded, as a warped shirt's often is.
    mask[252:261, 193:201] = 0
    cv2.fillPoly(mask, [np.array([[193, 252], [200, 252], [193, 260]], np.int32)], 1)
    marks = garment_landmarks(mask, Category.UPPER)
    assert marks.left_hem is not None and marks.left_hem[1] >= 255  # not the side's top of the lean, at 252


def _long_sleeved(gap: int, end: int = 290) -> np.ndarray:
    """A shirt (torso x 100..200, y 60..260) photographed with its long sleeves hanging beside the body down
    to y `end` (past the hem, or above it): touching it (`gap` 0) or `gap` px apart below the armpits."""
    mask = np.zeros((320, 300), np.uint8)
    cv2.rectangle(mask, *TORSO, 1, -1)
    cv2.rectangle(mask, (70 - gap, 60), (99, 110), 1, -1)  # the caps, one with the shoulders
    cv2.rectangle(mask, (201, 60), (230 + gap, 110), 1, -1)
    cv2.rectangle(mask, (70 - gap, 60), (99 - gap, end), 1, -1)
    cv2.rectangle(mask, (201 + gap, 60), (230 + gap, end), 1, -1)
    return mask


@pytest.mark.parametrize(("gap", "end"), [(0, 290), (6, 290), (0, 230), (0, 190)])
def test_sleeves_hanging_beside_the_body_keep_hem_armpits_and_cuffs_apart(gap: int, end: int) -> None:
    marks = garment_landmarks(_long_sleeved(gap, end), Category.UPPER)
    assert _near(marks.left_hem, (200, 260), 4) and _near(marks.right_hem, (100, 260), 4)
    assert marks.left_cuff is not None and marks.right_cuff is not None
    assert abs(marks.left_cuff[1] - end) <= 20 and abs(marks.right_cuff[1] - end) <= 20  # at the sleeves' ends
    assert marks.left_cuff[0] > 200 and marks.right_cuff[0] < 100
    assert marks.left_armpit is not None and marks.right_armpit is not None
    assert marks.left_armpit[1] < 160 and marks.right_armpit[1] < 160  # in the top half, not at the hem
    assert _near(marks.left_shoulder, (200 + gap, 60), 8) and _near(marks.right_shoulder, (100 - gap, 60), 8)


@pytest.mark.parametrize("end", [230, 290])
def test_slim_sleeves_laid_against_the_body_are_sleeves(end: int) -> None:
    """A long-sleeved top laid flat, its slim sleeves touching the body from the shoulders to their ends (a
    cuff 12 px wide on a body 100 px wide), ending above the hem or below it: no armpit shows, only the ends."""
    mask = np.zeros((320, 300), np.uint8)
    cv2.rectangle(mask, *TORSO, 1, -1)
    for side in (-1, 1):
        outer = 150 + side * 62
        cv2.fillPoly(mask, [np.array([(150 + side * 50, 60), (outer, 80), (outer, end), (150 + side * 50, end)],
                                     np.int32)], 1)
    marks = garment_landmarks(mask, Category.UPPER)
    assert _near(marks.left_hem, (200, 260), 4) and _near(marks.right_hem, (100, 260), 4)
    assert marks.left_cuff is not None and marks.right_cuff is not None
    assert abs(marks.left_cuff[1] - end) <= 20 and abs(marks.right_cuff[1] - end) <= 20
    assert marks.left_cuff[0] > 200 and marks.right_cuff[0] < 100
    assert marks.left_armpit is not None and marks.right_armpit is not None
    assert marks.left_armpit[1] < 160 and marks.right_armpit[1] < 160


@pytest.mark.parametrize("outer_end", [240, 244])
def test_sleeves_against_the_body_ending_aslant_near_the_hem_keep_the_bodys_sides(outer_end: int) -> None:
    """Sleeves laid against the body, each end cut aslant: its outer corner at `outer_end`, its inner corner at
    256, 4 px above the hem, down in the hem's band."""
    mask = np.zeros((320, 300), np.uint8)
    cv2.rectangle(mask, *TORSO, 1, -1)
    for side in (-1, 1):
        outer = 150 + side * 70
        cv2.fillPoly(mask, [np.array([(150 + side * 50, 60), (outer, 76), (outer, outer_end), (150 + side * 50, 256)],
                                     np.int32)], 1)
    marks = garment_landmarks(mask, Category.UPPER)
    assert _near(marks.left_hem, (200, 260), 4) and _near(marks.right_hem, (100, 260), 4)
    assert _near(marks.left_shoulder, (200, 60), 3) and _near(marks.right_shoulder, (100, 60), 3)
    assert marks.left_cuff is not None and marks.right_cuff is not None
    assert 200 < marks.left_cuff[0] < 220 and 80 < marks.right_cuff[0] < 100
    assert abs(marks.left_cuff[1] - outer_end) <= 12 and abs(marks.right_cuff[1] - outer_end) <= 12


def test_a_slanted_cuff_reaching_the_hems_rows_is_no_hem_corner() -> None:
    """A long-sleeved top laid flat, each sleeve aslant and apart from the body below the armpit, its end cut
    square across it: the end's centre lies above the hem's rows, its outer corner down among them."""
    mask = np.zeros((320, 300), np.uint8)
    cv2.rectangle(mask, *TORSO, 1, -1)
    for side in (-1, 1):
        def x(offset: float, side: int = side) -> float:  # mirrored about the torso's axis, x 150
            return 150 + side * offset
        sleeve = [(x(50), 60), (x(82), 66), (x(106), 222), (x(71), 250), (x(50), 112)]
        cv2.fillPoly(mask, [np.array(sleeve, np.int32)], 1)
    marks = garment_landmarks(mask, Category.UPPER)
    assert _near(marks.left_hem, (200, 260), 4) and _near(marks.right_hem, (100, 260), 4)
    assert marks.left_cuff is not None and marks.left_cuff[0] > 220


def test_ruffle_tiers_beside_sleeves_hanging_past_the_hem_are_no_armpits() -> None:
    """Sleeves one with the body, stepped out in tiers (each a corner like an armpit), ending below the hem."""
    mask = _long_sleeved(0)
    for top in (120, 180):  # a tier on the wearer's left sleeve only, as a warp leaves one side
        cv2.fillPoly(mask, [np.array([[230, top], [265, top + 50], [230, top + 50]], np.int32)], 1)
    marks = garment_landmarks(mask, Category.UPPER, symmetric=False)
    assert _near(marks.left_hem, (200, 260), 4) and _near(marks.right_hem, (100, 260), 4)
    assert marks.left_armpit is None or marks.left_armpit[1] < 160


def test_a_flutter_widening_below_a_straps_top_keeps_the_top() -> None:
    """A dress as worn whose flutter sleeves the warp laid along the arms: only a widening below each strap's
    top is left of them, and the V neck's tip lies off the axis."""
    mask = np.zeros((400, 300), np.uint8)
    cv2.rectangle(mask, (100, 60), (200, 380), 1, -1)
    cv2.fillPoly(mask, [np.array([[120, 60], [185, 60], [158, 130]], np.int32)], 0)  # the V, its tip 8 px aside
    for side in (-1, 1):  # the flutter's rest: 8 px wider a few rows below the top
        outer = 150 + side * 58
        cv2.fillPoly(mask, [np.array([[150 + side * 50, 64], [outer, 70], [outer, 85], [150 + side * 50, 100]],
                                     np.int32)], 1)
    mask[:, 0:2] = 0
    mask[75, 20:24] = mask[80, 30:33] = 1  # streaks a warp leaves
    marks = garment_landmarks(mask, Category.DRESS, symmetric=False)
    assert marks.left_armpit is None and marks.right_armpit is None  # neither the V nor the flutter
    assert _near(marks.left_shoulder, (200, 60), 3) and _near(marks.right_shoulder, (100, 60), 3)
    assert marks.neck is not None and abs(marks.neck[0] - 150) <= 1


def test_cap_sleeves_too_small_for_sleeves_keep_the_shoulders_at_their_seams() -> None:
    mask = np.zeros((300, 300), np.uint8)
    cv2.rectangle(mask, *TORSO, 1, -1)
    for side in (-1, 1):  # caps standing 15 px out below the shoulder line, under 1 % of the area each
        cv2.fillPoly(mask, [np.array([[150 + side * 50, 60], [150 + side * 65, 75], [150 + side * 50, 85]],
                                     np.int32)], 1)
    marks = garment_landmarks(mask, Category.UPPER)
    assert _near(marks.left_shoulder, (200, 60), 2) and _near(marks.right_shoulder, (100, 60), 2)


def test_a_raised_back_collar_is_no_shoulder() -> None:
    mask = _tee()
    cv2.rectangle(mask, (130, 40), (170, 60), 1, -1)  # the back collar, standing 20 px above the shoulders
    for symmetric in (True, False):
        marks = garment_landmarks(mask, Category.UPPER, symmetric=symmetric)
        assert _near(marks.left_shoulder, (200, 60), 2) and _near(marks.right_shoulder, (100, 60), 2)
        assert marks.neck is not None and abs(marks.neck[0] - 150) <= 1


def test_a_bodice_tapering_to_its_hem_has_no_sleeves_ending_on_its_sides() -> None:
    mask = np.zeros((300, 300), np.uint8)
    cv2.fillPoly(mask, [np.array([[80, 60], [220, 60], [190, 260], [110, 260]], np.int32)], 1)
    marks = garment_landmarks(mask, Category.UPPER)
    assert marks.left_cuff is None and marks.right_cuff is None and marks.left_armpit is None


def test_a_strap_cut_off_by_the_mask_stays_but_specks_go() -> None:
    mask = np.zeros((300, 300), np.uint8)
    cv2.rectangle(mask, (100, 110), (200, 260), 1, -1)  # a camisole's bodice
    cv2.rectangle(mask, (180, 56), (183, 107), 1, -1)  # the wearer's left strap, 2 px short of the bodice
    cv2.rectangle(mask, (117, 56), (120, 110), 1, -1)
    mask[20:22, 150:152] = 1  # a speck above the garment
    marks = garment_landmarks(mask, Category.UPPER)
    assert _near(marks.left_shoulder, (183, 56), 2) and _near(marks.right_shoulder, (117, 56), 2)
