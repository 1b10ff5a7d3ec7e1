"""Person detection and person masks from MediaPipe's converted models: processing on synthetic inputs,
the stage clients on the exported models, and the custom-op rewrite that makes the selfie model ONNX."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from fittingroom.common.embedded import EmbeddedClient
from fittingroom.export.onnx_edit import TRANSPOSED_CONV_BIAS, replace_transposed_conv_bias
from fittingroom.pose.detection import (
    PersonDetection,
    decode_detection,
    detection_anchors,
    detection_input,
)
from fittingroom.pose.detector import PersonDetector
from fittingroom.pose.processing import pose_input
from fittingroom.pose.segmentation import landmark_segmentation
from fittingroom.pose.spec import DETECTION_SIZE, DETECTION_VALUES, NUM_ANCHORS
from fittingroom.segment.client import PersonMask
from fittingroom.segment.processing import selfie_input, selfie_mask
from fittingroom.segment.spec import SELFIE_SIZE


def test_anchors_tile_the_three_feature_maps_in_output_order() -> None:
    anchors = detection_anchors()
    assert anchors.shape == (NUM_ANCHORS, 2)
    # stride 8: 28x28 cells, two anchors each, row-major from the top-left cell
    assert np.allclose(anchors[0], anchors[1]) and np.allclose(anchors[0], [0.5 / 28, 0.5 / 28])
    assert np.allclose(anchors[2], [1.5 / 28, 0.5 / 28])
    assert np.allclose(anchors[28 * 28 * 2], [0.5 / 14, 0.5 / 14])  # then 14x14, two per cell
    assert np.allclose(anchors[-1], [6.5 / 7, 6.5 / 7])  # and 7x7 with six per cell
    assert anchors.min() > 0 and anchors.max() < 1


def test_detection_input_letterboxes_a_portrait_into_the_centre() -> None:
    portrait = np.full((400, 200, 3), 255, np.uint8)
    batch, to_image = detection_input(portrait)
    assert batch.shape == (1, DETECTION_SIZE, DETECTION_SIZE, 3) and batch.dtype == np.float32
    row = batch[0, DETECTION_SIZE // 2, :, 0]
    assert row[0] == pytest.approx(-1.0) and row[DETECTION_SIZE // 2] == pytest.approx(1.0)  # bars, photo
    assert np.allclose(to_image @ [DETECTION_SIZE / 2, DETECTION_SIZE / 2, 1], [100, 200])


def _raw_detection(anchor: int, offsets: np.ndarray, logit: float) -> tuple[np.ndarray, np.ndarray]:
    boxes = np.zeros((NUM_ANCHORS, DETECTION_VALUES), np.float32)
    scores = np.full((NUM_ANCHORS, 1), -10.0, np.float32)
    boxes[anchor] = offsets
    scores[anchor] = logit
    return boxes, scores


def test_decode_detection_maps_offsets_from_the_best_anchor_to_image_pixels() -> None:
    _, to_image = detection_input(np.zeros((448, 224, 3), np.uint8))  # scale 2, photo starts at crop x 56
    anchor = 100
    centre = detection_anchors()[anchor] * DETECTION_SIZE
    hip = np.array([112.0, 150.0]) - centre
    circle = np.array([112.0, 50.0]) - centre
    offsets = np.array([*(np.array([112.0, 100.0]) - centre), 40, 60, *hip, *circle, 0, 0, 0, 0], np.float32)
    found = decode_detection(*_raw_detection(anchor, offsets, 5.0), to_image)
    assert isinstance(found, PersonDetection)
    assert found.score == pytest.approx(1 / (1 + np.exp(-5.0)))
    assert np.allclose(found.box, (2 * (112 - 20) - 112, 2 * (100 - 30), 2 * (112 + 20) - 112, 2 * (100 + 30)))
    assert np.allclose(found.keypoints[:2], [[112, 300], [112, 100]], atol=1e-3)
    assert found.body_square() == (-88, 100, 312, 500)  # radius 200 around the hip centre


def test_decode_detection_finds_nobody_below_the_score_threshold() -> None:
    _, to_image = detection_input(np.zeros((224, 224, 3), np.uint8))
    assert decode_detection(*_raw_detection(7, np.zeros(DETECTION_VALUES, np.float32), -1.0), to_image) is None


def test_selfie_input_stretches_the_photo_and_the_mask_comes_back_at_its_size() -> None:
    photo = np.zeros((300, 100, 3), np.uint8)
    photo[:, 50:] = 255
    batch = selfie_input(photo)
    assert batch.shape == (1, SELFIE_SIZE, SELFIE_SIZE, 3) and batch.min() >= 0.0 and batch.max() <= 1.0
    assert batch[0, 10, 10, 0] == 0.0 and batch[0, 10, -10, 0] == 1.0
    prediction = np.zeros((SELFIE_SIZE, SELFIE_SIZE, 1), np.float32)
    prediction[:, SELFIE_SIZE // 2:] = 1.0
    mask = selfie_mask(prediction, 300, 100)
    assert mask.shape == (300, 100) and mask[:, :45].max() == 0.0 and mask[:, 55:].min() == 1.0


def test_landmark_segmentation_lands_on_the_crop_and_is_empty_outside() -> None:
    image = np.zeros((400, 400, 3), np.uint8)
    _, to_image = pose_input(image, (100, 100, 200, 200))  # crop square 87.5..212.5
    logits = np.full((256, 256, 1), 20.0, np.float32)
    mask = landmark_segmentation(logits, to_image, 400, 400)
    assert mask[150, 150] == pytest.approx(1.0) and mask[20, 20] == 0.0 and mask[300, 150] == 0.0


def _transposed_conv_graph(kernel: np.ndarray, bias: np.ndarray, size: int) -> onnx.ModelProto:
    """A graph as tf2onnx leaves MediaPipe's custom op: NHWC in and out, OHWI kernel, [O] bias."""
    out_channels, k, _, in_channels = kernel.shape
    node = helper.make_node(TRANSPOSED_CONV_BIAS, ["x", "kernel", "bias"], ["y"], name="segment")
    graph = helper.make_graph(
        [node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, size, size, in_channels])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, size * k, size * k, out_channels])],
        [numpy_helper.from_array(kernel, "kernel"), numpy_helper.from_array(bias, "bias")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_transposed_conv_bias_becomes_a_standard_conv_transpose_with_the_same_numbers() -> None:
    rng = np.random.default_rng(0)
    kernel = rng.normal(size=(2, 2, 2, 3)).astype(np.float32)  # O, H, W, I
    bias = np.array([0.5, -1.0], np.float32)
    x = rng.normal(size=(1, 4, 4, 3)).astype(np.float32)
    model = replace_transposed_conv_bias(_transposed_conv_graph(kernel, bias, 4))
    onnx.checker.check_model(model)
    assert {n.op_type for n in model.graph.node} == {"Transpose", "ConvTranspose"}
    assert "kernel" not in {i.name for i in model.graph.initializer}  # the OHWI copy is gone
    got = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    # Stride = kernel size: each input pixel paints its own 2x2 block, out[2i+a, 2j+b, o] = x[i, j] . K[o, a, b]
    expected = np.einsum("nijc,oabc->niajbo", x, kernel).reshape(1, 8, 8, 2) + bias
    assert np.abs(got - expected).max() < 1e-5


async def test_person_mask_covers_the_astronaut_and_not_the_corners(embedded: EmbeddedClient,
                                                                    person: np.ndarray) -> None:
    mask = await PersonMask(embedded).mask(person)
    assert mask.shape == person.shape[:2]
    assert mask[350:450, 150:350].mean() > 0.9  # the suit's torso
    assert mask[:40, :40].mean() < 0.1 and mask[:40, -40:].mean() < 0.1


async def test_person_detector_puts_the_hip_centre_below_the_face(embedded: EmbeddedClient,
                                                                  person: np.ndarray) -> None:
    found = await PersonDetector(embedded).detect(person)
    assert found is not None and found.score > 0.5
    x0, y0, x1, y1 = found.box  # MediaPipe's detector box is the face
    assert 100 < (x0 + x1) / 2 < 300 and 100 < (y0 + y1) / 2 < 300
    assert found.keypoints[0, 1] > y1  # hip centre below the face
    sx0, sy0, sx1, _ = found.body_square()
    assert sx1 - sx0 > 400 and sy0 < y0

