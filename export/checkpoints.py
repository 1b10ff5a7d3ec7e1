"""Load the official released checkpoints into our own architectures.

Each official file is stored slightly differently (see tests/assets/checkpoint-layouts/*.json,
"checkpoint_format_notes"). A `CheckpointLayout` names those differences; `remap_state_dict` turns a
raw checkpoint into exactly the keys of our module, and `load_checkpoint` then loads it strictly, so
a wrong file fails loudly instead of leaving random weights behind.

Documented key mappings (checkpoint key -> our key):

* U2NET / U2NETP (xuebinqin/U-2-Net u2net.pth, u2netp.pth): identity, plain state_dict.
* CLOTH_SEGM_U2NET (cloth_segm_u2net_latest.pth): 'module.<k>' -> '<k>' (saved from DDP).
* SCHP (exp-schp-*-{lip,atr,pascal}.pth): ckpt['state_dict']['module.<k>'] -> '<k>'. InPlaceABNSync
  layers are our schp.ActivatedBatchNorm (BatchNorm2d + optional LeakyReLU(0.01)) with the same
  names (weight, bias, running_mean, running_var) and, like the original, no num_batches_tracked.
* VITONHD (seg_final.pth, gmm_final.pth, alias_final.pth): identity; spectral-normed convs keep the
  legacy '<conv>.weight_orig/.weight_u/.weight_v' keys.
* DAFLOW (ckpt_viton.pt): identity; a training checkpoint {'state_dict': ...} is unwrapped first.
* OPENPOSE body/hand (body_pose_model.pth, hand_pose_model.pth): the caffe layer name is our key
  without its first dotted component: 'conv1_1.weight' -> 'model0.conv1_1.weight',
  'Mconv7_stage6_L2.bias' -> 'model6_2.Mconv7_stage6_L2.bias'; extra checkpoint keys are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from fittingroom.segment.u2net import ReBnConv, U2NetP

StateDict = Mapping[str, torch.Tensor]

# Official U2NetP as exported by rembg: its fused output d0 (sigmoid) is this graph output.
U2NETP_ONNX_D0_OUTPUT = "1959"


@dataclass(frozen=True)
class CheckpointLayout:
    """How one family of released checkpoint files differs from our module's state_dict."""

    name: str
    wrapper_key: str | None = None  # the state_dict sits in checkpoint[wrapper_key]
    prefix: str = ""  # stripped from every key that carries it (DataParallel/DDP 'module.')
    keyed_without_first_component: bool = False  # checkpoint key == our key minus 'modelX.'
    ignore_extra_keys: bool = False  # the official loader also ignores unused checkpoint keys


PLAIN = CheckpointLayout("plain")
U2NET = CheckpointLayout("u2net")
U2NETP = CheckpointLayout("u2netp")
CLOTH_SEGM_U2NET = CheckpointLayout("cloth_segm_u2net", prefix="module.")
SCHP = CheckpointLayout("schp", wrapper_key="state_dict", prefix="module.")
VITONHD = CheckpointLayout("vitonhd")
DAFLOW = CheckpointLayout("daflow", wrapper_key="state_dict")
OPENPOSE = CheckpointLayout("openpose", keyed_without_first_component=True, ignore_extra_keys=True)


def drop_first_component(key: str) -> str:
    """'model1_1.conv5_1_CPM_L1.weight' -> 'conv5_1_CPM_L1.weight' (OpenPose caffe layer names)."""
    return key.split(".", 1)[1]


def unwrap_checkpoint(checkpoint: Mapping[str, object], layout: CheckpointLayout) -> dict[str, torch.Tensor]:
    """The flat tensor dict inside a loaded checkpoint object."""
    inner: object = checkpoint
    # Only unwrap when the wrapper is there: DAFlow releases a flat file but trains into a wrapper.
    if layout.wrapper_key is not None and isinstance(checkpoint.get(layout.wrapper_key), Mapping):
        inner = checkpoint[layout.wrapper_key]
    assert isinstance(inner, Mapping)
    tensors = {k: v for k, v in inner.items() if isinstance(v, torch.Tensor)}
    if not tensors:
        raise ValueError(f"{layout.name}: checkpoint holds no tensors (keys: {list(inner)[:5]})")
    return tensors


def remap_state_dict(
    state: StateDict, layout: CheckpointLayout, model_keys: list[str] | None = None
) -> dict[str, torch.Tensor]:
    """Apply the layout's key mapping; `model_keys` is needed for layouts keyed by model names."""
    if layout.keyed_without_first_component:
        if model_keys is None:
            raise ValueError(f"{layout.name}: remapping needs the model's keys")
        # Look every model key up by its caffe name, as the official loader does.
        return {k: state[drop_first_component(k)] for k in model_keys if drop_first_component(k) in state}
    remapped: dict[str, torch.Tensor] = {}
    for key, value in state.items():
        if layout.prefix and key.startswith(layout.prefix):
            key = key[len(layout.prefix):]
        remapped[key] = value
    return remapped


