"""The measures of `python -m bench photos`, each on synthetic images whose answer is known."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from bench.photo_measures import (
    FEATHER_PX,
    body_tilt,
    changed_pixels,
    changes_outside,
    grow,
    landmark_offsets,
    uncovered_share,
    upright_points,
)


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


def _corners(mask: np.ndarray) -> dict[str, tuple[float, float]]:
    """Top corners of a bar: the pixels farthest up-left and up-right (a staircase-proof finder)."""
    ys, xs = np.nonzero(mask)
    left, right = int(np.argmin(xs + ys)), int(np.argmax(xs - ys))
    return {"top_left": (float(xs[left]), float(ys[left])), "top_right": (float(xs[right]), float(ys[right]))}


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
