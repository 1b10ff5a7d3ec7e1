"""One builder per served model: weights in, a checked ONNX graph with explicit tensor names out.

Every builder returns the graph and a parity record (what it was compared against, max abs diff),
which export writes next to the model so nobody has to take a conversion on trust.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx

from fittingroom.common.modelspec import ModelSpec
from fittingroom.export import onnx_edit, tflite
from fittingroom.export.builders_garment import garment_recipes
from fittingroom.export.recipe import ONNX_OPSET, Built, Recipe, max_diff, session
from fittingroom.export.settings import ExportSettings
from fittingroom.export.weights import fetch
from fittingroom.pose.spec import DETECTION_SIZE, POSE_DETECTION, POSE_LANDMARK, POSE_SIZE
from fittingroom.segment.spec import SELFIE_SEGMENTATION, SELFIE_SIZE, U2NET_SIZE, U2NETP
from fittingroom.stylize.spec import STYLE_PREDICT, STYLE_TRANSFORM


def _adopt_magenta(spec: ModelSpec, weights_key: str, workdir: Path) -> Built:
    """Adopt a released ONNX graph: explicit names, any batch, identical numbers."""
    source = fetch(weights_key)
    original = onnx.load(str(source))
    old_in = [i.name for i in original.graph.input]
    old_out = [o.name for o in original.graph.output]
    names = dict(zip(old_in, (t.name for t in spec.inputs), strict=True))
    names |= dict(zip(old_out, (t.name for t in spec.outputs), strict=True))
    model = onnx_edit.make_batch_dynamic(onnx_edit.rename_io(onnx.load(str(source)), names))
    onnx.checker.check_model(model)
    batch_diff = onnx_edit.check_batching(model)
    reference = session(source)
    feeds = onnx_edit.random_inputs(reference, 1, seed=1)
    ours = session(model).run(None, {names[k]: v for k, v in feeds.items()})
    diff = max_diff(ours, reference.run(None, feeds))
    return Built(model, {"reference": f"original {source.name} in ONNX Runtime", "max_abs_diff": diff,
                         "batch_vs_single_max_abs_diff": batch_diff})


def build_style_predict(workdir: Path) -> Built:
    return _adopt_magenta(STYLE_PREDICT, "style_predict", workdir)


def build_style_transform(workdir: Path) -> Built:
    return _adopt_magenta(STYLE_TRANSFORM, "style_transform", workdir)


def build_u2netp(workdir: Path) -> Built:
    """Our torch U2NetP filled with the official weights, exported by us, checked twice."""
    import torch

    from fittingroom.export.checkpoints import load_u2netp_from_onnx
    from fittingroom.segment.u2net import U2NetMask, U2NetP

    source = fetch("u2netp")
    net = U2NetP()
    load_u2netp_from_onnx(net, source)
    wrapper = U2NetMask(net).eval()
    example = torch.rand(1, 3, U2NET_SIZE, U2NET_SIZE)
    path = workdir / "u2netp.onnx"
    torch.onnx.export(
        wrapper, (example,), str(path), input_names=["image"], output_names=["mask"],
        dynamic_axes={"image": {0: "batch"}, "mask": {0: "batch"}}, opset_version=ONNX_OPSET, dynamo=False,
    )
    model = onnx.load(str(path))
    onnx.checker.check_model(model)
    probe = np.random.default_rng(2).random((2, 3, U2NET_SIZE, U2NET_SIZE), dtype=np.float32)
    ours = session(model).run(None, {"image": probe})
    with torch.no_grad():
        eager = [wrapper(torch.from_numpy(probe)).numpy()]
    reference = session(source)
    upstream = [reference.run(None, {reference.get_inputs()[0].name: probe[i:i + 1]})[0] for i in range(2)]
    return Built(model, {
        "reference": "torch eager (ours) and the original rembg u2netp.onnx",
        "max_abs_diff": max_diff(ours, eager),
        "max_abs_diff_vs_original_onnx": max_diff(ours, [np.concatenate(upstream)]),
        "batch_vs_single_max_abs_diff": onnx_edit.check_batching(model),
    })


def _convert_tflite(spec: ModelSpec, weights_key: str, probe: np.ndarray, workdir: Path, *,
                    atol: float = 1e-4) -> Built:
    """A MediaPipe TFLite model through tf2onnx, checked against the LiteRT interpreter on `probe`."""
    source = fetch(weights_key)
    raw = onnx_edit.replace_transposed_conv_bias(onnx.load(str(tflite.convert(source, workdir / "raw.onnx"))))
    old_out = [o.name for o in raw.graph.output]  # Identity, Identity_1, ... in the spec's order
    names = {raw.graph.input[0].name: spec.inputs[0].name}
    names |= dict(zip(old_out, (t.name for t in spec.outputs), strict=True))
    model = onnx_edit.make_batch_dynamic(onnx_edit.rename_io(raw, names))
    onnx.checker.check_model(model)
    batch_diff = onnx_edit.check_batching(model, atol=atol)
    ours = dict(zip((t.name for t in spec.outputs), session(model).run(None, {spec.inputs[0].name: probe}),
                    strict=True))
    reference = tflite.run_tflite(source, [probe], workdir)
    per_output = {names[k]: float(np.abs(ours[names[k]] - v).max()) for k, v in reference.items()}
    return Built(model, {"reference": "original .tflite in the LiteRT interpreter (ai-edge-litert)",
                         "max_abs_diff": per_output[spec.outputs[0].name], "per_output_max_abs_diff": per_output,
                         "batch_vs_single_max_abs_diff": batch_diff})


def _astronaut(side: int, low: float) -> np.ndarray:
    """scikit-image's astronaut as a [1, side, side, 3] NHWC probe in [low, 1] (random noise finds no person)."""
    from skimage import data

    from fittingroom.common.images import resize, to_float

    image = to_float(resize(data.astronaut(), side, side))
    return (low + (1 - low) * image)[None].astype(np.float32)


