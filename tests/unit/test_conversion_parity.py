"""Each served model against the original it was converted from, on a real photo; max abs diff reported."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from fittingroom.export import tflite
from fittingroom.export.weights import fetch
from fittingroom.pose.detection import detection_input
from fittingroom.pose.processing import pose_input
from fittingroom.segment.processing import selfie_input, u2net_input
from fittingroom.stylize.processing import content_input, style_input


def _run(path: Path, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, feeds)


def test_style_models_are_the_released_graphs(repository: Path, artwork: np.ndarray, content: np.ndarray) -> None:
    style = style_input(artwork)
    ours_vector = _run(repository / "style_predict/1/model.onnx", {"style_image": style})[0]
    original_vector = _run(fetch("style_predict"), {"style_image": style})[0]
    batch, _ = content_input(content)
    ours = _run(repository / "style_transform/1/model.onnx", {"content_image": batch, "style_vector": ours_vector})
    original = _run(fetch("style_transform"), {"content_image": batch,
                                               "mobilenet_conv/Conv/BiasAdd": original_vector})
    diff = max(float(np.abs(ours_vector - original_vector).max()), float(np.abs(ours[0] - original[0]).max()))
    print(f"style models max abs diff vs released ONNX: {diff:.3g}")
    assert diff == 0.0


def test_u2netp_export_matches_the_released_onnx(repository: Path, person: np.ndarray) -> None:
    batch = u2net_input(person)
    ours = _run(repository / "u2netp/1/model.onnx", {"image": batch})[0]
    original = _run(fetch("u2netp"), {"input.1": batch})[0]
    diff = float(np.abs(ours - original).max())
    print(f"u2netp (torch re-export) max abs diff vs rembg u2netp.onnx on astronaut: {diff:.3g}")
    assert diff < 1e-4


def test_pose_onnx_matches_tflite(repository: Path, person: np.ndarray, tmp_path: Path) -> None:
    h, w = person.shape[:2]
    crop, _ = pose_input(person, (0, 0, w, h))
    ours = _run(repository / "pose_landmark/1/model.onnx", {"image": crop})
    reference = tflite.run_tflite(fetch("pose_landmark_full"), [crop], tmp_path)
    landmarks = reference["Identity"]
    diff = float(np.abs(ours[0] - landmarks).max())
    print(f"pose landmarks max abs diff vs LiteRT on astronaut: {diff:.3g} px (values up to {landmarks.max():.0f})")
    assert diff < 0.05  # landmark pixels in a 256 crop: far below one pixel


def test_pose_detection_onnx_matches_tflite(repository: Path, person: np.ndarray, tmp_path: Path) -> None:
    batch, _ = detection_input(person)
    boxes, scores = _run(repository / "pose_detection/1/model.onnx", {"image": batch})
    reference = tflite.run_tflite(fetch("pose_detection"), [batch], tmp_path)
    diff = max(float(np.abs(boxes - reference["Identity"]).max()),
               float(np.abs(scores - reference["Identity_1"]).max()))
    print(f"pose_detection max abs diff vs LiteRT on astronaut: {diff:.3g} (values up to {np.abs(boxes).max():.0f})")
    assert diff < 0.01  # offsets in 224 input pixels


def test_selfie_segmentation_onnx_matches_tflite(repository: Path, person: np.ndarray, tmp_path: Path) -> None:
    batch = selfie_input(person)
    ours = _run(repository / "selfie_segmentation/1/model.onnx", {"image": batch})[0]
    reference = next(iter(tflite.run_tflite(fetch("selfie_segmentation"), [batch], tmp_path).values()))
    diff = float(np.abs(ours - reference).max())
    print(f"selfie_segmentation max abs diff vs LiteRT on astronaut: {diff:.3g} (probabilities)")
    assert diff < 1e-3


@pytest.mark.parametrize("model", ["style_predict", "style_transform", "u2netp", "pose_landmark", "pose_detection",
                                   "selfie_segmentation"])
def test_export_recorded_its_parity(repository: Path, model: str) -> None:
    record = json.loads((repository / model / "1" / "export.json").read_text())
    assert record["parity"]["max_abs_diff"] < 0.05
    assert record["parity"]["batch_vs_single_max_abs_diff"] < 1e-3
