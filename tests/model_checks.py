"""Checks that run a served model beside its source in the test itself (never reading back what export wrote),
and fixture checkpoints: files in each official release format (tests/assets/checkpoint-layouts/) with
seeded values, for exporting the garment models as an operator with TRYON_WEIGHTS_DIR would.

    python tests/model_checks.py DIR   # a fixture checkpoint for every garment model, for TRYON_WEIGHTS_DIR
    python tests/model_checks.py DIR --repository TRAINED   # ...and a repository with those models exported
                                                            # from them (`make test` runs tests against it)

torch is imported inside the functions: most tests never need it.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import onnx
import onnxruntime as ort

from fittingroom.export import builders_garment
from fittingroom.export.builders_garment import CHECKPOINT_FILES
from fittingroom.export.driver import export_all
from fittingroom.export.model_recipes import recipes
from fittingroom.export.recipe import Built, seed_for
from fittingroom.export.settings import ExportSettings

ROOT = Path(__file__).resolve().parent.parent
LAYOUTS = ROOT / "tests" / "assets" / "checkpoint-layouts"
# The official layout each garment model's release file follows.
LAYOUT_OF = {
    "u2net_cloth": "cloth_segm_u2net",
    "schp_lip": "schp_resnet101_lip",
    "schp_atr": "schp_resnet101_atr",
    "schp_pascal": "schp_resnet101_pascal",
    "openpose_body": "openpose_body",
    "vitonhd_seg": "vitonhd_seg",
    "vitonhd_gmm": "vitonhd_gmm",
    "vitonhd_alias": "vitonhd_alias",
    "daflow": "daflow_sdafnet_tryon",
}
# README: ONNX Runtime vs torch eager, max abs diff relative to the largest output magnitude (measured
# <= 1.2e-4, ALIAS at 1024x768 included).
GARMENT_RELATIVE_TOLERANCE = 1e-3


def supplied_checkpoint(name: str) -> Path | None:
    """The checkpoint TRYON_WEIGHTS_DIR holds for garment model `name` (None: none, so it is a placeholder)."""
    return ExportSettings().checkpoint(CHECKPOINT_FILES[name]).path


def run_onnx(path: Path, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
    outputs: list[np.ndarray] = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, feeds)
    return outputs


def traced_module(name: str, settings: ExportSettings) -> Any:
    """The torch module export traces for garment model `name` (seeded, then the checkpoint `settings` finds,
    strictly loaded): the model's own recipe, run up to the point where it would export."""
    traced = []

    def capture(module: Any, spec: object, workdir: Path) -> Built:
        traced.append(module)
        return Built(onnx.ModelProto(), {})

    with mock.patch.object(builders_garment, "export_checked", capture):
        builders_garment.garment_recipes(settings)[name].build(Path())
    return traced[0]


def garment_parity(repository: Path, name: str, settings: ExportSettings | None = None) -> dict[str, float]:
    """The served garment model in ONNX Runtime against torch eager of the same network with the same weights
    (the seeded placeholder, or the checkpoint TRYON_WEIGHTS_DIR supplies), on one seeded random input that is
    not export's probe. Returns the max abs diff and its ratio to the largest output magnitude."""
    import torch

    settings = settings or ExportSettings()
    spec = builders_garment.garment_recipes(settings)[name].spec
    module = traced_module(name, settings)
    rng = np.random.default_rng(seed_for(name) + 1)
    feeds = {t.name: rng.random((1, *t.dims), dtype=np.float32) for t in spec.inputs}
    with torch.no_grad():
        eager = module(*(torch.from_numpy(feeds[t.name]) for t in spec.inputs))
    reference = [t.numpy() for t in (eager if isinstance(eager, tuple) else (eager,))]
    served = run_onnx(repository / name / "1" / "model.onnx", feeds)
    diff = max(float(np.abs(a - b).max()) for a, b in zip(served, reference, strict=True))
    scale = max(float(np.abs(r).max()) for r in reference)
    return {"max_abs_diff": diff, "relative_diff": diff / scale if scale > 0 else diff}


