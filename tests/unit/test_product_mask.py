"""Product-photo mask of light garments on flat light backgrounds (studio cut-outs), on synthetic photos."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from fittingroom.common.garment import Category
from fittingroom.gateway.sample_garment import SIZE, sample_outline
from fittingroom.segment import product
from fittingroom.segment.product import background_distance, flat_background_garment, product_mask

STUDIO_GREY = (246, 246, 246)


def _iou(mask: np.ndarray, truth: np.ndarray) -> float:
    return float((mask.astype(bool) & truth.astype(bool)).sum() / (mask.astype(bool) | truth.astype(bool)).sum())


def _white_shirt(background: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A cream T-shirt with a faint grey outline and a coloured print pasted on `background`; its true
    silhouette; and a salient map that, as U2NetP does on such a photo, sees only the print."""
    outline = sample_outline(Category.UPPER)
    rng = np.random.default_rng(3)
    cloth = np.array((242, 241, 237), np.float32) + rng.normal(0, 1.2, (SIZE, SIZE, 1))  # knit texture
    image = np.where(outline[..., None] > 0, np.clip(cloth, 0, 255), background).astype(np.uint8)
    contours, _ = cv2.findContours(outline.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    cv2.drawContours(image, contours, -1, (228, 228, 226), 1)
    print_area = np.zeros((SIZE, SIZE), np.uint8)
    cv2.ellipse(print_area, (256, 250), (60, 80), 0, 0, 360, 1, -1)
    image[print_area > 0] = (200, 40, 50)
    cv2.circle(image, (256, 230), 25, (20, 20, 20), -1)
    salient = cv2.GaussianBlur(print_area.astype(np.float32), (0, 0), 4)
    return image, outline, salient


def test_white_shirt_on_white_is_found_whole_not_only_its_print() -> None:
    image, outline, salient = _white_shirt(np.full((SIZE, SIZE, 3), STUDIO_GREY, np.uint8))
    mask = product_mask(image, salient)
    assert _iou(mask, outline) > 0.95
    assert mask[:10].sum() == 0 and mask[:, :10].sum() == 0


def test_box_of_another_white_around_a_cut_out_stays_background() -> None:
    background = np.full((SIZE, SIZE, 3), 255, np.uint8)
    background[30:495, 50:465] = 253  # the cut-out's own canvas, pasted on the shop's white
    image, outline, salient = _white_shirt(background)
    mask = product_mask(image, salient)
    assert _iou(mask, outline) > 0.95


def test_garment_the_model_finds_whole_is_left_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    outline = sample_outline(Category.UPPER)
    image = np.full((SIZE, SIZE, 3), STUDIO_GREY, np.uint8)
    image[outline > 0] = (30, 40, 90)
    cv2.circle(image, (256, 250), 40, (236, 236, 236), -1)  # a light print near the background's colour
    salient = cv2.GaussianBlur(outline.astype(np.float32), (0, 0), 3)
    found = product_mask(image, salient)
    monkeypatch.setattr(product, "flat_background_garment", lambda *_: None)
    assert np.array_equal(found, product_mask(image, salient))


def test_a_lit_background_is_not_flooded() -> None:
    # A studio sweep lit from above: several Lab units from top to bottom, no flat fill to flood through.
    shade = np.linspace(252, 226, SIZE, dtype=np.float32)[:, None, None]
    image = np.broadcast_to(shade, (SIZE, SIZE, 3)).astype(np.uint8).copy()
    distance, lightness = background_distance(image)
    assert flat_background_garment(image, distance, lightness) is None
    dark = np.full((SIZE, SIZE, 3), 60, np.uint8)
    assert flat_background_garment(dark, *background_distance(dark)) is None


def test_the_same_photo_gives_the_same_mask_every_time() -> None:
    # GrabCut's k-means draws from OpenCV's random state, which every call moves on.
    outline = sample_outline(Category.UPPER)
    image = np.full((SIZE, SIZE, 3), STUDIO_GREY, np.uint8)
    image[outline > 0] = (30, 40, 90)
    cv2.circle(image, (256, 250), 40, (236, 236, 236), -1)
    salient = cv2.GaussianBlur(outline.astype(np.float32), (0, 0), 3)
    first = product_mask(image, salient)
    cv2.randu(np.zeros(16, np.uint8), 0, 255)  # someone else's use of the random state in between
    assert all(np.array_equal(first, product_mask(image, salient)) for _ in range(3))
