"""Export parity that means something: weights that make every activation O(1), float64 as the reference.

The placeholder and checkpoint parity that export.json records compares ONNX Runtime with torch eager,
both in float32, on weights whose outputs may barely move (the official initialisation scales weights by
0.02): a chained warp or a deep generator can then hide a real difference. Here the weights are re-drawn
and rescaled in one pass over the probe so that every conv and linear output has unit standard deviation
(LSUV), the ALIAS noise scales are O(1), and float32 torch and float32 ONNX Runtime are both measured
against torch in float64. ONNX Runtime has no float64 Resize kernel on the CPU, so the exported graph runs
in float32 only.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.utils.hooks import RemovableHandle

from fittingroom.export import symbolics
from fittingroom.export.recipe import ONNX_OPSET, session

BIAS_STD = 0.1
NOISE_SCALE = (0.25, 0.75)  # uniform range of the redrawn ALIAS noise scales


def _unit_output(module: nn.Module, _inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> torch.Tensor:
    """Forward hook: scale the layer's weight and bias so that this output has unit std, and return it so."""
    std = float(output.std())
    if std > 0:
        with torch.no_grad():
            for param in module.parameters(recurse=False):
                param.div_(std)
    return output / std if std > 0 else output


@torch.no_grad()
def moving_weights(module: nn.Module, probe: tuple[torch.Tensor, ...], seed: int) -> nn.Module:
    """Redraw `module`'s weights (in place) so that its activations and outputs are O(1) on `probe`.

    He-normal conv and linear weights, N(0, 0.1^2) biases, identity batch norms and ALIAS noise scales in
    NOISE_SCALE; then one forward pass in which every conv and linear layer is rescaled to unit output std
    (layer by layer, in execution order, so each sees its rescaled inputs).
    """
    generator = torch.Generator().manual_seed(seed)
    layers = [m for m in module.modules() if isinstance(m, nn.Conv2d | nn.Linear)]
    for layer in layers:
        fan_in = layer.weight[0].numel()
        layer.weight.copy_(torch.randn(layer.weight.shape, generator=generator) * (2 / fan_in) ** 0.5)
        if layer.bias is not None:
            layer.bias.copy_(torch.randn(layer.bias.shape, generator=generator) * BIAS_STD)
    for sub in module.modules():
        if isinstance(sub, nn.BatchNorm2d):
            sub.reset_parameters()  # running mean 0, var 1, affine identity: eval-mode identity
        noise_scale = getattr(sub, "noise_scale", None)
        if isinstance(noise_scale, nn.Parameter):
            low, high = NOISE_SCALE
            noise_scale.copy_(low + (high - low) * torch.rand(noise_scale.shape, generator=generator))
    hooks: list[RemovableHandle] = [layer.register_forward_hook(_unit_output) for layer in layers]
    try:
        module(*probe)
    finally:
        for hook in hooks:
            hook.remove()
    return module


def _outputs(result: torch.Tensor | tuple[torch.Tensor, ...]) -> list[np.ndarray]:
    """A module's output(s) as float64 numpy arrays."""
    return [t.double().numpy() for t in (result if isinstance(result, tuple) else (result,))]


def _max_diff(ours: list[np.ndarray], reference: list[np.ndarray]) -> float:
    return max(float(np.abs(a - b).max()) for a, b in zip(ours, reference, strict=True))


@torch.no_grad()
def precision_parity(module: nn.Module, inputs: dict[str, np.ndarray], output_names: list[str],
                     workdir: Path) -> dict[str, float]:
    """Max abs differences from torch float64 of torch float32 and of the float32 ONNX export, on `inputs`.

    Also the reference's largest magnitude and standard deviation: how much the outputs move.
    """
    module = module.eval()
    names = list(inputs)
    single = {n: torch.from_numpy(inputs[n].astype(np.float32)) for n in names}
    reference = _outputs(copy.deepcopy(module).double()(*(single[n].double() for n in names)))
    float32 = _outputs(module(*single.values()))
    path = workdir / "precision.onnx"
    symbolics.register()
    torch.onnx.export(module, tuple(single.values()), str(path), input_names=names, output_names=output_names,
                      opset_version=ONNX_OPSET, dynamo=False)
    exported = session(path).run(output_names, {n: t.numpy() for n, t in single.items()})
    return {
        "reference_max_abs": max(float(np.abs(r).max()) for r in reference),
        "reference_std": max(float(r.std()) for r in reference),
        "torch_float32": _max_diff(float32, reference),
        "onnx_float32": _max_diff([o.astype(np.float64) for o in exported], reference),
    }
