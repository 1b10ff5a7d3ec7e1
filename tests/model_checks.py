"""Checks that run a served model beside its source in the test itself (never reading back what export wrote),
and fixture checkpoints: files in each official release format (tests/assets/checkpoint-layouts/) with
seeded values, for exporting the garment models as an operator with TRYON_WEIGHTS_DIR would.

    python tests/model_checks.py DIR   # a fixture checkpoint for every garment model, for TRYON_WEIGHTS_DIR

torch is imported inside the functions: most tests never need it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from fittingroom.export.builders_garment import CHECKPOINT_FILES, garment_models
from fittingroom.export.checkpoints import load_checkpoint
from fittingroom.export.recipe import seed_for
from fittingroom.export.settings import ExportSettings

LAYOUTS = Path(__file__).resolve().parent / "assets" / "checkpoint-layouts"
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


def run_onnx(path: Path, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
    outputs: list[np.ndarray] = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, feeds)
    return outputs


def garment_parity(repository: Path, name: str, settings: ExportSettings | None = None) -> dict[str, float]:
    """The served garment model in ONNX Runtime against torch eager of the same network with the same weights
    (the seeded placeholder, or the checkpoint TRYON_WEIGHTS_DIR supplies), on one seeded random input that is
    not export's probe. Returns the max abs diff and its ratio to the largest output magnitude."""
    import torch

    settings = settings or ExportSettings()
    model = next(m for m in garment_models(settings.vton_size) if m.spec.name == name)
    # The module export traces (export/builders_garment.py build_garment_model): seeded, then the checkpoint.
    torch.manual_seed(seed_for(name))
    net = model.network()
    checkpoint = settings.checkpoint(CHECKPOINT_FILES[name]).path
    if checkpoint is not None:
        load_checkpoint(net, checkpoint, model.layout)
    module = model.serve(net).eval()
    rng = np.random.default_rng(seed_for(name) + 1)
    feeds = {t.name: rng.random((1, *t.dims), dtype=np.float32) for t in model.spec.inputs}
    with torch.no_grad():
        eager = module(*(torch.from_numpy(feeds[t.name]) for t in model.spec.inputs))
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
    state = {}
    for key, shape in layout["state_dict"].items():
        if key in integers:
            value = torch.zeros(shape, dtype=getattr(torch, integers[key]))
        elif key.endswith("running_var"):
            value = torch.ones(shape)  # a variance: positive, as trained statistics are
        else:
            value = torch.randn(shape, generator=generator) * 0.02
        state[key_map.get(key, prefix + key)] = value
    wrapper = layout.get("checkpoint_wrapper")
    path = directory / CHECKPOINT_FILES[name]
    directory.mkdir(parents=True, exist_ok=True)
    torch.save({wrapper: state} if wrapper else state, path)
    return path


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tests/model_checks.py DIR", file=sys.stderr)
        return 2
    for name in LAYOUT_OF:
        print(write_fixture_checkpoint(name, Path(argv[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
