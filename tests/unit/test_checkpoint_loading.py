"""load_checkpoint: documented key mappings applied to real (random) tensors, loaded strictly."""

from __future__ import annotations

import pytest
import torch
from fittingroom.segment import checkpoints as ckpt
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
