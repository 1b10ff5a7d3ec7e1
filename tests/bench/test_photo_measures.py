"""The measures of `python -m bench photos`, each on synthetic images whose answer is known."""

from __future__ import annotations

from collections.abc import Mapping

import cv2
import numpy as np
import pytest

from bench.photo_measures import (
    FEATHER_PX,
    body_tilt,
    changed_pixels,
    changes_outside,
    grow,
    in_frame,
    landmark_offsets,
    uncovered_share,
    upright_points,
    worn_landmarks,
)
from fittingroom.common.garment import Category


def _photo() -> np.ndarray:
    return np.full((100, 100, 3), 120, np.uint8)


def test_changed_pixels_sees_a_one_level_change_in_one_channel_only_where_it_is() -> None:
    before = _photo()
    after = before.copy()
    after[10, 20, 2] += 1
    changed = changed_pixels(before, after)
    assert changed.sum() == 1 and changed[10, 20]


def test_changed_pixels_refuses_images_of_different_sizes() -> None:
    with pytest.raises(ValueError, match="shape"):
        changed_pixels(_photo(), _photo()[:50])


def test_uncovered_share_is_the_part_of_the_old_garment_left_as_it_was() -> None:
    old = np.zeros((100, 100), bool)
    old[20:60, 20:70] = True  # 40 x 50 = 2000 pixels
    changed = np.zeros_like(old)
    changed[20:58, 20:70] = True  # the new garment covers all but the last two rows: 100 pixels left
    assert uncovered_share(old, changed) == pytest.approx(100 / 2000)
    assert uncovered_share(old, old) == 0.0
    assert uncovered_share(np.zeros_like(old), changed) == 0.0  # nothing worn, nothing left


def test_changes_outside_ignores_the_feather_and_counts_what_lies_beyond() -> None:
    allowed = np.zeros((100, 100), bool)
    allowed[40:60, 40:60] = True
    changed = allowed.copy()
    changed[40:60, 60:60 + FEATHER_PX] = True  # an anti-aliased edge, 3 px wide: allowed
    assert changes_outside(changed, allowed) == 0
    changed[5, 5] = changed[95, 90] = True  # two stray pixels far away
    changed[50, 60 + FEATHER_PX] = True  # one pixel just past the feather
    assert changes_outside(changed, allowed) == 3


def test_grow_is_a_disc_not_a_square() -> None:
    point = np.zeros((21, 21), bool)
    point[10, 10] = True
    grown = grow(point, 3)
    assert grown[10, 13] and grown[13, 10] and not grown[13, 13]  # (3, 3) lies 4.2 px away
    assert grow(point, 0).sum() == 1


def test_landmark_offsets_are_shares_of_the_shoulder_width_for_shared_landmarks_only() -> None:
    body = {"left_shoulder": (150.0, 100.0), "right_shoulder": (50.0, 100.0), "neck": (100.0, 90.0),
            "hem": (100.0, 300.0)}
    garment = {"left_shoulder": (153.0, 104.0), "right_shoulder": (50.0, 100.0), "neck": None,
               "hem": (100.0, 310.0), "left_cuff": (170.0, 200.0)}
    offsets = landmark_offsets(garment, body, shoulder_width=100.0)
    assert offsets == pytest.approx({"left_shoulder": 0.05, "right_shoulder": 0.0, "hem": 0.1})
    with pytest.raises(ValueError):
        landmark_offsets(garment, body, shoulder_width=0.0)


