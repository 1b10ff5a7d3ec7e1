"""Export parity of the two try-on generators with outputs that move: float32 torch and the float32 ONNX
export against torch float64, on weights rescaled so that every activation is O(1) (export/precision.py).

Small on purpose (a narrow ALIAS at 256x128, DAFlow at 64x64): the chained warps and the deep generator are
all there; most of the minute each takes on two shared cores is the export. docs/fidelity.md has the numbers
at the served sizes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from fittingroom.export.precision import moving_weights, precision_parity
from fittingroom.warp_gen.daflow import SDAFNetTryOn
from fittingroom.warp_gen.served_networks import DAFlowTryOn, VitonHDGeneration
from fittingroom.warp_gen.spec import alias_noise_length
from fittingroom.warp_gen.vitonhd import ALIAS_SEMANTIC_NC, ALIASGenerator

ALIAS_SIZE = (256, 128)
DAFLOW_SIZE = (64, 64)
# How far float32 may be from float64. Measured: ALIAS 3.6e-6 (torch) / 2.7e-6 (ONNX Runtime) on outputs of
# std 0.62; DAFlow 4.4e-3 / 4.3e-3 on outputs of std 1.0, whose chained warps amplify rounding (the official
# code alike). An export that changed the function (a resize mode, a flow axis) would be off by 0.1 or more.
ALIAS_FLOAT32 = 1e-4
DAFLOW_FLOAT32 = 2e-2
# The export's error is at most this multiple of torch's own float32 error, plus a few float32 ulps of the
# [-1, 1] image (ALIAS at 512x384: 4.2e-6 against torch's 1.9e-6).
EXPORT_EXCESS = 2.0
ROUNDING = 1e-5
MOVING = 0.2  # the reference outputs' standard deviation is at least this: they are not near constant


def _signed(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.uniform(-1, 1, (1, *shape)).astype(np.float32)


def _check(parity: dict[str, float], float32_tolerance: float) -> None:
    assert parity["reference_std"] >= MOVING, parity
    assert parity["torch_float32"] <= float32_tolerance, parity
    assert parity["onnx_float32"] <= EXPORT_EXCESS * parity["torch_float32"] + ROUNDING, parity


@pytest.mark.slow
def test_alias_export_matches_float64_with_moving_outputs(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    height, width = ALIAS_SIZE
    parse = np.eye(ALIAS_SEMANTIC_NC, dtype=np.float32)[rng.integers(0, ALIAS_SEMANTIC_NC, ALIAS_SIZE)]
    inputs = {
        "agnostic": _signed(rng, 3, *ALIAS_SIZE), "pose": _signed(rng, 3, *ALIAS_SIZE),
        "warped_cloth": _signed(rng, 3, *ALIAS_SIZE), "parse": parse.transpose(2, 0, 1)[None].copy(),
        "warped_cloth_mask": (rng.random((1, 1, *ALIAS_SIZE)) > 0.5).astype(np.float32),
        "noise": rng.standard_normal((1, alias_noise_length(height, width)), dtype=np.float32),
    }
    torch.manual_seed(0)
    module = VitonHDGeneration(ALIASGenerator(load_height=height, load_width=width, ngf=8)).eval()
    moving_weights(module, tuple(torch.from_numpy(x) for x in inputs.values()), seed=1)
    _check(precision_parity(module, inputs, ["image"], tmp_path), ALIAS_FLOAT32)


@pytest.mark.slow
def test_daflow_export_matches_float64_with_moving_outputs(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    inputs = {name: _signed(rng, 3, *DAFLOW_SIZE) for name in ("pose", "agnostic", "cloth")}
    torch.manual_seed(0)
    module = DAFlowTryOn(SDAFNetTryOn()).eval()
    moving_weights(module, tuple(torch.from_numpy(x) for x in inputs.values()), seed=1)
    _check(precision_parity(module, inputs, ["image"], tmp_path), DAFLOW_FLOAT32)
