"""Small, verified edits of ONNX graphs that we adopt or convert rather than trace ourselves."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
from onnx import helper, numpy_helper


def rename_io(model: onnx.ModelProto, names: dict[str, str]) -> onnx.ModelProto:
    """Give graph inputs/outputs explicit names (converters leak names like `Identity_3`)."""
    for node in model.graph.node:
        node.input[:] = [names.get(n, n) for n in node.input]
        node.output[:] = [names.get(n, n) for n in node.output]
    for value in [*model.graph.input, *model.graph.output, *model.graph.value_info]:
        value.name = names.get(value.name, value.name)
    return model


def make_batch_dynamic(model: onnx.ModelProto) -> onnx.ModelProto:
    """Turn a graph traced at batch 1 into one that takes any batch.

    Converters bake the batch of 1 into Reshape targets; a leading 1 there becomes 0 ("copy the
    input's dim"), which is exact when the reshaped tensor carries the batch first, as it does in
    these graphs. `check_batching` proves it on real data.
    """
    for value in [*model.graph.input, *model.graph.output]:
        dim = value.type.tensor_type.shape.dim[0]
        dim.ClearField("dim_value")
        dim.dim_param = "batch"
    del model.graph.value_info[:]
    shape_inputs = {node.input[1] for node in model.graph.node if node.op_type == "Reshape"}
    for init in model.graph.initializer:
        if init.name in shape_inputs:
            target = numpy_helper.to_array(init).copy()
            if target.size and target[0] == 1:
                target[0] = 0
                init.CopyFrom(numpy_helper.from_array(target, init.name))
    return model


def random_inputs(session: ort.InferenceSession, batch: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        i.name: rng.random((batch, *[d if isinstance(d, int) else 1 for d in i.shape[1:]]), dtype=np.float32)
        for i in session.get_inputs()
    }


def check_batching(model: onnx.ModelProto, batch: int = 2, atol: float = 1e-4) -> float:
    """Run a batch and each sample alone; return the max abs difference (raises over `atol`)."""
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    inputs = random_inputs(session, batch)
    together = session.run(None, inputs)
    alone = [session.run(None, {k: v[i:i + 1] for k, v in inputs.items()}) for i in range(batch)]
    worst = 0.0
    for index, out in enumerate(together):
        stacked = np.concatenate([a[index] for a in alone])
        worst = max(worst, float(np.abs(out - stacked).max()))
    if worst > atol:
        raise RuntimeError(f"batched and per-sample outputs differ by {worst:.3g} (> {atol})")
    return worst


# MediaPipe's custom op for a transposed convolution with bias (input NHWC, kernel OHWI, bias [O]).
TRANSPOSED_CONV_BIAS = "TFL_Convolution2DTransposeBias"
NHWC_TO_NCHW = (0, 3, 1, 2)
NCHW_TO_NHWC = (0, 2, 3, 1)
OHWI_TO_IOHW = (3, 0, 1, 2)  # ConvTranspose wants its weight as [in, out, kH, kW]


def replace_transposed_conv_bias(model: onnx.ModelProto) -> onnx.ModelProto:
    """Turn each `Convolution2DTransposeBias` node tf2onnx leaves behind into standard ONNX ops.

    NHWC input -> Transpose -> ConvTranspose (weight and bias from the node's constants) -> Transpose.
    MediaPipe uses the op only as a learned 2x upsampling: stride equal to the kernel size, no padding
    (its options are a raw C struct tf2onnx cannot read); the parity check against LiteRT proves it.
    """
    graph = model.graph
    constants = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    nodes: list[onnx.NodeProto] = []
    replaced: set[str] = set()
    for node in graph.node:
        if node.op_type != TRANSPOSED_CONV_BIAS:
            nodes.append(node)
            continue
        data, kernel_name, bias = node.input
        kernel = constants[kernel_name]
        replaced.add(kernel_name)
        size = [int(s) for s in kernel.shape[1:3]]
        weight, nchw_in, nchw_out = (f"{node.name}/{suffix}" for suffix in ("weight", "nchw_in", "nchw_out"))
        graph.initializer.append(numpy_helper.from_array(kernel.transpose(OHWI_TO_IOHW).copy(), weight))
        nodes += [
            helper.make_node("Transpose", [data], [nchw_in], perm=NHWC_TO_NCHW),
            helper.make_node("ConvTranspose", [nchw_in, weight, bias], [nchw_out], kernel_shape=size, strides=size),
            helper.make_node("Transpose", [nchw_out], list(node.output), perm=NCHW_TO_NHWC),
        ]
    del graph.node[:]
    graph.node.extend(nodes)
    used = {name for node in graph.node for name in node.input}
    kept = [init for init in graph.initializer if init.name not in replaced or init.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    return model
