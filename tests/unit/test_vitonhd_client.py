"""VITON-HD stage client: framing, input encodings, the three calls and the paste back, on synthetic arrays
with a scripted inference client (no model)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from fittingroom.common.inference import ModelMetadata, Tensors
from fittingroom.warp_gen import preprocess as pp
from fittingroom.warp_gen.client import (
    BACKDROP,
    PersonFrame,
    VitonHD,
    VitonHDInputs,
    agnostic_canvas,
    paste_alpha,
    person_frame,
    place_garment,
    vitonhd_inputs,
    vitonhd_noise,
)
from fittingroom.warp_gen.served_networks import UPPER
from fittingroom.warp_gen.spec import VITONHD_ALIAS, VITONHD_GMM, VITONHD_SEG, alias_noise_length

CANVAS = (512, 384)
SPECS = {spec.name: spec for spec in (VITONHD_SEG, VITONHD_GMM, VITONHD_ALIAS)}
SHIRT = (slice(140, 330), slice(120, 264))  # rows, cols of the shirt on the canvas
FACE = (slice(40, 110), slice(160, 224))
PANTS = (slice(330, 512), slice(130, 254))


def _keypoints() -> np.ndarray:
    keypoints = np.zeros((18, 3), np.float32)
    for index, xy in {0: (192, 80), 1: (192, 140), 2: (140, 140), 3: (120, 220), 4: (115, 300), 5: (244, 140),
                      6: (264, 220), 7: (270, 300), 8: (160, 330), 11: (224, 330)}.items():
        keypoints[index] = (*xy, 0.9)
    return keypoints


def _person() -> tuple[np.ndarray, np.ndarray]:
    """A cartoon on the canvas: white backdrop, blue shirt, skin face, grey trousers; and its LIP labels."""
    image = np.full((*CANVAS, 3), 255, np.uint8)
    labels = np.zeros(CANVAS, np.uint8)
    for region, colour, label in ((SHIRT, (40, 90, 200), pp.UPPER_CLOTHES), (FACE, (224, 172, 140), pp.FACE),
                                  (PANTS, (60, 60, 60), pp.PANTS)):
        image[region] = colour
        labels[region] = label
    return image, labels


def _inputs() -> VitonHDInputs:
    person, labels = _person()
    cloth_mask = np.zeros(CANVAS, np.uint8)
    cloth_mask[100:400, 60:320] = 255
    return vitonhd_inputs(person, labels, _keypoints(), np.zeros((*CANVAS, 3), np.uint8),
                          np.full((*CANVAS, 3), 200, np.uint8), cloth_mask)


def test_frame_is_the_persons_height_at_the_canvas_aspect() -> None:
    frame = person_frame((100, 50, 200, 450), CANVAS)
    assert (frame.height, frame.width) == (440, 330)  # 400 px tall + 5 % above and below; 3:4
    assert (frame.left, frame.top) == (-15, 30)  # centred on the box
    wide = person_frame((0, 0, 900, 300), CANVAS, centre_x=500.0)
    assert (wide.height, wide.width, wide.left) == (330, 248, 376)  # the height decides; the sides are cut


def test_frame_maps_photo_canvas_and_keypoints_alike() -> None:
    frame = PersonFrame(left=-15, top=30, width=330, height=440, canvas=CANVAS)
    photo = np.zeros((500, 300, 3), np.uint8)
    photo[245:256, 145:156] = (255, 0, 0)  # a red square around (150, 250), the frame's centre
    labels = np.zeros((500, 300), np.uint8)
    labels[245:256, 145:156] = 7
    keypoints = np.zeros((18, 3), np.float32)
    keypoints[1] = (150, 250, 0.9)
    moved = frame.keypoints(keypoints)
    np.testing.assert_allclose(moved[1], (192, 256, 0.9), atol=1e-4)  # (150 + 15, 250 - 30) * 384 / 330
    assert (moved[0] == 0).all()  # a missing keypoint stays missing
    image, parse = frame.image(photo), frame.labels(labels)
    assert image.shape == (*CANVAS, 3) and parse.shape == CANVAS
    x, y = np.round(moved[1, :2]).astype(int)
    assert tuple(image[y, x]) == (255, 0, 0) and parse[y, x] == 7
    assert (image[:, :10] == BACKDROP).all() and (parse[:, :10] == 0).all()  # left of the photo: white / background


def test_photo_and_cloth_are_scaled_as_datasets_py_scales_them() -> None:
    """PIL's bilinear filter (transforms.Resize(..., interpolation=2)), not OpenCV's INTER_AREA, which differed
    by 0.005 on average and up to 0.41 (in [-1, 1]) on the evaluation photos."""
    photo = np.random.default_rng(1).integers(0, 256, (600, 450, 3), dtype=np.uint8)
    pil = np.asarray(Image.fromarray(photo).resize(CANVAS[::-1], Image.Resampling.BILINEAR)).astype(int)
    framed = PersonFrame(left=0, top=0, width=450, height=600, canvas=CANVAS).image(photo).astype(int)
    assert np.abs(framed - pil).max() <= 1
    cloth, _ = place_garment(photo, np.full(photo.shape[:2], 255, np.uint8), CANVAS)  # same aspect: fills it
    assert np.abs(cloth.astype(int) - pil).max() <= 1


def test_paste_blends_inside_the_frame_only() -> None:
    frame = PersonFrame(left=-15, top=30, width=330, height=440, canvas=CANVAS)
    photo = np.random.default_rng(0).integers(0, 255, (500, 300, 3), dtype=np.uint8)
    green = np.zeros((*CANVAS, 3), np.uint8)
    green[..., 1] = 255
    assert np.array_equal(frame.paste(photo, green, np.zeros(CANVAS, np.float32)), photo)
    pasted = frame.paste(photo, green, np.ones(CANVAS, np.float32))
    assert pasted.shape == photo.shape
    assert (pasted[30:470, :] == (0, 255, 0)).all()  # the frame covers every column and rows 30..469
    assert np.array_equal(pasted[:30], photo[:30]) and np.array_equal(pasted[470:], photo[470:])


def test_garment_is_centred_on_white_with_its_mask() -> None:
    garment = np.zeros((100, 200, 3), np.uint8)
    mask = np.zeros((100, 200), np.uint8)
    mask[20:80, 50:150] = 255
    cloth, placed = place_garment(garment, mask, CANVAS)
    assert cloth.shape == (*CANVAS, 3) and placed.shape == CANVAS
    assert (cloth[:160] == BACKDROP).all() and (cloth[352:] == BACKDROP).all() and (cloth[170:340] == 0).all()
    assert set(np.unique(placed)) == {0, 255} and placed[256, 192] == 255 and placed[165, 192] == 0


def test_inputs_hide_the_garment_and_keep_head_and_legs() -> None:
    inputs = _inputs()
    assert inputs.agnostic.shape == inputs.pose.shape == inputs.cloth.shape == (1, 3, *CANVAS)
    assert inputs.parse_agnostic.shape == (1, 13, *CANVAS) and inputs.cloth_mask.shape == (1, 1, *CANVAS)
    person, _ = _person()
    grey = pp.to_signed(np.full((1, 1, 3), pp.AGNOSTIC_GREY, np.uint8))[:, 0, 0]
    np.testing.assert_allclose(inputs.agnostic[0, :, 230, 192], grey)  # the chest is grey
    np.testing.assert_allclose(inputs.agnostic[0, :, 75, 192], pp.to_signed(person)[:, 75, 192])  # the face stays
    np.testing.assert_allclose(inputs.agnostic[0, :, 450, 192], pp.to_signed(person)[:, 450, 192])  # trousers too
    np.testing.assert_array_equal(inputs.parse_agnostic.sum(1), 1)
    labels13 = inputs.parse_agnostic[0].argmax(0)
    names = {"chest": labels13[230, 192], "face": labels13[75, 192], "legs": labels13[450, 192]}
    assert {k: pp.VITONHD_13_LABELS[v] for k, v in names.items()} == {"chest": "background", "face": "face",
                                                                       "legs": "bottom"}
    assert set(np.unique(inputs.cloth_mask)) == {0.0, 1.0}
    assert inputs.grey[230, 192] and not inputs.grey[75, 192] and not inputs.grey[5, 5]


def test_paste_alpha_covers_the_grey_area_and_the_new_garment() -> None:
    inputs = _inputs()
    parse = np.zeros((1, 7, *CANVAS), np.float32)
    parse[0, 0] = 1
    parse[0, :, 400:450, 20:60] = 0
    parse[0, UPPER, 400:450, 20:60] = 1  # a garment the parse predicts outside the grey area
    alpha = paste_alpha(inputs, parse)
    assert alpha.dtype == np.float32 and alpha.min() >= 0 and alpha.max() <= 1
    assert alpha[230, 192] == pytest.approx(1) and alpha[425, 40] == pytest.approx(1)
    assert alpha[5, 5] == 0 and alpha[75, 192] == 0  # backdrop and face stay the photo's


class ScriptedModels:
    """Checks each call against the served contract and answers like the exported graphs would."""

    def __init__(self) -> None:
        self.calls: dict[str, Tensors] = {}

    async def infer(self, model: str, inputs: Tensors, version: int | None = None, *,
                    timeout_s: float | None = None) -> Tensors:
        spec = SPECS[model]
        assert set(inputs) == {t.name for t in spec.inputs}, model
        for t in spec.inputs:
            assert inputs[t.name].dtype == np.float32 and t.accepts_shape(inputs[t.name].shape, spec.max_batch_size)
        self.calls[model] = inputs
        if model == VITONHD_SEG.name:
            scores = np.zeros((1, 13, *CANVAS), np.float32)
            scores[0, 0] = 1
            scores[0, 3, 200:300, 100:280] = 2  # "upper" wins on the torso
            return {"parse_scores": scores}
        if model == VITONHD_GMM.name:
            return {"warped_cloth": inputs["cloth"], "warped_cloth_mask": inputs["cloth_mask"]}
        return {"image": np.zeros((1, 3, *CANVAS), np.float32)}

    async def model_metadata(self, model: str, version: int | None = None) -> ModelMetadata:
        spec = SPECS[model]
        return ModelMetadata(model, (1,), "onnxruntime_onnx", spec.inputs, spec.outputs, spec.max_batch_size, {})


async def test_the_three_calls_follow_test_py() -> None:
    models = ScriptedModels()
    vitonhd = VitonHD(models)  # type: ignore[arg-type]  # only the calls VitonHD makes
    assert agnostic_canvas(await models.model_metadata(VITONHD_ALIAS.name)) == CANVAS
    inputs = _inputs()
    noise = vitonhd_noise(11, CANVAS)
    parse = await vitonhd.segment(inputs, noise)
    assert parse.shape == (1, 7, *CANVAS)
    np.testing.assert_array_equal(parse.sum(1), 1)
    assert parse[0, UPPER, 200:300, 100:280].all() and not parse[0, UPPER, :200].any()
    assert models.calls[VITONHD_SEG.name]["noise"] is noise.segmentation
    np.testing.assert_array_equal(models.calls[VITONHD_SEG.name]["parse_agnostic"], inputs.parse_agnostic)
    warped = await vitonhd.warp(inputs, parse)
    np.testing.assert_array_equal(models.calls[VITONHD_GMM.name]["cloth_parse"], parse[:, UPPER : UPPER + 1])
    image = await vitonhd.generate(inputs, parse, warped, noise)
    alias = models.calls[VITONHD_ALIAS.name]
    assert alias["parse"] is parse and alias["warped_cloth"] is warped[0] and alias["warped_cloth_mask"] is warped[1]
    assert alias["noise"] is noise.alias
    assert image.shape == (*CANVAS, 3) and image.dtype == np.uint8 and (image == 128).all()  # 0 in [-1, 1]


def test_noise_is_the_seeds_and_off_means_zeros() -> None:
    noise = vitonhd_noise(5, CANVAS)
    assert noise.seed == 5 and noise.alias_noise
    assert noise.segmentation.shape == (1, 1, 256, 192) and set(np.unique(noise.segmentation)) <= {0.0, 1.0}
    assert noise.alias.shape == (1, alias_noise_length(*CANVAS)) and noise.alias.dtype == np.float32
    assert abs(float(noise.alias.mean())) < 0.01 and float(noise.alias.std()) == pytest.approx(1, abs=0.01)
    again, other = vitonhd_noise(5, CANVAS), vitonhd_noise(6, CANVAS)
    assert np.array_equal(again.alias, noise.alias) and np.array_equal(again.segmentation, noise.segmentation)
    assert not np.array_equal(other.alias, noise.alias)
    off = vitonhd_noise(5, CANVAS, alias_noise=False)
    assert not off.alias_noise and not off.alias.any() and off.alias.shape == noise.alias.shape
    assert np.array_equal(off.segmentation, noise.segmentation)  # off changes the generator's noise only
