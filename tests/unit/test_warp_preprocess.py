"""VITON-HD / DAFlow pre-processing on synthetic people: remaps, agnostic inputs, encodings, resizing."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from fittingroom.warp_gen import preprocess as pp

H, W = 256, 192


def _lip(name: str) -> int:
    return {"upper": pp.UPPER_CLOTHES, "dress": pp.DRESS, "coat": pp.COAT, "neck": pp.NECK_LABEL,
            "hair": pp.HAIR, "hat": pp.HAT, "face": pp.FACE, "sunglasses": pp.SUNGLASSES, "pants": pp.PANTS,
            "skirt": pp.SKIRT, "socks": pp.SOCKS, "glove": pp.GLOVE, "scarf": pp.SCARF}[name]


@pytest.mark.parametrize(("lip", "group13"), [
    ("upper", "upper"), ("dress", "upper"), ("coat", "upper"), ("neck", "background"), ("hair", "hair"),
    ("hat", "hair"), ("face", "face"), ("sunglasses", "face"), ("pants", "bottom"), ("skirt", "bottom"),
    ("socks", "socks"), ("glove", "noise"), ("scarf", "noise"),
])
def test_lip_to_vitonhd_13(lip: str, group13: str) -> None:
    assert pp.VITONHD_13_LABELS[pp.LIP_TO_VITONHD_13[_lip(lip)]] == group13


def test_limbs_keep_their_side_through_both_remaps() -> None:
    for lip, name13, name7 in ((pp.LEFT_ARM, "left_arm", "left_arm"), (pp.RIGHT_ARM, "right_arm", "right_arm"),
                               (pp.LEFT_LEG, "left_leg", "paste"), (pp.RIGHT_SHOE, "right_shoe", "paste")):
        index13 = pp.LIP_TO_VITONHD_13[lip]
        assert pp.VITONHD_13_LABELS[index13] == name13
        assert pp.VITONHD_7_LABELS[pp.VITONHD_13_TO_7[index13]] == name7


def test_13_to_7_groups() -> None:
    grouped = {name: pp.VITONHD_7_LABELS[pp.VITONHD_13_TO_7[i]] for i, name in enumerate(pp.VITONHD_13_LABELS)}
    assert grouped == {"background": "background", "hair": "hair", "face": "paste", "upper": "upper",
                       "bottom": "paste", "left_arm": "left_arm", "right_arm": "right_arm", "left_leg": "paste",
                       "right_leg": "paste", "left_shoe": "paste", "right_shoe": "paste", "socks": "paste",
                       "noise": "noise"}


def test_one_hot_and_parse_from_scores() -> None:
    labels = np.array([[0, 3], [12, 5]])
    hot = pp.one_hot(labels, 13)
    assert hot.shape == (13, 2, 2) and hot.dtype == np.float32
    np.testing.assert_array_equal(hot.sum(0), 1)
    np.testing.assert_array_equal(hot.argmax(0), labels)
    parse = pp.parse_from_scores(hot * 0.9 + 0.01)
    assert parse.shape == (7, 2, 2)
    np.testing.assert_array_equal(parse.argmax(0), [[0, 2], [6, 4]])  # background, upper, noise, left arm


def test_signed_image_round_trip() -> None:
    image = np.random.default_rng(0).integers(0, 256, (5, 4, 3), dtype=np.uint8)
    signed = pp.to_signed(image)
    assert signed.shape == (3, 5, 4) and signed.min() >= -1 and signed.max() <= 1
    np.testing.assert_array_equal(pp.from_signed(signed), image)


def test_binary_mask_threshold() -> None:
    np.testing.assert_array_equal(pp.binary_mask(np.array([[0, 127, 128, 255]], np.uint8)), [[[0, 0, 1, 1]]])


def test_seg_noise_is_the_saturated_tail() -> None:
    noise = pp.seg_noise(np.random.default_rng(0))
    assert noise.shape == (1, 256, 192)
    assert set(np.unique(noise)) == {0.0, 1.0}
    assert 0.15 < noise.mean() < 0.17  # P(N(0, 1) >= 254.5 / 255)


def test_resize_matches_pil_bilinear_and_nearest() -> None:
    rng = np.random.default_rng(1)
    image = rng.integers(0, 256, (101, 77, 3), dtype=np.uint8)
    for height, width in ((50, 40), (230, 170)):
        ours = pp.resize_image(image, height, width).astype(int)
        pil = np.asarray(Image.fromarray(image).resize((width, height), Image.Resampling.BILINEAR)).astype(int)
        assert np.abs(ours - pil).max() <= 1
    labels = rng.integers(0, 20, (101, 77), dtype=np.uint8)
    pil_labels = np.asarray(Image.fromarray(labels).resize((33, 71), Image.Resampling.NEAREST))
    np.testing.assert_array_equal(pp.resize_labels(labels, 71, 33), pil_labels)


def test_resize_antialiases_when_shrinking() -> None:
    checker = (np.indices((64, 64)).sum(0) % 2 * 255).astype(np.uint8)
    small = pp.resize_image(checker, 16, 16)
    assert np.abs(small.astype(int) - 128).max() <= 1


def test_fit_keeps_aspect_and_maps_keypoints() -> None:
    image = np.full((100, 50, 3), 200, np.uint8)
    canvas, fit = pp.fit_image(image, 512, 384, fill=255)
    assert canvas.shape == (512, 384, 3)
    assert (fit.height, fit.width, fit.top, fit.left) == (512, 256, 0, 64)
    assert (canvas[:, :64] == 255).all() and (canvas[:, 64:320] == 200).all() and (canvas[:, 320:] == 255).all()
    assert fit.crop(canvas).shape == (512, 256, 3)
    keypoints = np.array([[10, 20, 1], [0, 0, 0]], np.float32)
    np.testing.assert_allclose(fit.keypoints(keypoints), [[10 * 5.12 + 64, 20 * 5.12, 1], [0, 0, 0]])
    labels, _ = pp.fit_image(np.full((100, 50), 7, np.uint8), 512, 384, labels=True)
    assert set(np.unique(labels)) == {0, 7}


@pytest.mark.parametrize("width", [1, 9, 20])
def test_primitives_agree_with_pil(width: int) -> None:
    ours = np.zeros((80, 90), bool)
    pp.draw_line(ours, np.array([10.0, 15.0]), np.array([70.0, 60.0]), width)
    pp.draw_ellipse(ours, np.array([40.0, 40.0]), 12, 20)
    pp.draw_polygon(ours, np.array([[50.0, 5.0], [85.0, 10.0], [80.0, 30.0], [55.0, 25.0]]))
    pp.draw_rectangle(ours, np.array([20.0, 65.0]), 6)
    pil = Image.new("L", (90, 80))
    draw = ImageDraw.Draw(pil)
    draw.line([(10, 15), (70, 60)], fill=255, width=width)
    draw.ellipse((28, 20, 52, 60), fill=255)
    draw.polygon([(50, 5), (85, 10), (80, 30), (55, 25)], fill=255)
    draw.rectangle((14, 59, 26, 71), fill=255)
    theirs = np.asarray(pil) > 0
    # Same shapes up to how each rasteriser rounds the outline.
    assert (ours ^ theirs).sum() / (ours | theirs).sum() < 0.1


def _person() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A frontal stick person at 256x192: LIP parse, an image coloured by label, OpenPose-18 keypoints."""
    parse = np.zeros((H, W), np.uint8)
    parse[20:60, 76:116] = pp.FACE
    parse[10:20, 76:116] = pp.HAIR
    parse[60:70, 86:106] = pp.NECK_LABEL
    parse[70:150, 60:132] = pp.UPPER_CLOTHES
    parse[70:180, 40:60] = pp.RIGHT_ARM  # image left = the person's right
    parse[70:180, 132:152] = pp.LEFT_ARM
    parse[180:200, 40:60] = pp.RIGHT_ARM  # a hand far below the wrist
    parse[150:250, 62:130] = pp.PANTS
    keypoints = np.zeros((18, 3), np.float32)
    for index, (x, y) in {1: (96, 66), 2: (62, 72), 3: (50, 110), 4: (50, 150), 5: (130, 72), 6: (142, 110),
                          7: (142, 150), 8: (80, 150), 11: (112, 150)}.items():
        keypoints[index] = (x, y, 1)
    image = np.stack([parse * 12, 255 - parse * 12, np.full_like(parse, 50)], -1).astype(np.uint8)
    return parse, image, keypoints


