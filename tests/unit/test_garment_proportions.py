"""A garment keeps its own proportions on the body: its hem (and its sleeves' cuffs) land where its own
length says, measured in its shoulder width and carried to the body's, not at one standard length.
Synthetic silhouettes drawn here, found by the landmark finder, fitted and warped onto the synthetic
shopper of tests/poses.py (shoulders 90 px apart at row 110, hips at row 230, ankles at row 385)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from poses import FRONTAL, frontal_pose

from fittingroom.common import landmarks as lm
from fittingroom.common.body import body_frame
from fittingroom.common.garment import Category, GarmentLandmarks
from fittingroom.segment.garment_landmarks import garment_landmarks
from fittingroom.warp_gen.fit import COVER_GAP, HEM_OVERLAP, LENGTH_SPAN, fit_garment, warp_garment

SHOULDER_WIDTH = 90.0
HIPS_ROW = 230.0
ANKLES_ROW = 385.0


def _tee(length: int) -> np.ndarray:
    """A short-sleeved top 100 px wide from its neckline (row 40) down `length` px; each sleeve sticks out
    level with its armpit, as a flat-laid tee's does."""
    mask = np.zeros((480, 300), np.uint8)
    bodice = [(110, 40), (190, 40), (200, 48), (200, 40 + length), (100, 40 + length), (100, 48)]
    cv2.fillPoly(mask, [np.array(bodice, np.int32)], 1)
    for side in (-1, 1):
        seam = 150 + side * 50
        sleeve = [(seam - side * 10, 40), (seam + side * 40, 75), (seam + side * 25, 95), (seam, 80)]
        cv2.fillPoly(mask, [np.array(sleeve, np.int32)], 1)
    return mask


def _targets(marks: GarmentLandmarks) -> dict[str, np.ndarray]:
    fit = fit_garment(marks, frontal_pose(), marks.category)
    return dict(zip(fit.names, fit.target, strict=True))


def _fitted(mask: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, tuple[float, float]], np.ndarray]:
    """The fit's targets, the garment's landmarks, and the warped silhouette on the synthetic shopper."""
    marks = garment_landmarks(mask, Category.UPPER)
    fit = fit_garment(marks, frontal_pose(), Category.UPPER, mask)
    warped = warp_garment(np.dstack([mask * 200] * 3).astype(np.uint8), mask, fit, (400, 300),
                          np.zeros(mask.shape, bool))
    targets = dict(zip(fit.names, fit.target, strict=True))
    # A sleeve laid down a hanging arm on its own ends across the arm: its cuff is the end's middle.
    targets.update({f"{s.side}_cuff": (s.target[1] + s.target[2]) / 2 for s in fit.sleeves})
    return targets, marks.named(), warped.alpha > 0.5


def _own_drop(marks: dict[str, tuple[float, float]]) -> float:
    """The garment's shoulder-to-hem length in body pixels, by its own proportions."""
    span = marks["left_shoulder"][0] - marks["right_shoulder"][0]
    return (marks["left_hem"][1] - marks["left_shoulder"][1]) / span * LENGTH_SPAN * SHOULDER_WIDTH


@pytest.mark.parametrize("length", [100, 260], ids=["crop top", "tunic"])
def test_a_top_keeps_its_length_relative_to_its_shoulders(length: int) -> None:
    targets, marks, warped = _fitted(_tee(length))
    drop = targets["left_hem"][1] - targets["left_shoulder"][1]
    assert drop == pytest.approx(_own_drop(marks), abs=1.0)
    # The warped garment itself ends there, on the body's axis (its hem's corners are a little rounded).
    rows = np.flatnonzero(warped[:, 150])
    assert rows.max() == pytest.approx(targets["left_hem"][1], abs=6)


def test_a_crop_top_stays_short_and_a_tunic_long() -> None:
    crop, _, _ = _fitted(_tee(100))
    tunic, _, _ = _fitted(_tee(260))
    assert crop["left_hem"][1] < HIPS_ROW - 30  # above the waist, not sent down to the hips
    assert tunic["left_hem"][1] > HIPS_ROW + 60  # down the thighs, not squeezed to the hips


def _hem_rows(mask: np.ndarray, rise: float | None = None) -> tuple[float, float]:
    fit = fit_garment(garment_landmarks(mask, Category.UPPER), frontal_pose(), Category.UPPER, mask, rise=rise)
    targets = dict(zip(fit.names, fit.target, strict=True))
    return float(targets["left_hem"][1]), float(targets["right_hem"][1])


def test_a_regular_top_goes_down_over_the_lower_garment_it_would_end_just_above() -> None:
    """A tee whose own length ends 17 px above the hip joints, over trousers whose waistline is 2 px above them:
    it covers their top (no band of midriff and waistband under it); a crop top and a tee over a waistline
    farther down than COVER_GAP keep their own length, as does any top where the photo shows no waistline."""
    frame = body_frame(frontal_pose())
    own = _hem_rows(_tee(140))
    assert HIPS_ROW - 20 < own[0] < HIPS_ROW - 10
    covered = _hem_rows(_tee(140), rise=2.0)
    assert covered == pytest.approx((HIPS_ROW - 2 + HEM_OVERLAP * frame.torso,) * 2, abs=0.5)
    far = HIPS_ROW - own[0] + COVER_GAP * frame.shoulder_width
    assert _hem_rows(_tee(140), rise=-far) == own
    assert _hem_rows(_tee(100), rise=2.0) == _hem_rows(_tee(100))


