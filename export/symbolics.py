"""ONNX symbolics that the legacy (TorchScript) exporter lacks for our networks.

Its `instance_norm` needs the channel count at export time to write the scale and bias of
InstanceNormalization, and refuses the op when shape inference has lost it: after the size-matching
resizes of VITON-HD's ALIAS blocks it always has. The override below reads the count from the tensor's
run-time shape in that case, and otherwise leaves the standard symbolic's graph as it was.
"""

from __future__ import annotations

from typing import Any

import torch
from torch.onnx import register_custom_op_symbolic, symbolic_helper, symbolic_opset9

from fittingroom.export.recipe import ONNX_OPSET

Value = Any  # torch._C.Value: a node output in the graph being built


def instance_norm(g: Any, x: Value, weight: Value, bias: Value, running_mean: Value, running_var: Value,
                  use_input_stats: Value, momentum: Value, eps: Value, cudnn_enabled: Value) -> Value:
    """aten::instance_norm -> InstanceNormalization, with a unit scale and zero bias of the run-time
    channel count when the channel count is unknown and the norm is parameter-free."""
    known = symbolic_helper._get_tensor_dim_size(x, 1) is not None
    if known or not (symbolic_helper._is_none(weight) and symbolic_helper._is_none(bias)):
        return symbolic_opset9.instance_norm(g, x, weight, bias, running_mean, running_var, use_input_stats,
                                             momentum, eps, cudnn_enabled)
    channels = g.op("Slice", g.op("Shape", x), g.op("Constant", value_t=torch.tensor([1])),
                    g.op("Constant", value_t=torch.tensor([2])))
    scale = g.op("CastLike", g.op("ConstantOfShape", channels, value_t=torch.tensor([1.0])), x)
    shift = g.op("CastLike", g.op("ConstantOfShape", channels, value_t=torch.tensor([0.0])), x)
    return g.op("InstanceNormalization", x, scale, shift,
                epsilon_f=symbolic_helper._maybe_get_const(eps, "f"))


def register() -> None:
    """Use the symbolics above in every later torch.onnx.export (idempotent)."""
    register_custom_op_symbolic("aten::instance_norm", instance_norm, ONNX_OPSET)
