"""VITON-HD pieces with exact expectations: TPS grid, spectral-norm folding, official output shapes."""

from __future__ import annotations

import torch

from fittingroom.warp_gen.vitonhd import (
    GMM,
    ALIASGenerator,
    ALIASResBlock,
    SegGenerator,
    TpsGridGen,
    feature_correlation,
    fold_spectral_norm,
)

torch.set_grad_enabled(False)
GRID = 5


def test_tps_interpolates_control_points() -> None:
    """On a 5x5 output grid every pixel is a control point, so it must land exactly on P + theta.

    Control point k = i*5 + j sits at (x=c[i], y=c[j]) (x slowest, as in the release), so pixel
    (row r, column c) is control point c*5 + r.
    """
    theta = torch.rand(2, 2 * GRID * GRID) * 0.2 - 0.1
    grid = TpsGridGen(GRID, GRID, GRID)(theta)
    coords = torch.linspace(-0.9, 0.9, GRID)
    for r in range(GRID):
        for c in range(GRID):
            k = c * GRID + r
            assert torch.allclose(grid[:, r, c, 0], coords[c] + theta[:, k], atol=1e-5)
            assert torch.allclose(grid[:, r, c, 1], coords[r] + theta[:, GRID * GRID + k], atol=1e-5)


def test_tps_zero_theta_is_identity() -> None:
    grid = TpsGridGen(64, 48, GRID)(torch.zeros(1, 2 * GRID * GRID))
    ys, xs = torch.meshgrid(torch.linspace(-0.9, 0.9, 64), torch.linspace(-0.9, 0.9, 48), indexing="ij")
    assert torch.allclose(grid[0, ..., 0], xs, atol=1e-5)
    assert torch.allclose(grid[0, ..., 1], ys, atol=1e-5)


def test_feature_correlation_channel_order() -> None:
    """Channel w*H + h holds the A feature at (h, w) dotted with every B position."""
    a, b = torch.randn(1, 4, 3, 2), torch.randn(1, 4, 3, 2)
    corr = feature_correlation(a, b)
    assert corr.shape == (1, 6, 3, 2)
    h, w = 2, 1
    expected = (a[0, :, h, w, None, None] * b[0]).sum(0)
    assert torch.allclose(corr[0, w * 3 + h], expected, atol=1e-6)


def test_fold_spectral_norm_keeps_eval_output() -> None:
    block = ALIASResBlock(24, 16, semantic_nc=7, use_mask_norm=True, use_noise=False).eval()
    x, seg, mask = (
        torch.randn(1, 24, 16, 12),
        torch.rand(1, 8, 16, 12),
        (torch.rand(1, 1, 16, 12) > 0.5).float(),
    )
    before = block(x, seg, mask)
    assert fold_spectral_norm(block) == 3  # conv_0, conv_1 and the learned shortcut conv_s
    assert set(block.state_dict()) >= {"conv_0.weight", "conv_1.weight", "conv_s.weight"}
    assert torch.allclose(block(x, seg, mask), before, atol=1e-6)


def test_fold_spectral_norm_removes_every_legacy_key() -> None:
    with torch.device("meta"):
        model = ALIASGenerator()
        assert fold_spectral_norm(model) == 23  # conv_0 + conv_1 in 8 blocks, conv_s in 7
    keys = model.state_dict()
    assert not any(k.endswith(("weight_orig", "weight_u", "weight_v")) for k in keys)
    assert "up_4.conv_s.weight" in keys


def test_vitonhd_small_forward_shapes() -> None:
    assert SegGenerator().eval()(torch.rand(1, 21, 32, 32)).shape == (1, 13, 32, 32)
    # The regressor needs quarter-size inputs that are multiples of 64: 256x256 output, 64x64 inputs.
    theta, grid = GMM(load_height=256, load_width=256).eval()(
        torch.rand(1, 7, 64, 64), torch.rand(1, 3, 64, 64)
    )
    assert theta.shape == (1, 50) and float(theta.abs().max()) <= 1
    assert grid.shape == (1, 256, 256, 2)


def test_vitonhd_official_output_contract() -> None:
    """Official-size shapes from the layout JSONs, computed on the meta device (no memory, no FLOPs)."""
    with torch.device("meta"):
        assert SegGenerator().eval()(torch.empty(1, 21, 256, 192)).shape == (1, 13, 256, 192)
        theta, grid = GMM().eval()(torch.empty(1, 7, 256, 192), torch.empty(1, 3, 256, 192))
        assert theta.shape == (1, 50) and grid.shape == (1, 1024, 768, 2)
        image = ALIASGenerator().eval()(
            torch.empty(1, 9, 1024, 768),
            torch.empty(1, 7, 1024, 768),
            torch.empty(1, 8, 1024, 768),
            torch.empty(1, 1, 1024, 768),
        )
        assert image.shape == (1, 3, 1024, 768)