def _corners(mask: np.ndarray, body: Mapping[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """Top corners of a bar: the pixels farthest up-left and up-right (a staircase-proof finder); and the
    body's points as the finder gets them, by name."""
    ys, xs = np.nonzero(mask)
    left, right = int(np.argmin(xs + ys)), int(np.argmax(xs - ys))
    return {"top_left": (float(xs[left]), float(ys[left])), "top_right": (float(xs[right]), float(ys[right])),
            **{f"body_{name}": point for name, point in body.items()}}


def test_upright_points_reads_a_tilted_garment_in_its_own_frame() -> None:
    bar = np.zeros((200, 200), np.uint8)
    bar[80:120, 50:150] = 1
    turn = cv2.getRotationMatrix2D((100, 100), -10, 1.0)  # its right end 10 degrees lower
    tilted = cv2.warpAffine(bar, turn, (200, 200), flags=cv2.INTER_NEAREST)
    top_left, top_right = turn @ np.array([50, 80, 1.0]), turn @ np.array([149, 80, 1.0])
    tilt = body_tilt((float(top_right[0]), float(top_right[1])), (float(top_left[0]), float(top_left[1])))
    assert tilt == pytest.approx(10.0, abs=0.01)
    found = upright_points(tilted, tilt, _corners)
    assert np.hypot(*(np.array(found["top_left"]) - top_left)) <= 2
    assert np.hypot(*(np.array(found["top_right"]) - top_right)) <= 2
    assert upright_points(bar, 0.0, _corners)["top_right"] == pytest.approx((149.0, 80.0), abs=0.5)


def test_upright_points_hands_the_finder_the_bodys_points_turned_with_the_mask() -> None:
    bar = np.zeros((200, 200), np.uint8)
    bar[80:120, 50:150] = 1
    turn = cv2.getRotationMatrix2D((100, 100), -10, 1.0)
    tilted = cv2.warpAffine(bar, turn, (200, 200), flags=cv2.INTER_NEAREST)
    corner = turn @ np.array([149, 80, 1.0])
    seen: dict[str, tuple[float, float]] = {}

    def finder(mask: np.ndarray, body: Mapping[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
        seen.update(_corners(mask, body))
        return _corners(mask, body)

    found = upright_points(tilted, 10.0, finder, {"corner": (float(corner[0]), float(corner[1]))})
    # Upright, the body's point lies on the bar's corner; turned back, where it was given.
    assert np.hypot(*np.subtract(seen["body_corner"], seen["top_right"])) <= 2
    assert found["body_corner"] == pytest.approx(tuple(corner), abs=1e-6)


# A tee as worn, 400 x 400: shoulders at y 100, the body's sides at x 120 and 280, the hem at y 330.
HANGING = {"left_shoulder": (318.0, 100.0), "right_shoulder": (82.0, 100.0),  # the arms' outer edges
           "left_armpit": (280.0, 190.0), "right_armpit": (120.0, 190.0),  # on the arms' inner edges
           "neck": (200.0, 120.0), "left_hem": (280.0, 330.0), "right_hem": (120.0, 330.0)}
HELD_OUT = {"left_shoulder": (280.0, 100.0), "right_shoulder": (120.0, 100.0),  # seams above the armpits
            "left_armpit": (280.0, 150.0), "right_armpit": (120.0, 150.0),
            "neck": (200.0, 120.0), "left_hem": (280.0, 330.0), "right_hem": (120.0, 330.0)}


def _tee(sleeves: str) -> np.ndarray:
    """The tee's silhouette with its sleeves hanging along the arms, held out (down and away), or none."""
    mask = np.zeros((400, 400), np.uint8)
    cv2.rectangle(mask, (120, 100), (280, 330), 1, -1)
    # One sleeve's outline as (distance out from the axis at x 200, y).
    outline = {"hanging": [(80, 100), (118, 100), (118, 210), (80, 210)],  # the corner, down the arm to the cuff
               "held out": [(80, 100), (160, 150), (150, 175), (80, 150)]}.get(sleeves, [])  # the top edge runs on
    for side in (-1, 1):
        if outline:
            cv2.fillPoly(mask, [np.array([(round(200 + side * dx), y) for dx, y in outline], np.int32)], 1)
    cv2.ellipse(mask, (200, 100), (35, 20), 0, 0, 180, 0, -1)  # a scoop neck: the collar (neck) at y 120
    return mask


def _read(mask: np.ndarray, body: dict[str, tuple[float, float]]) -> dict[str, float]:
    """The landmark offsets `python -m bench photos` reports for a garment warped to `mask` on `body`."""
    tilt = body_tilt(body["left_shoulder"], body["right_shoulder"])
    found = upright_points(mask, tilt, lambda upright, points: worn_landmarks(upright, Category.UPPER, points), body)
    measured = {n: p for n, p in body.items() if "armpit" not in n}
    width = body["left_shoulder"][0] - body["right_shoulder"][0]
    return landmark_offsets({n: found.get(n) for n in measured}, measured, width)


@pytest.mark.parametrize(("sleeves", "body"), [("hanging", HANGING), ("held out", HELD_OUT)])
def test_a_worn_tee_placed_where_the_body_wants_it_reads_as_placed(sleeves: str, body: dict) -> None:
    offsets = _read(_tee(sleeves), body)
    assert set(offsets) == {"left_shoulder", "right_shoulder", "neck", "left_hem", "right_hem"}
    assert max(offsets.values()) <= 0.02, offsets


def test_a_worn_tee_on_a_body_that_leans_reads_as_placed_in_the_bodys_frame() -> None:
    turn = cv2.getRotationMatrix2D((200, 215), -8, 1.0)  # the body and its tee lean 8 degrees together
    mask = cv2.warpAffine(_tee("hanging"), turn, (400, 400), flags=cv2.INTER_NEAREST)
    body = {n: (float(x), float(y)) for n, (x, y) in
            ((n, turn @ np.array([*p, 1.0])) for n, p in HANGING.items())}
    offsets = _read(mask, body)
    assert max(offsets.values()) <= 0.02, offsets


def test_a_sleeveless_side_keeps_its_straps_top() -> None:
    mask = _tee("none")
    offsets = _read(mask, HELD_OUT | {"left_shoulder": (280.0, 100.0), "right_shoulder": (120.0, 100.0)})
    assert max(offsets.values()) <= 0.02, offsets


@pytest.mark.parametrize("sleeves", ["hanging", "held out"])
def test_a_worn_tee_shifted_turned_or_squeezed_reads_as_placed_wrong(sleeves: str) -> None:
    body = HANGING if sleeves == "hanging" else HELD_OUT
    mask = _tee(sleeves)
    shifted = np.roll(mask, 15, axis=1)  # 15 px to the side: 6 to 9 % of the shoulder width
    turned = cv2.warpAffine(mask, cv2.getRotationMatrix2D((200, 215), 8, 1.0), (400, 400), flags=cv2.INTER_NEAREST)
    squeezed = cv2.warpAffine(mask, np.float32([[0.85, 0, 30], [0, 1, 0]]), (400, 400), flags=cv2.INTER_NEAREST)
    for wrong in (shifted, turned, squeezed):
        assert max(_read(wrong, body).values()) > 0.05
    assert _read(shifted, body)["neck"] > 0.05  # the whole garment moved, its collar with it


def test_a_hanging_sleeve_narrower_than_the_arm_reads_as_placed_wrong() -> None:
    mask = _tee("hanging")
    mask[:, :97] = mask[:, 304:] = 0  # the sleeves' outer edges 14 px inside the arms' (6 % of the shoulders)
    offsets = _read(mask, HANGING)
    assert offsets["left_shoulder"] > 0.05 and offsets["right_shoulder"] > 0.05


def _collared(*, shift: int = 0) -> np.ndarray:
    """The hanging tee with a raised back collar above its neckline, its wearer's left sleeve laid so close
    along the arm that it leaves no corner at the armpit (its end runs into the side on a slant)."""
    mask = _tee("hanging")
    cv2.rectangle(mask, (178, 80), (222, 100), 1, -1)  # the collar, 20 px above the shoulders
    cv2.fillPoly(mask, [np.array([[280, 205], [318, 205], [280, 260]], np.int32)], 1)
    return np.roll(mask, shift, axis=1)


def test_a_collar_above_the_shoulders_is_no_shoulder_where_a_sleeve_hides_its_armpit() -> None:
    offsets = _read(_collared(), HANGING)
    assert offsets["left_shoulder"] <= 0.02 and offsets["right_shoulder"] <= 0.02, offsets
    assert _read(_collared(shift=15), HANGING)["left_shoulder"] > 0.05  # moved with the garment, still seen


def _hidden_armpits(*, shift: int = 0, rise: int = 0) -> np.ndarray:
    """The hanging tee with both sleeves laid so close along the arms that neither leaves a corner at its
    armpit (each end runs into the side on a slant), moved `shift` px aside and `rise` px up."""
    mask = _tee("hanging")
    for side in (-1, 1):
        cv2.fillPoly(mask, [np.array([[200 + side * 80, 205], [200 + side * 118, 205], [200 + side * 80, 260]],
                                     np.int32)], 1)
    return np.roll(np.roll(mask, shift, axis=1), -rise, axis=0)


def test_a_tee_whose_armpits_no_corner_shows_reads_its_shoulders_heights_where_the_fit_put_the_seams() -> None:
    offsets = _read(_hidden_armpits(), HANGING)
    assert max(offsets.values()) <= 0.02, offsets
    assert _read(_hidden_armpits(rise=15), HANGING)["left_shoulder"] > 0.05  # worn too high: still seen
    assert _read(_hidden_armpits(shift=15), HANGING)["left_hem"] > 0.05  # moved aside: its hem shows it


def test_a_hidden_armpit_moves_with_the_seen_one_not_mirrored_about_a_hem_set_aside_by_the_hips() -> None:
    mask = _collared()  # the wearer's left armpit hidden
    hips = 30  # the hips stand out to the wearer's left: the hem's corners lie 30 px that way
    mask[260:331] = 0
    cv2.fillPoly(mask, [np.array([[120, 260], [280, 260], [280 + hips, 330], [120 + hips, 330]], np.int32)], 1)
    body = HANGING | {"left_hem": (280.0 + hips, 330.0), "right_hem": (120.0 + hips, 330.0)}
    offsets = _read(mask, body)
    del offsets["neck"]  # the raised collar's, as on the product photo
    assert max(offsets.values()) <= 0.02, offsets


def test_a_strip_below_the_armpit_is_not_the_armpit() -> None:
    mask = _tee("hanging")
    # A stray strip out beside the arm, well below the armpit (a sleeve's cuff the body's spline carried off).
    cv2.rectangle(mask, (60, 250), (120, 262), 1, -1)
    offsets = _read(mask, HANGING)
    assert max(offsets.values()) <= 0.02, offsets


def _ruffled(*, drop: int = 0) -> np.ndarray:
    """The hanging tee with its sleeves widening into ruffles hanging over the hem's corners and past the hem,
    its body `drop` px longer."""
    mask = _tee("hanging")
    mask[330:331 + drop, 120:281] = 1
    for side in (-1, 1):
        cv2.fillPoly(mask, [np.array([[200 + side * 118, 100], [200 + side * 118, 200], [200 + side * 130, 345 + drop],
                                      [200 + side * 50, 345 + drop], [200 + side * 50, 300]], np.int32)], 1)
    return mask


def test_ruffles_hanging_past_the_hem_hide_its_corners_and_the_sides_under_them() -> None:
    # The finder's armpits and hem corners lie on the ruffles' inner edges, 31 px inside the body's sides:
    # the shoulders are read above the body's seams, the hem at its height.
    offsets = _read(_ruffled(), HANGING)
    assert max(offsets.values()) <= 0.02, offsets
    assert _read(_ruffled(drop=20), HANGING)["left_hem"] > 0.05  # too long: still seen


def test_a_landmark_the_frame_cuts_off_is_not_measured_and_is_named() -> None:
    """A half-body photo cuts a long top's hem off: its garment ends at the frame's edge, which is no hem."""
    inside, outside = in_frame({"neck": (50.0, 10.0), "left_hem": (60.0, 130.0), "right_hem": (-1.0, 90.0)},
                               (120, 100))
    assert inside == {"neck": (50.0, 10.0)}
    assert outside == ["left_hem", "right_hem"]
