"""Worn-garment mask logic on synthetic people: region from pose, skin and background never included."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from poses import frontal_pose

from fittingroom.common import landmarks as lm
from fittingroom.common.body import Pose
from fittingroom.common.errors import InvalidInput
from fittingroom.common.garment import Category
from fittingroom.segment.worn_garment import body_region, skin_mask, worn_garment_mask, worn_outline

H, W = 400, 300
SKIN = (224, 172, 140)
SHIRT = (40, 90, 200)
TROUSERS = (60, 60, 60)


def _pose(visible: bool = True) -> Pose:
    """Elbows a little closer to the body, no wrists."""
    return frontal_pose({lm.LEFT_ELBOW: (210, 170), lm.RIGHT_ELBOW: (90, 170), lm.LEFT_WRIST: (0, 0),
                         lm.RIGHT_WRIST: (0, 0)}, visibility=0.99 if visible else 0.01)


def _person() -> tuple[np.ndarray, np.ndarray]:
    """A cartoon shopper on a light background: skin head and arms, blue shirt, grey trousers."""
    image = np.full((H, W, 3), 235, np.uint8)
    cv2.circle(image, (150, 60), 35, SKIN, -1)
    cv2.rectangle(image, (60, 110), (90, 230), SKIN, -1)  # bare arms beside the shirt
    cv2.rectangle(image, (210, 110), (240, 230), SKIN, -1)
    cv2.rectangle(image, (100, 100), (200, 240), SHIRT, -1)
    cv2.rectangle(image, (110, 240), (190, 390), TROUSERS, -1)
    person = (np.abs(image.astype(int) - 235).sum(axis=2) > 0).astype(np.float32)
    return image, person


def _colour_share(image: np.ndarray, mask: np.ndarray, colour: tuple[int, int, int]) -> float:
    hits = np.all(image == colour, axis=2)
    return float((hits & (mask > 0)).sum() / max(hits.sum(), 1))


def test_upper_garment_covers_the_shirt_and_nothing_else() -> None:
    image, person = _person()
    mask = worn_garment_mask(image, person, _pose(), Category.UPPER)
    assert _colour_share(image, mask, SHIRT) > 0.85
    assert _colour_share(image, mask, SKIN) == 0.0
    assert mask[person == 0].sum() == 0  # never the background


def test_a_given_skin_mask_is_the_one_left_out() -> None:
    image, person = _person()
    skin = skin_mask(image, _pose(), person)
    assert np.array_equal(worn_garment_mask(image, person, _pose(), Category.UPPER, skin),
                          worn_garment_mask(image, person, _pose(), Category.UPPER))
    told = skin.copy()
    told[160:180, 95:206] = 1  # skin said to lie across the shirt: read, not found again
    assert worn_garment_mask(image, person, _pose(), Category.UPPER, told)[160:180].sum() == 0


def test_lower_garment_covers_the_trousers() -> None:
    image, person = _person()
    mask = worn_garment_mask(image, person, _pose(), Category.LOWER)
    assert _colour_share(image, mask, TROUSERS) > 0.8
    assert _colour_share(image, mask, SKIN) == 0.0


def test_dress_region_spans_shoulders_to_knees() -> None:
    region = body_region(_pose(), (H, W), Category.DRESS)
    ys = np.nonzero(region)[0]
    assert ys.min() < 110 and ys.max() > 310


def test_lower_garment_needs_a_body_to_hang_on() -> None:
    with pytest.raises(InvalidInput, match="shoulders"):
        body_region(_pose(visible=False), (H, W), Category.LOWER)


def test_skin_mask_finds_skin_not_shirt() -> None:
    image, person = _person()
    skin = skin_mask(image, _pose(), person)
    assert skin[60, 150] == 1 and skin[170, 150] == 0


def test_no_garment_is_a_clear_error() -> None:
    image = np.full((H, W, 3), 235, np.uint8)
    with pytest.raises(InvalidInput, match="no upper garment"):
        worn_garment_mask(image, np.zeros((H, W), np.float32), _pose(), Category.UPPER)


def test_worn_outline_reaches_wide_trouser_legs() -> None:
    """Trouser legs wider than the body region the mask is solved in: the outline takes them to their edge."""
    image, _ = _person()
    cv2.rectangle(image, (80, 240), (220, 390), TROUSERS, -1)
    person = (np.abs(image.astype(int) - 235).sum(axis=2) > 0).astype(np.float32)
    worn = worn_garment_mask(image, person, _pose(), Category.LOWER)
    outline = worn_outline(image, worn, person, _pose(), Category.LOWER)
    assert _colour_share(image, worn, TROUSERS) < 0.97  # the region stops short of the wide legs
    assert _colour_share(image, outline, TROUSERS) > 0.99
    assert _colour_share(image, outline, SKIN) == 0.0
    assert _colour_share(image, outline, SHIRT) < 0.05  # at most its anti-aliased edge on the shirt's hem


def test_worn_outline_keeps_out_other_colours() -> None:
    """Grown only through the garment's own colours: a bag of another colour against the wide legs stays."""
    image, _ = _person()
    cv2.rectangle(image, (80, 240), (220, 390), TROUSERS, -1)
    cv2.rectangle(image, (221, 260), (262, 320), (200, 40, 40), -1)
    person = (np.abs(image.astype(int) - 235).sum(axis=2) > 0).astype(np.float32)
    worn = worn_garment_mask(image, person, _pose(), Category.LOWER)
    outline = worn_outline(image, worn, person, _pose(), Category.LOWER)
    assert outline[262:318, 224:262].sum() == 0  # inside the bag's own edge