def test_a_tee_s_hem_goes_down_over_the_waistband_level_or_not_at_all() -> None:
    """A tee whose hem's corners lie 2 px apart on its photo, over trousers whose waistline is so far down that
    its lower corner ends just within COVER_GAP above it and its higher one just beyond: the whole hem goes down
    over the waistband, level (decided corner by corner, one corner stayed up and the hem slanted across the
    body, baring the old garment at one hip). Farther down, neither corner goes."""
    frame = body_frame(frontal_pose())
    tee = GarmentLandmarks(Category.UPPER, neck=(150, 40), left_shoulder=(200, 47), right_shoulder=(100, 47),
                           left_armpit=(200, 82), right_armpit=(100, 82), left_cuff=(235, 90), right_cuff=(65, 90),
                           left_hem=(200, 185), right_hem=(100, 183))

    def hem_rows(rise: float | None) -> tuple[float, float]:
        fit = fit_garment(tee, frontal_pose(), Category.UPPER, rise=rise)
        targets = dict(zip(fit.names, fit.target, strict=True))
        return float(targets["left_hem"][1]), float(targets["right_hem"][1])

    own = hem_rows(None)
    assert own[0] - own[1] == pytest.approx(2 * LENGTH_SPAN * SHOULDER_WIDTH / 100, abs=0.01)
    # The row the hem goes down to (HEM_OVERLAP below the waistline): the lower corner 0.5 px within COVER_GAP
    # above it, the higher one 1.2 px beyond.
    gap = COVER_GAP * frame.shoulder_width
    row = own[0] + gap - 0.5
    assert row - own[1] > gap + 1
    covered = hem_rows(HIPS_ROW + HEM_OVERLAP * frame.torso - row)
    assert covered == pytest.approx((row, row), abs=0.01)
    assert hem_rows(HIPS_ROW + HEM_OVERLAP * frame.torso - row - 1.0) == own


@pytest.mark.parametrize("length", [100, 260], ids=["crop top", "tunic"])
def test_a_short_sleeve_s_cuff_hangs_below_the_armpit(length: int) -> None:
    targets, marks, _ = _fitted(_tee(length))
    for side in ("left", "right"):
        assert marks[f"{side}_cuff"][1] >= marks[f"{side}_armpit"][1]  # level with it on the photo
        assert targets[f"{side}_cuff"][1] > targets[f"{side}_armpit"][1]


def test_a_long_sleeve_keeps_its_length_down_the_arm() -> None:
    marks = GarmentLandmarks(Category.UPPER, neck=(150, 40), left_shoulder=(200, 47), right_shoulder=(100, 47),
                             left_armpit=(200, 82), right_armpit=(100, 82), left_cuff=(235, 230),
                             right_cuff=(65, 230), left_hem=(200, 230), right_hem=(100, 230))
    wrist = FRONTAL[lm.LEFT_WRIST]
    assert abs(_targets(marks)["left_cuff"][1] - wrist[1]) < 0.25 * SHOULDER_WIDTH


def test_a_hem_never_falls_below_the_ankles() -> None:
    dress = GarmentLandmarks(Category.DRESS, neck=(150, 40), left_shoulder=(200, 47), right_shoulder=(100, 47),
                             left_hem=(230, 900), right_hem=(70, 900))
    hems = _targets(dress)
    assert hems["left_hem"][1] == pytest.approx(ANKLES_ROW) and hems["right_hem"][1] == pytest.approx(ANKLES_ROW)
    skirt = GarmentLandmarks(Category.LOWER, left_waist=(200, 40), right_waist=(100, 40), left_hem=(215, 700),
                             right_hem=(85, 700))
    hems = _targets(skirt)
    assert hems["left_hem"][1] <= ANKLES_ROW + 0.5 and hems["right_hem"][1] <= ANKLES_ROW + 0.5


def test_a_skirt_is_as_broad_at_its_hem_as_on_its_photo_never_narrower_than_straight_down() -> None:
    """An A-line skirt flares (its hem twice its waist on the photo); a pencil skirt narrowing to its hem hangs
    straight down from the waist."""
    def hem_breadth(left: float, right: float) -> float:
        skirt = GarmentLandmarks(Category.LOWER, left_waist=(200, 40), right_waist=(100, 40), left_hem=(left, 300),
                                 right_hem=(right, 300))
        targets = _targets(skirt)
        return float(targets["left_hem"][0] - targets["right_hem"][0]) / float(
            targets["left_waist"][0] - targets["right_waist"][0])

    assert hem_breadth(250, 50) == pytest.approx(2.0, abs=0.02)
    assert hem_breadth(190, 110) == pytest.approx(1.0, abs=0.02)
