"""Multiply-add FLOPs of a model, counted from its ONNX graph or with torch's flop counter.

The ONNX count covers the ops that carry nearly all of the arithmetic of these convolutional nets (Conv,
ConvTranspose, MatMul, Gemm), two FLOPs per multiply-add, with shapes from ONNX shape inference at a given
batch size. The torch count (torch.utils.flop_counter) is the cross-check where a torch definition exists.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import onnx
from onnx import shape_inference


def _concrete(model: onnx.ModelProto, batch: int) -> onnx.ModelProto:
    """A copy whose graph inputs have every symbolic dimension set to `batch` (only batch is symbolic here)."""
    copy = onnx.ModelProto()
    copy.CopyFrom(model)
    for tensor in copy.graph.input:
        for dim in tensor.type.tensor_type.shape.dim:
            if not dim.HasField("dim_value"):
                dim.Clear()
                dim.dim_value = batch
    return shape_inference.infer_shapes(copy)


def _shapes(model: onnx.ModelProto) -> dict[str, list[int]]:
    shapes: dict[str, list[int]] = {init.name: list(init.dims) for init in model.graph.initializer}
    for info in [*model.graph.input, *model.graph.value_info, *model.graph.output]:
        dims = info.type.tensor_type.shape.dim
        if all(d.HasField("dim_value") for d in dims):
            shapes[info.name] = [d.dim_value for d in dims]
    return shapes


def _group(node: onnx.NodeProto) -> int:
    return next((int(a.i) for a in node.attribute if a.name == "group"), 1)


def onnx_flops(model: onnx.ModelProto, batch: int) -> dict[str, Any]:
    """FLOPs of one run at `batch`, and the ops whose shapes inference could not resolve (counted as 0)."""
    inferred = _concrete(model, batch)
    shapes = _shapes(inferred)
    total = 0
    unresolved: list[str] = []
    for node in inferred.graph.node:
        if node.op_type not in ("Conv", "ConvTranspose", "MatMul", "Gemm"):
            continue
        try:
            if node.op_type == "Conv":
                weight, out = shapes[node.input[1]], shapes[node.output[0]]
                total += 2 * math.prod(out) * math.prod(weight[1:])  # weight [Cout, Cin/g, k...]
            elif node.op_type == "ConvTranspose":
                x, weight = shapes[node.input[0]], shapes[node.input[1]]  # weight [Cin, Cout/g, k...]
                total += 2 * math.prod(x) * math.prod(weight[1:])
            elif node.op_type == "MatMul":
                a, out = shapes[node.input[0]], shapes[node.output[0]]
                total += 2 * math.prod(out) * a[-1]
            else:  # Gemm: out [M, N], K from A (transposed or not)
                a, out = shapes[node.input[0]], shapes[node.output[0]]
                trans_a = next((int(x.i) for x in node.attribute if x.name == "transA"), 0)
                total += 2 * math.prod(out) * (a[0] if trans_a else a[1])
        except KeyError:
            unresolved.append(node.name or node.op_type)
    return {"flops": total, "unresolved_ops": unresolved}


def torch_flops(build: Callable[[], Any], shapes: Sequence[Sequence[int]]) -> int:
    """FLOPs of one forward pass counted by torch, on the meta device (no memory, no time)."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    with torch.device("meta"), torch.no_grad():
        module = build().eval()
        inputs = [torch.empty(*s) for s in shapes]
        counter = FlopCounterMode(display=False)
        with counter:
            module(*inputs)
    return int(counter.get_total_flops())