def test_worn_outline_takes_a_high_waistband_above_the_hips_but_not_the_tops_hem() -> None:
    """Trousers worn high, from row 218 (hip joints at 230), their waistband dropped by the mask: the outline
    takes it back up to the shirt's hem, and none of the shirt."""
    image, _ = _person()
    cv2.rectangle(image, (100, 100), (200, 217), SHIRT, -1)
    cv2.rectangle(image, (100, 218), (200, 240), (235, 235, 235), -1)
    cv2.rectangle(image, (110, 218), (190, 240), TROUSERS, -1)
    person = (np.abs(image.astype(int) - 235).sum(axis=2) > 0).astype(np.float32)
    worn = np.zeros((H, W), np.uint8)  # the mask as GrabCut left it: below the hip joints only
    worn[231:391, 110:191] = 1
    outline = worn_outline(image, worn, person, _pose(), Category.LOWER)
    waistband = np.zeros((H, W), bool)
    waistband[220:230, 112:189] = True  # above the hip joints, inside the band's own edge
    assert outline[waistband].mean() > 0.95
    assert _colour_share(image, outline, SHIRT) < 0.03


def test_skin_mask_keeps_a_thin_arm_beside_a_white_top_but_drops_specks() -> None:
    """A full-length photo's arm hangs 3-5 px wide beside a white top on a white backdrop: the opening that drops specks
    took it for one, and the top's outline took the arm. Thin skin along the arm's bones that joins the skin kept (its
    hand) stays skin; a thin skin-coloured stripe on the top, or one off the arm that leaves the hand, does not."""
    image = np.full((H, W, 3), 250, np.uint8)
    cv2.circle(image, (150, 60), 35, SKIN, -1)
    cv2.rectangle(image, (110, 100), (190, 240), (245, 245, 245), -1)  # the white top
    for y in range(110, 236):  # the left arm, 3 px wide, shoulder to elbow to wrist (the pose's joints)
        x = round(np.interp(y, (110, 175, 235), (195, 215, 220)))
        image[y, x - 1:x + 2] = SKIN
    cv2.circle(image, (220, 240), 7, SKIN, -1)  # its hand, wide enough for the opening
    image[130:200, 149:152] = SKIN  # a stripe on the top, 3 px wide, apart from any skin
    cv2.line(image, (226, 240), (280, 300), SKIN, 2)  # a strap leaving the hand, off the arm
    person = (np.abs(image.astype(int) - 250).sum(axis=2) > 0).astype(np.float32)
    skin = skin_mask(image, frontal_pose(), person)
    assert skin[142, 205] == 1 and skin[205, 217] == 1  # upper arm and forearm
    assert skin[165, 150] == 0 and skin[280, 262] == 0
