"""VITON-HD pieces with exact expectations: TPS grid, spectral-norm folding, official output shapes, the
release's normalisation, noise and blur."""

from __future__ import annotations

import pytest
import torch

from fittingroom.warp_gen.served_networks import VitonHDSegmentation, official_blur
from fittingroom.warp_gen.spec import ALIAS_NOISE_MAPS, alias_noise_length
from fittingroom.warp_gen.vitonhd import (
    GMM,
    ALIASGenerator,
    ALIASNorm,
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


def _release_mask_norm(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The release's MaskNorm.forward (networks.py), transcribed with its nn.InstanceNorm2d."""
    norm = torch.nn.InstanceNorm2d(x.shape[1], affine=False)

    def region(r: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
        num_pixels = m.sum((2, 3), keepdim=True)
        num_pixels[num_pixels == 0] = 1
        mu = r.sum((2, 3), keepdim=True) / num_pixels
        return norm(r + (1 - m) * mu) * torch.sqrt(num_pixels / (r.shape[2] * r.shape[3]))

    return region(x * mask, mask) + region(x * (1 - mask), 1 - mask)


@pytest.mark.parametrize("size", [(2, 1), (4, 3), (8, 6)])
def test_alias_normalisation_is_the_releases_on_tiny_maps(size: tuple[int, int]) -> None:
    """Bit for bit: the norm is nn.InstanceNorm2d itself, not the same formula written out (which drifted
    by 1.3e-4 through the generator). Offset maps with a small spread are where rounding shows most."""
    generator = torch.Generator().manual_seed(3)
    x = 100 + 1e-2 * torch.randn(2, 5, *size, generator=generator)
    mask = (torch.rand(2, 1, *size, generator=generator) > 0.5).float()
    plain = ALIASNorm(5, 7, use_mask_norm=False, use_noise=False).param_free_norm
    masked = ALIASNorm(5, 8, use_mask_norm=True, use_noise=False).param_free_norm
    assert torch.equal(plain(x), torch.nn.InstanceNorm2d(5)(x))
    assert torch.equal(masked(x, mask), _release_mask_norm(x, mask))


def test_alias_noise_layout_is_the_spec_and_the_release_draw_order() -> None:
    """The flat `noise` input holds the release's draws in its drawing order: given explicitly, the seeded
    draws reproduce the generator's own (seeded) ones exactly."""
    with torch.device("meta"):
        for height, width in ((512, 384), (1024, 768)):
            shapes = ALIASGenerator(load_height=height, load_width=width).noise_shapes()
            assert [maps for maps, _, _ in shapes] == list(ALIAS_NOISE_MAPS)
            assert sum(m * h * w for m, h, w in shapes) == alias_noise_length(height, width)
    torch.manual_seed(0)
    net = ALIASGenerator(load_height=256, load_width=128, ngf=4).eval()
    for module in net.modules():
        if isinstance(module, ALIASNorm):
            module.noise_scale.data.uniform_(0.5, 1.0)
    x, seg, seg_div = torch.rand(1, 9, 256, 128), torch.rand(1, 7, 256, 128), torch.rand(1, 8, 256, 128)
    mask = (torch.rand(1, 1, 256, 128) > 0.5).float()
    torch.manual_seed(7)
    drawn_inside = net(x, seg, seg_div, mask)
    torch.manual_seed(7)
    draws = [ALIASNorm.draw_noise(torch.empty(1, 1, h, w)) for maps, h, w in net.noise_shapes() for _ in range(maps)]
    given = net(x, seg, seg_div, mask, torch.cat([d.flatten(1) for d in draws], 1))
    assert torch.equal(given, drawn_inside)
    zeros = net(x, seg, seg_div, mask, torch.zeros(1, alias_noise_length(256, 128)))
    quiet = ALIASGenerator(load_height=256, load_width=128, ngf=4, use_noise=False)
    quiet.load_state_dict(net.state_dict())
    assert torch.equal(zeros, quiet.eval()(x, seg, seg_div, mask))  # noise=off: zeros are no noise
    assert float((given - zeros).abs().max()) > 0.05  # and the noise moves the image


def test_official_blur_keeps_its_extent_relative_to_the_canvas() -> None:
    assert official_blur(1024) == (15, 3.0)  # test.py's GaussianBlur((15, 15), (3, 3)) at 1024x768
    assert official_blur(512) == (9, 1.5)
    assert official_blur(256) == (5, 0.75)
    with torch.device("meta"):
        seg = SegGenerator()
    spread = {}
    for height in (512, 1024):
        kernel = VitonHDSegmentation(seg, height=height).blur[0, 0].double()
        size, _ = official_blur(height)
        assert kernel.shape == (size, size) and float(kernel.sum()) == pytest.approx(1)
        offsets = torch.arange(size, dtype=torch.float64) - size // 2
        spread[height] = float((kernel.sum(0) * offsets**2).sum()) ** 0.5 / height
    # The same blur on the image, up to where the kernel is cut off (whole pixels): 3.6 % here.
    assert spread[512] == pytest.approx(spread[1024], rel=0.05)