def load_checkpoint(
    model: nn.Module,
    path_or_state_dict: str | Path | Mapping[str, object],
    layout: CheckpointLayout = PLAIN,
    *,
    weights_only: bool = True,
) -> None:
    """Load an official checkpoint (file path or already-loaded dict) into `model`, strictly.

    `weights_only=False` unpickles arbitrary objects (e.g. an argparse Namespace in a DAFlow training
    checkpoint): only for files you trust.
    """
    if isinstance(path_or_state_dict, str | Path):
        # The released files hold plain tensors (plus ints/strings in wrappers): no code is unpickled.
        raw = torch.load(path_or_state_dict, map_location="cpu", weights_only=weights_only)
    else:
        raw = path_or_state_dict
    model_keys = list(model.state_dict())
    state = remap_state_dict(unwrap_checkpoint(raw, layout), layout, model_keys)
    if layout.ignore_extra_keys:
        state = {k: v for k, v in state.items() if k in model_keys}
    model.load_state_dict(state, strict=True)


def _conv_execution_order(model: nn.Module, sample: torch.Tensor) -> list[tuple[str, nn.Conv2d]]:
    """Named Conv2d layers in the order forward() runs them (the order an ONNX export lists them)."""
    names = {module: name for name, module in model.named_modules()}
    order: list[tuple[str, nn.Conv2d]] = []
    hooks = [
        module.register_forward_hook(lambda m, _i, _o: order.append((names[m], m)))
        for module in model.modules()
        if isinstance(module, nn.Conv2d)
    ]
    try:
        with torch.no_grad():
            model(sample)
    finally:
        for hook in hooks:
            hook.remove()
    return order


def _make_identity(bn: nn.BatchNorm2d) -> None:
    """Turn an eval-mode BatchNorm into an exact identity (its conv already carries the fold)."""
    assert bn.running_mean is not None and bn.running_var is not None
    bn.weight.fill_(1.0)
    bn.bias.zero_()
    bn.running_mean.zero_()
    # (x - 0) / sqrt((1 - eps) + eps) * 1 + 0 == x bit-exactly in float32.
    bn.running_var.fill_(1.0 - bn.eps)


ONNX_SAMPLE_SIZE = 64  # any size works: the hooks only record which convs run, and in what order


def load_u2netp_from_onnx(model: U2NetP, onnx_path: str | Path) -> None:
    """Fill `model` with the weights of rembg's u2netp.onnx (BatchNorm folded into the convs)."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(onnx_path)).graph
    initializers = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    onnx_convs = [node for node in graph.node if node.op_type == "Conv"]

    was_training = model.training
    model.eval()
    sample = torch.zeros(1, model.stage1.rebnconvin.conv_s1.in_channels, ONNX_SAMPLE_SIZE, ONNX_SAMPLE_SIZE)
    torch_convs = _conv_execution_order(model, sample)
    if len(onnx_convs) != len(torch_convs):
        raise ValueError(f"ONNX has {len(onnx_convs)} Conv nodes, the model runs {len(torch_convs)} convs")
    bn_of_conv = {block.conv_s1: block.bn_s1 for block in model.modules() if isinstance(block, ReBnConv)}

    with torch.no_grad():
        for node, (name, conv) in zip(onnx_convs, torch_convs, strict=True):
            weight_name, bias_name = node.input[1], node.input[2]
            weight, bias = initializers[weight_name], initializers[bias_name]
            if tuple(weight.shape) != tuple(conv.weight.shape) or bias.shape != (conv.out_channels,):
                raise ValueError(f"{node.name} {weight.shape} does not fit {name} {tuple(conv.weight.shape)}")
            dilations = next((tuple(a.ints) for a in node.attribute if a.name == "dilations"), (1, 1))
            if dilations != tuple(conv.dilation):
                raise ValueError(f"{node.name} dilation {dilations} differs from {name} {conv.dilation}")
            folded = conv in bn_of_conv
            # Un-folded convs keep their module names in the export: use them as a cross-check.
            if not folded and weight_name != f"{name}.weight":
                raise ValueError(f"{node.name} holds {weight_name}, expected {name}.weight")
            conv.weight.copy_(torch.from_numpy(weight.copy()))
            assert conv.bias is not None
            conv.bias.copy_(torch.from_numpy(bias.copy()))
            if folded:
                _make_identity(bn_of_conv[conv])
    model.train(was_training)
