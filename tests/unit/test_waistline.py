"""The shopper's own waistline, and a new lower garment put on there."""

from __future__ import annotations

import numpy as np
import pytest
from poses import frontal_pose

from fittingroom.common.body import PAD, body_frame
from fittingroom.common.garment import Category
from fittingroom.segment.garment_landmarks import garment_landmarks
from fittingroom.segment.waistline import TUCK, above_waist, waist_rise
from fittingroom.tryon.classical import ClassicalGarmentPipeline
from fittingroom.tryon.requests import GarmentRequest
from fittingroom.warp_gen.fit import fit_garment

H, W = 400, 300
HIPS = 230  # the synthetic shopper's hip joints' row (`poses.FRONTAL`); shoulders at 110
WHITE, BLACK, SKIN, WALL = (245, 245, 245), (20, 20, 25), (200, 150, 120), (200, 200, 205)


def _shopper(meet: int, above: tuple[int, int, int] = WHITE, lower: np.ndarray | tuple[int, int, int] = BLACK,
             crop_hem: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A shopper (columns 100-200, rows 100-399) in a top down to row `meet` and a lower garment below it (a
    colour or a pattern); with `crop_hem`, the top ends there and skin shows down to `meet`."""
    image = np.full((H, W, 3), WALL, np.uint8)
    image[100:meet, 100:200] = above
    if crop_hem is not None:
        image[crop_hem:meet, 100:200] = SKIN
    image[meet:, 100:200] = lower if isinstance(lower, tuple) else lower[meet:, 100:200]
    person = np.zeros((H, W), np.float32)
    person[100:, 100:200] = 1.0
    return image, person


def _torso() -> float:
    return body_frame(frontal_pose()).torso


@pytest.mark.parametrize("meet", [HIPS - 40, HIPS - 10, HIPS + 8])
def test_the_waistline_is_where_the_top_meets_the_trousers_high_or_low(meet: int) -> None:
    rise = waist_rise(*_shopper(meet), frontal_pose())
    assert rise is not None
    assert abs(rise - (HIPS - meet + TUCK * _torso())) <= 1.5


def test_a_pattern_sharing_the_tops_colour_does_not_move_the_line() -> None:
    """A white tee over trousers printed black, red and white: the white squares are either side's, the line
    is still the tee's hem."""
    ys, xs = np.mgrid[:H, :W]
    pattern = np.where(((ys // 6 + xs // 6) % 3 == 0)[..., None], np.array(WHITE, np.uint8),
                       np.where(((ys // 6 + xs // 6) % 3 == 1)[..., None], np.array(BLACK, np.uint8),
                                np.array((180, 30, 40), np.uint8)))
    rise = waist_rise(*_shopper(HIPS - 30, lower=pattern), frontal_pose())
    assert rise is not None
    assert abs(rise - (30 + TUCK * _torso())) <= 2.0


def test_over_a_bare_midriff_the_line_is_the_trousers_top_not_the_crop_tops_hem() -> None:
    rise = waist_rise(*_shopper(HIPS - 5, crop_hem=HIPS - 45), frontal_pose())
    assert rise is not None
    assert abs(rise - (5 + TUCK * _torso())) <= 1.5


def test_no_line_where_top_and_trousers_are_alike_or_the_hips_are_out_of_the_photo() -> None:
    assert waist_rise(*_shopper(HIPS - 30, lower=WHITE), frontal_pose()) is None
    image, person = _shopper(HIPS - 30)
    assert waist_rise(image[:200], person[:200], frontal_pose()) is None


def test_above_the_waistline_is_every_pixel_higher_on_the_body() -> None:
    above = above_waist(20.0, frontal_pose(), (H, W))
    assert above[HIPS - 21].all() and not above[HIPS - 19].any()


def _trousers() -> np.ndarray:
    mask = np.zeros((H, W), np.uint8)
    mask[40:120, 100:200] = 1
    mask[120:380, 100:145] = 1
    mask[120:380, 155:200] = 1
    return mask


def test_a_lower_garments_waistband_goes_on_at_the_rise_never_below_the_padding() -> None:
    marks = garment_landmarks(_trousers(), Category.LOWER)
    pose = frontal_pose()
    pad = PAD * body_frame(pose).shoulder_width
    for rise, lift in ((40.0, 40.0), (2.0, pad), (None, pad)):
        fit = fit_garment(marks, pose, Category.LOWER, rise=rise)
        target = dict(zip(fit.names, fit.target, strict=True))
        for name in ("left_waist", "right_waist", "waist"):  # the middle too: the band does not sag between
            assert abs(float(target[name][1]) - (HIPS - lift)) <= 0.5, (rise, name)


def test_the_new_trousers_go_in_under_the_top_whose_hem_is_never_repainted() -> None:
    """Old black trousers up to a white tee's hem 40 px above the hips: new grey trousers reach the hem; the tee,
    and the tee's pixels the old garment's mask took, stay as they were."""
    image, person = _shopper(HIPS - 40)
    pose = frontal_pose()
    garment = np.full((H, W, 3), 255, np.uint8)
    product = _trousers()
    garment[product > 0] = (120, 120, 130)
    request = GarmentRequest(image, garment, Category.LOWER, product_mask=product,
                             landmarks=garment_landmarks(product, Category.LOWER))
    waist = ClassicalGarmentPipeline.waistline(request, person, pose)
    assert waist is not None
    warped = ClassicalGarmentPipeline.warp(request, pose, product, request.landmarks, person, waist.rise)
    front = ClassicalGarmentPipeline.occlusion(request, person, pose, warped, waist.above)
    worn = np.zeros((H, W), np.uint8)
    worn[HIPS - 46:, 100:200] = 1  # the old garment's mask grew 6 px into the tee's hem
    dressed = ClassicalGarmentPipeline.composite(request, person, pose, warped, front, worn, waist.above)
    line = round(HIPS - waist.rise)
    # (the outline's corners beside the backdrop are rounded off: the body's columns only)
    assert np.array_equal(dressed.image[:line - 1, 103:197], image[:line - 1, 103:197])
    assert not dressed.repainted[:line - 1, 103:197].any()
    # Across the hips' middle, the tee's hem meets the new trousers: no band of the old black ones between them.
    assert dressed.image[line - 1:line + 8, 125:175].min() > 90
    assert np.array_equal(dressed.image[line + 3, 125:175], np.full((50, 3), (120, 120, 130)))
