"""Where a bared leg goes on from the leg the photo shows: below the old hem's shadow, within the leg's own colours,
on synthetic shoppers (tests/poses.py: hips at row 230, knees at 310, ankles at 385)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from poses import FRONTAL, frontal_pose

from fittingroom.common import landmarks as lm
from fittingroom.common.body import LEG_HEM, LEG_SEEN
from fittingroom.segment.legs import leg_shapes
from fittingroom.warp_gen.skin_fill import seam_rim

H, W = 400, 300
BACKDROP = (235, 235, 235)
DRESS = (20, 20, 24)
LEG_SKIN = (180, 132, 110)
CALF = 22
OLD_HEM = 330
SHADOW = 12  # rows below the old hem darkened by its shadow (deeper than the mask alone skips)


def _leg_x(leg: int, y: float) -> float:
    hip, knee, ankle = ((lm.LEFT_HIP, lm.LEFT_KNEE, lm.LEFT_ANKLE), (lm.RIGHT_HIP, lm.RIGHT_KNEE, lm.RIGHT_ANKLE))[leg]
    return float(np.interp(y, [FRONTAL[j][1] for j in (hip, knee, ankle)], [FRONTAL[j][0] for j in (hip, knee, ankle)]))


def _shopper(shadow: int = SHADOW, mask_wider: int = 0, edge: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """image, person mask, old dress mask: a long black dress to OLD_HEM, calves below it whose first `shadow` rows
    darken towards the hem (to 0.55 of their tone), each with a pixel either side that is `edge` of their skin and the
    rest backdrop (an anti-aliased outline); the person mask `mask_wider` px wider than them either side (a
    segmentation taking the backdrop's sliver beside the legs)."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    for leg in (0, 1):
        for y in range(OLD_HEM - 20, 386):
            x = round(_leg_x(leg, y) - CALF / 2)
            shade = 1.0 - 0.45 * max(0.0, 1.0 - (y - OLD_HEM) / shadow) if shadow and y >= OLD_HEM else 1.0
            image[y, x:x + CALF] = np.round(np.array(LEG_SKIN) * shade)
            if edge:
                blend = np.round(edge * np.array(LEG_SKIN) * shade + (1.0 - edge) * np.array(BACKDROP))
                image[y, [x - 1, x + CALF]] = blend
    dress = np.zeros((H, W), np.uint8)
    cv2.fillPoly(dress, [np.array([[110, 110], [190, 110], [200, OLD_HEM], [100, OLD_HEM]], np.int32)], 1)
    image[dress > 0] = DRESS
    person = np.any(image != BACKDROP, axis=2).astype(np.uint8)
    if mask_wider:
        person = cv2.dilate(person, np.ones((1, 2 * mask_wider + 1), np.uint8))
    return image, person.astype(np.float32), dress


def _first_seen_row(legs: np.ndarray, leg: int) -> int:
    return int(np.flatnonzero((legs[leg] == LEG_SEEN).any(axis=1))[0])


def test_the_old_hems_shadow_on_the_legs_is_repainted_not_gone_on_from() -> None:
    image, person, dress = _shopper()
    with_photo = leg_shapes(frontal_pose(), (H, W), person, dress, image)
    without = leg_shapes(frontal_pose(), (H, W), person, dress)
    for leg in (0, 1):
        assert _first_seen_row(without, leg) < OLD_HEM + SHADOW - 1  # the mask alone: its first rows are shade
        first = _first_seen_row(with_photo, leg)
        assert OLD_HEM + SHADOW - 2 <= first <= OLD_HEM + SHADOW + 1  # the photo: below the shadow, no further
        assert (with_photo[leg][first - 1] == LEG_HEM).any()  # the shadow's rows are the hem's, repainted
    # The outline is the same either way: the shadow is light, not shape.
    assert np.array_equal(with_photo > 0, without > 0)


def test_an_evenly_lit_leg_below_the_hem_keeps_its_seen_rows() -> None:
    image, person, dress = _shopper(shadow=0)
    with_photo = leg_shapes(frontal_pose(), (H, W), person, dress, image)
    without = leg_shapes(frontal_pose(), (H, W), person, dress)
    assert np.array_equal(with_photo, without)


def test_the_legs_outline_is_the_photos_where_the_mask_takes_the_backdrop_beside_it() -> None:
    image, person, dress = _shopper(shadow=0, mask_wider=3)
    with_photo = leg_shapes(frontal_pose(), (H, W), person, dress, image)
    without = leg_shapes(frontal_pose(), (H, W), person, dress)
    for leg in (0, 1):
        assert (with_photo[leg][350] == LEG_SEEN).sum() == pytest.approx(CALF, abs=1)
        assert (without[leg][350] == LEG_SEEN).sum() == pytest.approx(CALF + 6, abs=1)
        # Above the hem the bared leg is shaped from those widths: no wider than the calf's own taper allows.
        assert (with_photo[leg][320] > 0).sum() < (without[leg][320] > 0).sum()


def test_the_bared_leg_is_as_wide_as_the_photos_anti_aliased_outline() -> None:
    # The calves' outline falls within the pixel either side of them, here a blend of 0.45 skin: the bared legs above
    # where the photo shows them are as wide as the calves and the two blends, about a pixel wider than without them
    # (not cut at the whole pixels that are more skin than backdrop).
    areas = {}
    for edge in (0.0, 0.45):
        image, person, dress = _shopper(shadow=0, edge=edge)
        legs = leg_shapes(frontal_pose(), (H, W), person, dress, image)
        areas[edge] = [int((legs[leg][_first_seen_row(legs, leg) - 12:_first_seen_row(legs, leg)] > 0).sum())
                       for leg in (0, 1)]
    for leg in (0, 1):
        assert areas[0.45][leg] == pytest.approx(areas[0.0][leg] + 12 * 0.9, abs=12 * 0.4)


def test_the_seam_rim_leaves_the_legs_the_photo_shows_alone() -> None:
    image, person, dress = _shopper()
    legs = leg_shapes(frontal_pose(), (H, W), person, dress, image)
    hole = (legs == LEG_HEM).any(axis=0)
    skin = (person > 0) & (dress == 0)
    body = np.ones((H, W), bool)
    rim = seam_rim(hole, body, skin)
    assert (rim & (legs == LEG_SEEN).any(axis=0)).any()  # the skin just below the hem rows
    kept = seam_rim(hole, body, skin, legs)
    assert not (kept & (legs == LEG_SEEN).any(axis=0)).any()
    assert np.array_equal(kept, rim & ~(legs == LEG_SEEN).any(axis=0))
