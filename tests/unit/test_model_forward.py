"""Forward-shape smoke tests at the smallest sensible input (random init, no_grad)."""

from __future__ import annotations

import torch

from fittingroom.pose.openpose import OpenPoseBody, OpenPoseHand
from fittingroom.segment.schp import SCHPFusionLogits, schp_resnet101
from fittingroom.segment.u2net import ClothSegmU2Net, U2Net, U2NetMask, U2NetP
from fittingroom.warp_gen.daflow import SDAFNetTryOn, offsets_to_grid

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


def test_daflow_forward_shape() -> None:
    # 64x64 is the smallest input: five /2 levels leave 2x2, and flows normalize by (size - 1).
    out = SDAFNetTryOn().eval()(torch.rand(1, 6, 64, 64), torch.rand(1, 3, 64, 64), torch.rand(1, 3, 64, 64))
    assert out.shape == (1, 3, 64, 64)
    assert bool(out.isfinite().all())


def test_daflow_official_output_contract() -> None:
    with torch.device("meta"):
        out = SDAFNetTryOn().eval()(
            torch.empty(1, 6, 256, 192), torch.empty(1, 3, 256, 192), torch.empty(1, 3, 256, 192)
        )
    assert out.shape == (1, 3, 256, 192)


def test_daflow_zero_offsets_give_corner_aligned_grid() -> None:
    grid = offsets_to_grid(torch.zeros(1, 2, 3, 5))
    assert grid[0, 0, 0].tolist() == [-1.0, -1.0]
    assert grid[0, 2, 4].tolist() == [1.0, 1.0]
    assert grid[0, 1, 2].tolist() == [0.0, 0.0]


def test_openpose_forward_shapes() -> None:
    pafs, heatmaps = OpenPoseBody().eval()(torch.rand(1, 3, 16, 24))  # stride 8
    assert pafs.shape == (1, 38, 2, 3) and heatmaps.shape == (1, 19, 2, 3)
    assert float(heatmaps.min()) >= 0  # the port's ReLU on the last heatmaps
    assert OpenPoseHand().eval()(torch.rand(1, 3, 16, 16)).shape == (1, 22, 2, 2)


def test_openpose_official_output_contract() -> None:
    with torch.device("meta"):
        pafs, heatmaps = OpenPoseBody().eval()(torch.empty(1, 3, 368, 368))
        hand = OpenPoseHand().eval()(torch.empty(1, 3, 368, 368))
    assert pafs.shape == (1, 38, 46, 46) and heatmaps.shape == (1, 19, 46, 46)
    assert hand.shape == (1, 22, 46, 46)
