"""load_checkpoint: documented key mappings applied to real (random) tensors, loaded strictly."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from fittingroom.export import checkpoints as ckpt
from fittingroom.pose.openpose import OpenPoseHand
from fittingroom.segment.schp import schp_resnet101
from fittingroom.segment.u2net import U2NetP


def test_prefixed_checkpoint_loads_strictly() -> None:
    source, target = U2NetP(), U2NetP()
    ddp_file = {"module." + k: v for k, v in source.state_dict().items()}
    ckpt.load_checkpoint(target, ddp_file, ckpt.CLOTH_SEGM_U2NET)
    for key, value in source.state_dict().items():
        assert torch.equal(target.state_dict()[key], value)


def test_wrong_checkpoint_fails_loudly() -> None:
    state = U2NetP().state_dict()
    del state["outconv.bias"]
    with pytest.raises(RuntimeError, match=r"outconv\.bias"):
        ckpt.load_checkpoint(U2NetP(), state, ckpt.U2NETP)


def test_schp_wrapped_prefixed_checkpoint_loads_strictly() -> None:
    """SCHP files: {'state_dict': {'module.<k>': ...}, ...} and no num_batches_tracked anywhere."""
    source, target = schp_resnet101("pascal"), schp_resnet101("pascal")
    for bn in (m for m in source.modules() if isinstance(m, torch.nn.BatchNorm2d)):
        assert bn.running_var is not None
        bn.running_var.uniform_(0.5, 2.0)
    state = {"module." + k: v for k, v in source.state_dict().items()}
    assert not any("num_batches_tracked" in k for k in state)
    released = {"state_dict": state, "epoch": 150}
    ckpt.load_checkpoint(target, released, ckpt.SCHP)
    for key in ("layer3.22.bn3.running_var", "fushion.3.weight"):
        assert torch.equal(target.state_dict()[key], source.state_dict()[key])


def test_openpose_caffe_named_checkpoint_loads() -> None:
    """Released OpenPose files use bare caffe layer names and may carry unused layers."""
    source, target = OpenPoseHand(), OpenPoseHand()
    caffe_named = {ckpt.drop_first_component(k): v for k, v in source.state_dict().items()}
    caffe_named["unused_layer.weight"] = torch.zeros(1)
    ckpt.load_checkpoint(target, caffe_named, ckpt.OPENPOSE)
    key = "model6.Mconv7_stage6.bias"
    assert torch.equal(target.state_dict()[key], source.state_dict()[key])


def test_checkpoint_file_loads_from_disk(tmp_path: Path) -> None:
    source, target = U2NetP(), U2NetP()
    path = tmp_path / "u2netp.pth"
    torch.save(source.state_dict(), path)
    ckpt.load_checkpoint(target, path, ckpt.U2NETP)
    assert torch.equal(target.state_dict()["outconv.weight"], source.state_dict()["outconv.weight"])