def _layout(name: str) -> dict[str, Any]:
    layout: dict[str, Any] = json.loads((LAYOUTS / f"{LAYOUT_OF[name]}.json").read_text())
    return layout


def write_fixture_checkpoint(name: str, directory: Path, seed: int = 0) -> Path:
    """A file in `name`'s official release format (key prefix, wrapper, key map, dtypes, shapes) under its
    release name, with small seeded values: what an operator's TRYON_WEIGHTS_DIR holds, minus the training."""
    import torch

    layout = _layout(name)
    key_map: dict[str, str] = layout.get("checkpoint_key_map", {})
    prefix: str = layout.get("checkpoint_key_prefix", "")
    integers = layout.get("non_float32_entries", {})
    generator = torch.Generator().manual_seed(seed)
    values = {}
    for key, shape in layout["state_dict"].items():
        if key in integers:
            values[key] = torch.zeros(shape, dtype=getattr(torch, integers[key]))
        elif key.endswith("running_var"):
            values[key] = torch.ones(shape)  # a variance: positive, as trained statistics are
        else:
            values[key] = torch.randn(shape, generator=generator) * 0.02
    for key in [k for k in values if k.endswith(".weight_orig")]:
        values[f"{key[:-5]}_u"], values[f"{key[:-5]}_v"] = _singular_vectors(values[key], generator)
    state = {key_map.get(key, prefix + key): value for key, value in values.items()}
    wrapper = layout.get("checkpoint_wrapper")
    path = directory / CHECKPOINT_FILES[name]
    directory.mkdir(parents=True, exist_ok=True)
    torch.save({wrapper: state} if wrapper else state, path)
    return path


def export_trained(source: Path, target: Path, weights: Path) -> None:
    """`target`: the repository an operator with every garment model's checkpoint in TRYON_WEIGHTS_DIR=`weights`
    serves. The garment models are exported from those checkpoints; the others (trained already: registry
    weights) are copied from `source`. Kept between runs: export rebuilds only what changed."""
    target.mkdir(parents=True, exist_ok=True)
    for model in (p for p in source.iterdir() if p.is_dir() and p.name not in LAYOUT_OF):
        shutil.rmtree(target / model.name, ignore_errors=True)
        shutil.copytree(model, target / model.name, symlinks=True)
    export_all(target, models=list(LAYOUT_OF), recipes=recipes(ExportSettings(weights_dir=weights)))


def _singular_vectors(weight: Any, generator: Any) -> tuple[Any, Any]:
    """The unit vectors a spectrally normalised layer (ALIAS) stores beside its weight, as training leaves them:
    power iteration's estimate of the top singular pair. Eval divides the weight by u·Wv; random vectors would
    make that near zero and the network so ill-conditioned that float32 rounding dominates its output."""
    import torch

    matrix = weight.reshape(weight.shape[0], -1)
    v = torch.nn.functional.normalize(torch.randn(matrix.shape[1], generator=generator), dim=0)
    for _ in range(20):
        u = torch.nn.functional.normalize(matrix @ v, dim=0)
        v = torch.nn.functional.normalize(matrix.T @ u, dim=0)
    return u, v


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python tests/model_checks.py",
                                     description="Fixture checkpoints for every garment model.")
    parser.add_argument("weights", type=Path, help="where to write them (a TRYON_WEIGHTS_DIR)")
    parser.add_argument("--repository", type=Path, help="also export every model into this repository, the garment "
                                                        "models from the fixture checkpoints")
    parser.add_argument("--source", type=Path, default=ROOT / "model_repository",
                        help="where --repository takes the other models from (default: %(default)s)")
    args = parser.parse_args(argv)
    for name in LAYOUT_OF:
        print(write_fixture_checkpoint(name, args.weights))
    if args.repository is not None:
        export_trained(args.source, args.repository, args.weights)


if __name__ == "__main__":
    main()
