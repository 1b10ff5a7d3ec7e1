"""Each served model against the original it was converted from, run here on a real photo (both sides in the
test, nothing read back from export.json), at the README's numbers; max abs diff reported."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from model_checks import run_onnx as _run

from fittingroom.export.weights import fetch
from fittingroom.pose.detection import detection_input
from fittingroom.pose.processing import pose_input
from fittingroom.segment.processing import selfie_input, u2net_input
from fittingroom.stylize.processing import content_input, style_input

# README, "conversion check", measured by these tests on the astronaut photo: u2netp vs our torch U2NetP 1.6e-5
# (mask values 0..1); pose landmarks vs the TFLite interpreter 0.003 px on a 256 px crop; the pose detector's
# offsets vs LiteRT 9.8e-4 (in 224 input pixels, values up to 745); selfie segmentation vs LiteRT 6e-5
# (probabilities). Each limit is within a few times the measured value; u2netp vs the released ONNX measures 0.
U2NETP_VS_TORCH_LIMIT = 5e-5
POSE_LANDMARK_LIMIT_PX = 0.01
POSE_DETECTION_LIMIT_PX = 3e-3
SELFIE_LIMIT = 2e-4
# A batch of two equals two single calls: float reordering only.
BATCH_LIMIT = {"style_predict": 1e-5, "style_transform": 1e-5, "u2netp": 1e-5, "pose_landmark": 1e-3,
               "pose_detection": 1e-3, "selfie_segmentation": 1e-3}


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
    assert diff == 0.0


def test_u2netp_export_matches_our_torch_u2netp(repository: Path, person: np.ndarray) -> None:
    import torch

    from fittingroom.export.checkpoints import load_u2netp_from_onnx
    from fittingroom.segment.u2net import U2NetMask, U2NetP

    net = U2NetP()
    load_u2netp_from_onnx(net, fetch("u2netp"))
    batch = u2net_input(person)
    with torch.no_grad():
        eager = U2NetMask(net).eval()(torch.from_numpy(batch)).numpy()
    ours = _run(repository / "u2netp/1/model.onnx", {"image": batch})[0]
    diff = float(np.abs(ours - eager).max())
    print(f"u2netp max abs diff ONNX Runtime vs torch eager on astronaut: {diff:.3g}")
    assert diff < U2NETP_VS_TORCH_LIMIT


def _tflite_outputs(model: Path, image: np.ndarray) -> dict[str, np.ndarray]:
    """The original .tflite in the LiteRT interpreter (TensorFlow Lite's own runtime), by output name."""
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(model))
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], image)
    interpreter.invoke()
    return {d["name"]: interpreter.get_tensor(d["index"]) for d in interpreter.get_output_details()}


def test_pose_onnx_matches_tflite(repository: Path, person: np.ndarray) -> None:
    h, w = person.shape[:2]
    crop, _ = pose_input(person, (0, 0, w, h))
    ours = _run(repository / "pose_landmark/1/model.onnx", {"image": crop})
    landmarks = _tflite_outputs(fetch("pose_landmark_full"), crop)["Identity"]
    diff = float(np.abs(ours[0] - landmarks).max())
    print(f"pose landmarks max abs diff vs LiteRT on astronaut: {diff:.3g} px (values up to {landmarks.max():.0f})")
    assert diff < POSE_LANDMARK_LIMIT_PX


@pytest.mark.parametrize("model", sorted(BATCH_LIMIT))
def test_a_batch_answers_as_single_calls(repository: Path, model: str, person: np.ndarray, artwork: np.ndarray,
                                         content: np.ndarray) -> None:
    """The served graphs take any batch (the repository's dynamic batching relies on it)."""
    h, w = person.shape[:2]
    style = style_input(artwork)
    singles: dict[str, list[dict[str, np.ndarray]]] = {
        "style_predict": [{"style_image": style}, {"style_image": style_input(content)}],
        "style_transform": [{"content_image": content_input(content)[0], "style_vector": v} for v in
                            (_run(repository / "style_predict/1/model.onnx", {"style_image": s})[0]
                             for s in (style, style_input(person)))],
        "u2netp": [{"image": u2net_input(person)}, {"image": u2net_input(artwork)}],
        "pose_landmark": [{"image": pose_input(person, (0, 0, w, h))[0]},
                          {"image": pose_input(person, (w // 8, 0, w, h))[0]}],
        "pose_detection": [{"image": detection_input(person)[0]}, {"image": detection_input(artwork)[0]}],
        "selfie_segmentation": [{"image": selfie_input(person)}, {"image": selfie_input(artwork)}],
    }
    path = repository / model / "1" / "model.onnx"
    one_by_one = [_run(path, feeds) for feeds in singles[model]]
    batched = _run(path, {name: np.concatenate([f[name] for f in singles[model]]) for name in singles[model][0]})
    diff = max(float(np.abs(batched[o][i:i + 1] - one_by_one[i][o]).max())
               for i in range(2) for o in range(len(batched)))
    print(f"{model}: batch of 2 vs single calls, max abs diff {diff:.3g}")
    assert diff < BATCH_LIMIT[model]


def test_pose_detection_onnx_matches_tflite(repository: Path, person: np.ndarray) -> None:
    batch, _ = detection_input(person)
    boxes, scores = _run(repository / "pose_detection/1/model.onnx", {"image": batch})
    reference = _tflite_outputs(fetch("pose_detection"), batch)
    diff = max(float(np.abs(boxes - reference["Identity"]).max()),
               float(np.abs(scores - reference["Identity_1"]).max()))
    print(f"pose_detection max abs diff vs LiteRT on astronaut: {diff:.3g} (values up to {np.abs(boxes).max():.0f})")
    assert diff < POSE_DETECTION_LIMIT_PX


def test_selfie_segmentation_onnx_matches_tflite(repository: Path, person: np.ndarray) -> None:
    batch = selfie_input(person)
    ours = _run(repository / "selfie_segmentation/1/model.onnx", {"image": batch})[0]
    reference = next(iter(_tflite_outputs(fetch("selfie_segmentation"), batch).values()))
    diff = float(np.abs(ours - reference).max())
    print(f"selfie_segmentation max abs diff vs LiteRT on astronaut: {diff:.3g} (probabilities)")
    assert diff < SELFIE_LIMIT
