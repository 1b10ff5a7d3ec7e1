"""Pure numpy pre/post-processing of each stage, without any model."""

from __future__ import annotations

import numpy as np
import pytest
import skimage.transform

from fittingroom.common import landmarks as lm
from fittingroom.common.images import square_crop
from fittingroom.pose.processing import CROP_MARGIN, decode_pose, merge_mirrored, person_square, pose_input, with_mirror
from fittingroom.pose.spec import LANDMARK_VALUES, NUM_LANDMARKS, POSE_SIZE
from fittingroom.segment.processing import bounding_box, u2net_input, u2net_mask
from fittingroom.segment.spec import IMAGENET_MEAN, IMAGENET_STD, U2NET_SIZE
from fittingroom.stylize.processing import content_input, style_input, stylized_output
from fittingroom.stylize.spec import CONTENT_SIZE, STYLE_SIZE

RNG = np.random.default_rng(0)


def _image(h: int, w: int) -> np.ndarray:
    return RNG.integers(0, 256, (h, w, 3), dtype=np.uint8)


def test_style_input_is_a_centre_square() -> None:
    wide = np.zeros((100, 300, 3), np.uint8)
    wide[:, 100:200] = 255  # only the centre square is white
    batch = style_input(wide)
    assert batch.shape == (1, STYLE_SIZE, STYLE_SIZE, 3) and batch.dtype == np.float32
    assert batch.min() == pytest.approx(1.0)


@pytest.mark.parametrize(("h", "w"), [(200, 100), (100, 200), (384, 384), (1, 500)])
def test_content_input_keeps_aspect_and_reports_valid_region(h: int, w: int) -> None:
    batch, (sh, sw) = content_input(_image(h, w))
    assert batch.shape == (1, CONTENT_SIZE, CONTENT_SIZE, 3)
    assert max(sh, sw) == CONTENT_SIZE
    assert abs(sh / sw - h / w) < 0.05 or min(sh, sw) == 1
    assert batch.min() >= 0.0 and batch.max() <= 1.0


def test_stylized_output_crops_and_quantises() -> None:
    out = stylized_output(np.full((CONTENT_SIZE, CONTENT_SIZE, 3), 0.5, np.float32), (100, 50))
    assert out.shape == (100, 50, 3) and out.dtype == np.uint8
    assert int(out[0, 0, 0]) == 128


def test_u2net_input_normalises_like_upstream() -> None:
    batch = u2net_input(np.full((50, 80, 3), 255, np.uint8))
    assert batch.shape == (1, 3, U2NET_SIZE, U2NET_SIZE)
    # x / max(x) = 1, then (1 - mean) / std
    assert batch[0, 0, 0, 0] == pytest.approx((1 - IMAGENET_MEAN[0]) / 0.229, rel=1e-5)


def test_u2net_input_resizes_with_upstreams_scikit_image_call() -> None:
    """data_loader.py's RescaleT: transform.resize(image, (320, 320), mode='constant'), anti-aliased when it
    shrinks (OpenCV INTER_AREA differed by up to 0.62 after normalisation on the evaluation photos)."""
    image = _image(480, 360)
    image[::2] //= 4  # one-pixel stripes: what anti-aliasing must smooth, not alias
    expected = skimage.transform.resize(image, (U2NET_SIZE, U2NET_SIZE), mode="constant", anti_aliasing=True)
    expected = (expected / expected.max() - IMAGENET_MEAN) / IMAGENET_STD
    np.testing.assert_allclose(u2net_input(image)[0], expected.transpose(2, 0, 1), atol=1e-5)


def test_u2net_mask_is_min_max_normalised_at_image_size() -> None:
    pred = np.zeros((1, U2NET_SIZE, U2NET_SIZE), np.float32)
    pred[0, 100:200, 50:150] = 0.8
    mask = u2net_mask(pred + 0.1, 64, 128)
    assert mask.shape == (64, 128)
    assert mask.min() == pytest.approx(0.0) and mask.max() == pytest.approx(1.0)


def test_bounding_box() -> None:
    mask = np.zeros((10, 20), np.float32)
    assert bounding_box(mask) is None
    mask[2:5, 3:9] = 1
    assert bounding_box(mask) == (3, 2, 9, 5)


def test_square_crop_maps_back_to_image_pixels() -> None:
    image = _image(100, 100)
    crop, to_image = square_crop(image, (10, 20, 60, 70), 25)
    assert crop.shape == (25, 25, 3)
    assert np.allclose(to_image @ np.array([0, 0, 1.0]), [10, 20])
    assert np.allclose(to_image @ np.array([25, 25, 1.0]), [60, 70])


def test_person_square_adds_the_mediapipe_margin() -> None:
    x0, y0, x1, y1 = person_square((0, 0, 100, 200))
    assert x1 - x0 == pytest.approx(200 * CROP_MARGIN) and y1 - y0 == pytest.approx(200 * CROP_MARGIN)
    assert (x0 + x1) / 2 == pytest.approx(50) and (y0 + y1) / 2 == pytest.approx(100)


