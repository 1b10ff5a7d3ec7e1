"""A warped top's shoulders grown up to the body's outline (`warp_gen.shoulders`), on a synthetic shopper."""

from __future__ import annotations

import numpy as np
from poses import frontal_pose

from fittingroom.warp_gen.shoulders import draped_shoulders

H, W = 400, 300
RED = (200, 30, 30)


def _scene(garment_top: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Person from row 96 down (shoulders 14 px above the joints at row 110), a garment from `garment_top`."""
    person = np.zeros((H, W), np.float32)
    person[96:, 90:210] = 1
    alpha = np.zeros((H, W), np.float32)
    alpha[garment_top:300, 95:205] = 1
    image = np.zeros((H, W, 3), np.uint8)
    image[alpha > 0] = RED
    return image, alpha, person


def test_a_thin_gap_over_the_shoulder_becomes_garment_in_the_garments_colour() -> None:
    image, alpha, person = _scene(garment_top=104)  # 8 px below the outline: under MAX_GAP of 90 px
    under = (person > 0).astype(np.uint8)
    draped, grown = draped_shoulders(image, alpha, person, under, frontal_pose())
    assert grown[96:104, 120].min() == 1 and grown[95, 120] == 0  # up to the outline, not past it
    assert tuple(draped[97, 120]) == RED
    assert np.array_equal(grown[104:], alpha[104:])  # nothing below the old top changes


def test_a_gap_with_something_in_front_or_too_deep_stays() -> None:
    image, alpha, person = _scene(garment_top=104)
    under = (person > 0).astype(np.uint8)
    under[100, 100:140] = 0  # hair lying on the shoulder on the image-left side
    _, grown = draped_shoulders(image, alpha, person, under, frontal_pose())
    assert grown[101:104, 120].max() == 0 and grown[101:104, 180].min() == 1
    image, alpha, person = _scene(garment_top=120)  # 24 px: a neckline's depth, not a shoulder's gap
    _, grown = draped_shoulders(image, alpha, person, (person > 0).astype(np.uint8), frontal_pose())
    assert np.array_equal(grown, alpha)


def test_an_old_camisoles_strap_across_the_gap_is_draped_over() -> None:
    """The worn garment's mask left a camisole's strap out: neither skin nor old garment, 3 px across, with skin
    both sides. Stopped there, the new shoulder ended below the strap, which stood above it."""
    image, alpha, person = _scene(garment_top=104)
    under = (person > 0).astype(np.uint8)
    under[96:104, 119:122] = 0  # the strap, running down over the shoulder into the gap
    draped, grown = draped_shoulders(image, alpha, person, under, frontal_pose())
    assert grown[96:104, 118:123].min() == 1
    assert tuple(draped[98, 120]) == RED
