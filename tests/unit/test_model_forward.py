"""Forward-shape smoke tests at the smallest sensible input (random init, no_grad)."""

from __future__ import annotations

import torch
from fittingroom.segment.schp import SCHPFusionLogits, schp_resnet101
from fittingroom.segment.u2net import ClothSegmU2Net, U2Net, U2NetMask, U2NetP

torch.set_grad_enabled(False)


def test_u2netp_forward_shapes() -> None:
    outputs = U2NetP().eval()(torch.rand(1, 3, 64, 48))
    assert len(outputs) == 7
    assert all(o.shape == (1, 1, 64, 48) for o in outputs)
    assert all(float(o.min()) >= 0 and float(o.max()) <= 1 for o in outputs)  # sigmoid maps


def test_u2net_mask_forward_shape() -> None:
    # Odd size: ceil-mode pooling plus size-matched upsampling must give back the input size.
    assert U2NetMask(U2Net().eval())(torch.rand(1, 3, 33, 35)).shape == (1, 1, 33, 35)


def test_cloth_segm_u2net_forward_shapes() -> None:
    outputs = ClothSegmU2Net().eval()(torch.rand(1, 3, 32, 32))
    assert len(outputs) == 7
    assert all(o.shape == (1, 4, 32, 32) for o in outputs)


def test_schp_forward_shapes() -> None:
    # 64x64 is about the smallest input that still leaves the stride-16 features 4x4 for the PSP bins.
    (parsing, fusion), (edge,) = schp_resnet101("atr").eval()(torch.rand(1, 3, 64, 64))
    assert parsing.shape == fusion.shape == (1, 18, 16, 16)
    assert edge.shape == (1, 2, 16, 16)


def test_schp_official_output_contract() -> None:
    """Shapes from the layout JSON at the official 473x473 LIP input, computed on the meta device."""
    with torch.device("meta"):
        fusion = SCHPFusionLogits(schp_resnet101("lip")).eval()(torch.empty(1, 3, 473, 473))
    assert fusion.shape == (1, 20, 119, 119)