def test_parse_agnostic_removes_garment_neck_and_sleeve_arms() -> None:
    parse, _, keypoints = _person()
    agnostic = pp.parse_agnostic(parse, keypoints)
    assert not np.isin(agnostic, (pp.UPPER_CLOTHES, pp.DRESS, pp.COAT, pp.NECK_LABEL)).any()
    assert agnostic[100, 50] == pp.BACKGROUND and agnostic[100, 142] == pp.BACKGROUND  # along the arm strokes
    assert agnostic[195, 50] == pp.RIGHT_ARM  # the hand is beyond the wrist's small disc
    np.testing.assert_array_equal(agnostic[parse == pp.FACE], pp.FACE)
    np.testing.assert_array_equal(agnostic[parse == pp.PANTS], pp.PANTS)


def test_image_agnostic_greys_torso_and_keeps_head_and_legs() -> None:
    parse, image, keypoints = _person()
    agnostic = pp.image_agnostic(image, parse, keypoints)
    assert (agnostic[110, 96] == pp.AGNOSTIC_GREY).all()  # chest
    assert (agnostic[66, 96] == pp.AGNOSTIC_GREY).all()  # neck box
    assert (agnostic[110, 50] == pp.AGNOSTIC_GREY).all()  # upper arm
    np.testing.assert_array_equal(agnostic[parse == pp.FACE], image[parse == pp.FACE])
    np.testing.assert_array_equal(agnostic[parse == pp.PANTS], image[parse == pp.PANTS])
    np.testing.assert_array_equal(agnostic[5, 5], image[5, 5])  # background far from the body


def test_missing_keypoints_draw_nothing_for_them() -> None:
    parse, image, keypoints = _person()
    keypoints[[8, 11]] = 0  # no hips: no torso polygon or hip ellipses
    region = pp.agnostic_region(parse.shape, keypoints)
    full = pp.agnostic_region(parse.shape, _person()[2])
    assert region.sum() < full.sum()
    assert not region[200, 96]  # the torso polygon would have reached down to the hips
    assert pp.image_agnostic(image, parse, np.zeros((18, 3), np.float32)).shape == image.shape


def test_hips_widen_to_shoulder_width() -> None:
    _, _, keypoints = _person()
    points = pp.torso_points(keypoints)
    assert np.linalg.norm(points[pp.L_HIP] - points[pp.R_HIP]) == pytest.approx(68.0)
    np.testing.assert_allclose((points[pp.L_HIP] + points[pp.R_HIP]) / 2, (96, 150))