def test_decode_pose_maps_crop_landmarks_to_the_image() -> None:
    image = _image(400, 300)
    batch, to_image = pose_input(image, (50, 100, 150, 300))
    assert batch.shape == (1, POSE_SIZE, POSE_SIZE, 3)
    raw = np.zeros((NUM_LANDMARKS, LANDMARK_VALUES), np.float32)
    raw[:, 0], raw[:, 1] = POSE_SIZE / 2, POSE_SIZE / 2  # every landmark at the crop centre
    raw[:, 3] = 10.0  # visibility logit
    pose = decode_pose(raw.reshape(-1), np.array([0.9], np.float32), to_image)
    assert pose.points.shape == (33, 2)
    assert np.allclose(pose.points, [100, 200], atol=1e-3)  # the box centre
    assert pose.visible(0) and pose.score == pytest.approx(0.9)


def _answer(shoulder_x: float, other_x: float) -> np.ndarray:
    """A landmark model's answer: the left shoulder at `shoulder_x`, every other landmark at `other_x`."""
    raw = np.zeros((NUM_LANDMARKS, LANDMARK_VALUES), np.float32)
    raw[:, 0], raw[:, 1] = other_x, 100.0
    raw[lm.LEFT_SHOULDER, 0] = shoulder_x
    return raw.reshape(-1)


def test_a_mirrored_answer_is_turned_back_and_averaged() -> None:
    """On the mirror image the person's left shoulder is the model's right one, at x' = 256 - x; a model whose
    answers lean 4 px to one side in every photo leans both ways over the pair, and the mean cancels it."""
    true_x, bias = 90.0, 4.0
    on_crop = _answer(true_x + bias, 128.0 + bias)
    on_mirror = _answer(0.0, 128.0 + bias)  # the person's left shoulder, found as a right one in the mirror
    on_mirror.reshape(NUM_LANDMARKS, LANDMARK_VALUES)[lm.RIGHT_SHOULDER, 0] = POSE_SIZE - true_x + bias
    merged = merge_mirrored(np.stack([on_crop, on_mirror])).reshape(NUM_LANDMARKS, LANDMARK_VALUES)
    assert merged[lm.LEFT_SHOULDER, 0] == pytest.approx(true_x)
    assert merged[lm.NOSE, 0] == pytest.approx(128.0)
    assert merged[lm.LEFT_SHOULDER, 1] == pytest.approx(100.0)


def _front(left_x: float, right_x: float, mirrored: bool = False) -> np.ndarray:
    """An answer with the shoulders at `left_x` and `right_x` on the crop, as the model gives it on the crop or,
    `mirrored`, on its mirror image (x flipped, the person's left shoulder found as a right one)."""
    raw = np.full((NUM_LANDMARKS, LANDMARK_VALUES), 128.0, np.float32)
    if mirrored:
        raw[lm.RIGHT_SHOULDER, 0], raw[lm.LEFT_SHOULDER, 0] = POSE_SIZE - left_x, POSE_SIZE - right_x
    else:
        raw[lm.LEFT_SHOULDER, 0], raw[lm.RIGHT_SHOULDER, 0] = left_x, right_x
    return raw.reshape(-1)


@pytest.mark.parametrize(("turned", "on_mirror"), [((132.0, 124.0), False), ((120.0, 136.0), False),
                                                   ((132.0, 124.0), True), ((120.0, 136.0), True)])
def test_an_answer_that_sees_the_shopper_turned_away_is_left_out(turned: tuple[float, float],
                                                                 on_mirror: bool) -> None:
    """One answer's shoulders 8 px apart, or the wrong way round (a shopper seen from behind), where the other's
    are 36 px apart: the mean would draw them together; the answer that sees her from the front is taken."""
    front, away = _front(146.0, 110.0, mirrored=not on_mirror), _front(*turned, mirrored=on_mirror)
    pair = [away, front] if not on_mirror else [front, away]
    merged = merge_mirrored(np.stack(pair)).reshape(NUM_LANDMARKS, LANDMARK_VALUES)
    assert merged[lm.LEFT_SHOULDER, 0] == pytest.approx(146.0)
    assert merged[lm.RIGHT_SHOULDER, 0] == pytest.approx(110.0)


def test_answers_a_little_apart_are_averaged() -> None:
    merged = merge_mirrored(np.stack([_front(140.0, 112.0), _front(148.0, 112.0, mirrored=True)]))
    assert merged.reshape(NUM_LANDMARKS, LANDMARK_VALUES)[lm.LEFT_SHOULDER, 0] == pytest.approx(144.0)


def test_the_crop_is_answered_with_its_mirror_image() -> None:
    batch, _ = pose_input(_image(400, 300), (50, 100, 150, 300))
    pair = with_mirror(batch)
    assert pair.shape == (2, POSE_SIZE, POSE_SIZE, 3)
    np.testing.assert_array_equal(pair[1], batch[0][:, ::-1])
