"""Product-photo mask and garment landmarks on synthetic catalog photos (see gateway/sample_garment.py)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from fittingroom.common.errors import InvalidInput
from fittingroom.common.garment import Category, GarmentLandmarks
from fittingroom.gateway.sample_garment import BACKGROUND, SAMPLE_LANDMARKS, SIZE, sample_garment, sample_outline
from fittingroom.segment.garment_landmarks import garment_landmarks
from fittingroom.segment.product import product_mask


def _truth_mask(garment: Category) -> np.ndarray:
    return sample_outline(garment)


def _width(garment: Category) -> float:
    xs = [x for x, _ in SAMPLE_LANDMARKS[garment].values()]
    return max(xs) - min(xs)


@pytest.mark.parametrize("garment", list(Category))
def test_product_mask_follows_the_garment_not_its_shadow(garment: Category) -> None:
    image = sample_garment(garment)
    mask = product_mask(image)
    truth = _truth_mask(garment)
    iou = (mask & truth).sum() / (mask | truth).sum()
    assert iou > 0.97
    assert mask[:8].sum() == 0 and mask[:, :8].sum() == 0  # the border is background


def test_salient_map_rescues_a_garment_the_colour_of_the_background() -> None:
    image = np.full((200, 200, 3), BACKGROUND, np.uint8)
    cv2.rectangle(image, (60, 40), (140, 170), (240, 240, 236), -1)  # an off-white shirt on off-white
    salient = np.zeros((200, 200), np.float32)
    salient[42:168, 62:138] = 1.0
    salient = cv2.GaussianBlur(salient, (0, 0), 3)
    mask = product_mask(image, salient)
    assert mask[100, 100] == 1 and mask[45:165, 65:135].mean() > 0.95
    assert mask[10:30].sum() == 0 and mask[:, 160:].sum() == 0
    with pytest.raises(InvalidInput, match="no garment") as error:
        product_mask(image)  # without the model there is nothing to go on
    assert error.value.field == "garment"


def test_empty_photo_has_no_garment() -> None:
    with pytest.raises(InvalidInput, match="no garment"):
        product_mask(np.full((120, 120, 3), 250, np.uint8), np.zeros((120, 120), np.float32))


@pytest.mark.parametrize("garment", list(Category))
def test_landmarks_of_the_sample_garments(garment: Category) -> None:
    marks = garment_landmarks(product_mask(sample_garment(garment)), garment.value)
    found = marks.named()
    truth = SAMPLE_LANDMARKS[garment]
    assert set(truth) <= set(found)
    tolerance = 0.05 * _width(garment)
    for name, (x, y) in truth.items():
        assert np.hypot(found[name][0] - x, found[name][1] - y) <= tolerance, (name, found[name], (x, y))


def test_wearer_left_is_image_right() -> None:
    marks = garment_landmarks(_truth_mask(Category.UPPER), Category.UPPER)
    assert marks.left_shoulder is not None and marks.right_shoulder is not None
    assert marks.left_shoulder[0] > marks.right_shoulder[0]
    assert marks.left_cuff is not None and marks.right_cuff is not None
    assert marks.left_cuff[0] > marks.left_shoulder[0] > marks.right_shoulder[0] > marks.right_cuff[0]


def test_a_sleeveless_dress_has_no_armpits_or_cuffs() -> None:
    marks = garment_landmarks(_truth_mask(Category.DRESS), Category.DRESS)
    assert marks.left_armpit is None and marks.right_cuff is None
    assert marks.left_hem is not None and marks.left_hem[1] > 400


def test_a_skirt_is_a_lower_garment_without_legs() -> None:
    mask = np.zeros((300, 300), np.uint8)
    cv2.fillPoly(mask, [np.array([[110, 40], [190, 40], [230, 260], [70, 260]], np.int32)], 1)
    marks = garment_landmarks(mask, Category.LOWER)
    assert marks.crotch is None and marks.left_hem_outer is None
    assert marks.left_waist == (190.0, 40.0) and marks.right_waist == (110.0, 40.0)
    assert marks.left_hem is not None and abs(marks.left_hem[0] - 230) <= 2


def test_landmarks_move_with_the_garment() -> None:
    """Found on the shape, not on the canvas: a shifted and smaller garment has shifted, smaller landmarks."""
    mask = _truth_mask(Category.UPPER)
    base = garment_landmarks(mask, Category.UPPER).named()
    moved_mask = np.zeros((SIZE + 100, SIZE + 100), np.uint8)
    small = cv2.resize(mask, (SIZE * 3 // 4, SIZE * 3 // 4), interpolation=cv2.INTER_NEAREST)
    moved_mask[60:60 + small.shape[0], 30:30 + small.shape[1]] = small
    moved = garment_landmarks(moved_mask, Category.UPPER).named()
    assert set(moved) == set(base)
    for name, (x, y) in base.items():
        expected = (30 + x * 0.75, 60 + y * 0.75)
        assert np.hypot(moved[name][0] - expected[0], moved[name][1] - expected[1]) <= 8, name


def test_named_lists_only_found_points() -> None:
    marks = GarmentLandmarks(Category.UPPER, neck=(1.0, 2.0))
    assert marks.named() == {"neck": (1.0, 2.0)}


def test_empty_mask_is_refused() -> None:
    with pytest.raises(InvalidInput):
        garment_landmarks(np.zeros((50, 50), np.uint8), "upper")
