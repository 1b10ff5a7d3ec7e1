"""Garment landmarks of a top whose long sleeves are one with its body in the silhouette (tiered ruffles)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from fittingroom.common.garment import Category
from fittingroom.segment import garment_landmarks as garment_landmarks_module
from fittingroom.segment.garment_landmarks import garment_landmarks

# A peplum blouse, 100 px wide at the shoulders and hem, whose flared sleeves hang against its sides from
# the shoulder seams down to 40 px below its hem: no armpit anywhere in the outline.
_BLOUSE = [(150, 60), (250, 60), (320, 150), (335, 340), (252, 340), (250, 300), (150, 300), (148, 340),
           (65, 340), (80, 150)]


def _mask(points: list[tuple[int, int]]) -> np.ndarray:
    mask = np.zeros((400, 400), np.uint8)
    cv2.fillPoly(mask, [np.array(points, np.int32)], 1)
    return mask


def _near(found: tuple[float, float] | None, expected: tuple[float, float], tolerance: float) -> bool:
    return found is not None and float(np.hypot(found[0] - expected[0], found[1] - expected[1])) <= tolerance


def test_sleeves_hanging_against_the_body_leave_its_shoulders_and_hem_in_place() -> None:
    marks = garment_landmarks(_mask(_BLOUSE), Category.UPPER)
    tolerance = 0.05 * 100  # of the body's width
    assert _near(marks.right_shoulder, (150, 60), tolerance) and _near(marks.left_shoulder, (250, 60), tolerance)
    assert _near(marks.right_hem, (150, 300), tolerance) and _near(marks.left_hem, (250, 300), tolerance)
    assert _near(marks.neck, (200, 60), tolerance)
    # The sleeves go down the arms: from a hidden armpit on the body's side to the middle of their ends.
    assert _near(marks.right_cuff, (107, 340), tolerance) and _near(marks.left_cuff, (293, 340), tolerance)
    for armpit, side in ((marks.right_armpit, 150), (marks.left_armpit, 250)):
        assert armpit is not None and armpit[0] == side and 60 + 0.25 * 240 < armpit[1] < 60 + 0.42 * 240


def test_a_tail_below_the_hem_on_one_side_is_no_pair_of_sleeves(monkeypatch: pytest.MonkeyPatch) -> None:
    # A wrap's tie hangs below the hem on one side only: the outline is read as it was before.
    body, tie = [(150, 60), (250, 60), (255, 300), (145, 300)], [(230, 290), (250, 290), (250, 360), (235, 360)]
    top = _mask(body) | _mask(tie)
    found = garment_landmarks(top, Category.UPPER)
    monkeypatch.setattr(garment_landmarks_module, "_merged_sleeves", lambda _: None)
    assert found == garment_landmarks(top, Category.UPPER)