def build_pose_landmark(workdir: Path) -> Built:
    probe = np.random.default_rng(3).random((1, POSE_SIZE, POSE_SIZE, 3), dtype=np.float32)
    return _convert_tflite(POSE_LANDMARK, "pose_landmark_full", probe, workdir, atol=1e-3)


def build_pose_detection(workdir: Path) -> Built:
    return _convert_tflite(POSE_DETECTION, "pose_detection", _astronaut(DETECTION_SIZE, -1.0), workdir, atol=1e-3)


def build_selfie_segmentation(workdir: Path) -> Built:
    return _convert_tflite(SELFIE_SEGMENTATION, "selfie_segmentation", _astronaut(SELFIE_SIZE, 0.0), workdir)


# Models whose weights ship in registry packages (export/weights.py).
REGISTRY_RECIPES: dict[str, Recipe] = {
    STYLE_PREDICT.name: Recipe(STYLE_PREDICT, build_style_predict, ("style_predict",)),
    STYLE_TRANSFORM.name: Recipe(STYLE_TRANSFORM, build_style_transform, ("style_transform",)),
    U2NETP.name: Recipe(U2NETP, build_u2netp, ("u2netp",)),
    # The TFLite models' conversion and reference need two export-time envs: prepared in the background.
    POSE_LANDMARK.name: Recipe(POSE_LANDMARK, build_pose_landmark, ("pose_landmark_full",),
                               prepare=tflite.prepare_envs),
    POSE_DETECTION.name: Recipe(POSE_DETECTION, build_pose_detection, ("pose_detection",),
                                prepare=tflite.prepare_envs),
    SELFIE_SEGMENTATION.name: Recipe(SELFIE_SEGMENTATION, build_selfie_segmentation, ("selfie_segmentation",),
                                     prepare=tflite.prepare_envs),
}


def recipes(settings: ExportSettings) -> dict[str, Recipe]:
    """Every model: the registry-weight ones, then the garment models."""
    return {**REGISTRY_RECIPES, **garment_recipes(settings)}


# What a plain export writes, as the environment (TRYON_WEIGHTS_DIR, TRYON_VTON_SIZE) makes it: the
# committed configs.
BUILDERS = recipes(ExportSettings())
