"""SCHP and cloth-segmentation pre/post-processing on synthetic arrays (no model)."""

from __future__ import annotations

import cv2
import numpy as np

from fittingroom.segment.parsing_client import (
    GARMENT_GREY,
    cloth_segm_input,
    cloth_segm_mask,
    schp_affine,
    schp_input,
    schp_labels,
)
from fittingroom.segment.spec import CLOTH_SEGM_SIZE, SCHP_MEAN_BGR, SCHP_STD_BGR

SIZE = (473, 473)
LOGITS = 119  # ceil(473 / 4)


def _apply(affine: np.ndarray, x: float, y: float) -> np.ndarray:
    return affine @ np.array([x, y, 1.0])


def test_schp_affine_fits_the_long_side_and_centres_the_short_one() -> None:
    affine = schp_affine(200, 100, SIZE)  # a portrait photo
    np.testing.assert_allclose(_apply(affine, 49.5, 0)[1], 0, atol=1e-9)  # first row centre -> first input row
    np.testing.assert_allclose(_apply(affine, 49.5, 199)[1], 472, atol=1e-9)  # last row -> last input row
    np.testing.assert_allclose(_apply(affine, 49.5, 99.5), [236, 236], atol=1e-9)  # centre -> centre
    assert affine[0, 0] == affine[1, 1] and affine[0, 1] == affine[1, 0] == 0  # aspect kept
    wide = schp_affine(100, 300, SIZE)
    np.testing.assert_allclose([_apply(wide, 0, 49.5)[0], _apply(wide, 299, 49.5)[0]], [0, 472], atol=1e-9)


def test_schp_input_is_bgr_imagenet_normalised_on_black() -> None:
    photo = np.zeros((200, 100, 3), np.uint8)
    photo[..., 0] = 255  # pure red
    batch, _ = schp_input(photo, SIZE)
    assert batch.shape == (1, 3, *SIZE) and batch.dtype == np.float32
    mean, std = np.array(SCHP_MEAN_BGR), np.array(SCHP_STD_BGR)
    centre = batch[0, :, 236, 236]
    np.testing.assert_allclose(centre, (np.array([0, 0, 1.0]) - mean) / std, atol=1e-5)  # red is channel 2 (BGR)
    np.testing.assert_allclose(batch[0, :, 236, 5], -mean / std, atol=1e-5)  # beside the portrait: black padding


def _two_step(logits: np.ndarray, affine: np.ndarray, height: int, width: int) -> np.ndarray:
    """simple_extractor's own way: upsample (align_corners=True) to the input, warp back per channel, argmax."""
    n = logits.shape[1]
    up = np.diag([(n - 1) / (SIZE[1] - 1), (n - 1) / (SIZE[0] - 1), 1.0])[:2]
    hwc = np.ascontiguousarray(logits.transpose(1, 2, 0))
    big = cv2.warpAffine(hwc, up, (SIZE[1], SIZE[0]), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)
    back = cv2.warpAffine(big, cv2.invertAffineTransform(affine), (width, height), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    return np.asarray(back.argmax(axis=2))


def test_schp_labels_land_where_the_photo_was() -> None:
    height, width = 300, 200
    affine = schp_affine(height, width, SIZE)
    # Logits saying "class 5 on the photo's left half, class 13 on its right half" in network coordinates.
    logits = np.zeros((20, LOGITS, LOGITS), np.float32)
    xs = np.arange(LOGITS) * (SIZE[1] - 1) / (LOGITS - 1)  # logit column -> input column
    photo_x = (xs - affine[0, 2]) / affine[0, 0]
    logits[5][:, photo_x < width / 2] = 1.0
    logits[13][:, photo_x >= width / 2] = 1.0
    labels = schp_labels(logits, affine, SIZE, height, width)
    assert labels.shape == (height, width) and labels.dtype == np.uint8
    assert (labels[:, : width // 2 - 3] == 5).all() and (labels[:, width // 2 + 3 :] == 13).all()


def test_schp_labels_agree_with_the_extractors_two_resamplings() -> None:
    rng = np.random.default_rng(0)
    smooth = cv2.GaussianBlur(rng.standard_normal((LOGITS, LOGITS, 20)).astype(np.float32), (0, 0), 4)
    logits = np.ascontiguousarray(smooth.transpose(2, 0, 1))
    affine = schp_affine(240, 180, SIZE)
    ours = schp_labels(logits, affine, SIZE, 240, 180)
    assert (ours == _two_step(logits, affine, 240, 180)).mean() > 0.99  # measured: 0.998


def test_cloth_segm_input_pads_to_a_square_with_the_border() -> None:
    photo = np.full((100, 60, 3), 255, np.uint8)
    photo[40:60, 20:40] = 0  # the garment, on white
    batch, padding = cloth_segm_input(photo)
    assert batch.shape == (1, 3, CLOTH_SEGM_SIZE, CLOTH_SEGM_SIZE) and padding == (0, 20)
    assert batch.min() >= -1 and batch.max() <= 1
    assert (batch[0, :, :, :40] == 1).all()  # the padding repeats the white background, it is not black
    assert batch[0, :, 160, 160].max() == -1  # the garment's black is -1


def test_cloth_segm_mask_undoes_the_padding() -> None:
    height, width = 100, 60  # square side 100, 20 columns of padding on the left
    logits = np.zeros((4, CLOTH_SEGM_SIZE, CLOTH_SEGM_SIZE), np.float32)
    logits[0] = 1.0
    scale = CLOTH_SEGM_SIZE / 100
    logits[1, int(20 * scale) : int(60 * scale), int((20 + 10) * scale) : int((20 + 30) * scale)] = 2.0
    mask = cloth_segm_mask(logits, (0, 20), height, width)
    assert mask.shape == (height, width) and mask.dtype == np.uint8
    assert set(np.unique(mask)) == {0, GARMENT_GREY}
    expected = np.zeros((height, width), bool)
    expected[20:60, 10:30] = True
    assert (mask > 0)[expected].all() and not (mask > 0)[~expected].any()
