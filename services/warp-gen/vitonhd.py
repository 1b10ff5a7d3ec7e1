"""VITON-HD (Choi et al. 2021, "VITON-HD: High-Resolution Virtual Try-On via Misalignment-Aware
Normalization"): segmentation generator, geometric matching module (TPS warp) and ALIAS generator.

Names follow the released seg_final.pth / gmm_final.pth / alias_final.pth (tests/assets/
checkpoint-layouts/vitonhd_*.json), which load with no key mapping. Defaults are the official test
settings: 1024x768 output, 5x5 TPS control grid, ngf=64, 7 upsampling layers ("most").

Export notes: nothing here picks a device (noise follows the input's device), the ALIAS generator's
noise can come in as a tensor (an exported graph's input, so a request's seed reproduces its image),
spectral norm can be folded into plain conv weights with `fold_spectral_norm`, and the TPS basis is
precomputed so the warp is one matmul (grid_sample on the result needs ONNX opset >= 16).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.spectral_norm import SpectralNorm, remove_spectral_norm, spectral_norm

LOAD_HEIGHT, LOAD_WIDTH = 1024, 768
SEMANTIC_NC = 13  # parse classes predicted by the segmentation generator
ALIAS_SEMANTIC_NC = 7  # grouped parse classes that condition the ALIAS generator
NGF = 64
GRID_SIZE = 5  # TPS control points per side
TPS_RANGE = 0.9  # control points and output grid span [-0.9, 0.9], as in the release
GMM_FEATURES = 512
GMM_DOWNSAMPLINGS = 4
ALIAS_UPSAMPLINGS = 7  # "most": the latent map is 1/128 of the output
ALIAS_NOISE_BLOCKS = ALIAS_UPSAMPLINGS + 1  # one residual block per scale, each adding noise
ALIAS_FEATURE_CH = 16  # channels of the input pyramid concatenated at every scale
ALIAS_HIDDEN = 128  # hidden channels of the ALIAS modulation convs
LEAKY_SLOPE = 0.2
UNET_DROPOUT = 0.5


# ----------------------------------------------------------------------------------------------------
# Segmentation generator
# ----------------------------------------------------------------------------------------------------
def _double_conv(in_ch: int, out_ch: int) -> nn.Sequential:
    """(3x3 conv, instance norm, ReLU) x 2; keys .0 and .3."""
    return nn.Sequential(
        nn.Conv2d(in_ch, out_ch, 3, padding=1), nn.InstanceNorm2d(out_ch), nn.ReLU(),
        nn.Conv2d(out_ch, out_ch, 3, padding=1), nn.InstanceNorm2d(out_ch), nn.ReLU(),
    )  # fmt: skip


def _up_conv(in_ch: int, out_ch: int) -> nn.Sequential:
    """Nearest x2 upsampling then 3x3 conv, instance norm, ReLU; key .1."""
    return nn.Sequential(
        nn.Upsample(scale_factor=2, mode="nearest"),
        nn.Conv2d(in_ch, out_ch, 3, padding=1), nn.InstanceNorm2d(out_ch), nn.ReLU(),
    )  # fmt: skip


class SegGenerator(nn.Module):
    """U-Net predicting the try-on parse map (sigmoid per class); official `SegGenerator(opt, 21, 13)`."""

    def __init__(self, input_nc: int = 21, output_nc: int = SEMANTIC_NC) -> None:
        super().__init__()
        self.conv1 = _double_conv(input_nc, 64)
        self.conv2 = _double_conv(64, 128)
        self.conv3 = _double_conv(128, 256)
        self.conv4 = _double_conv(256, 512)
        self.conv5 = _double_conv(512, 1024)
        self.up6 = _up_conv(1024, 512)
        self.conv6 = _double_conv(1024, 512)
        self.up7 = _up_conv(512, 256)
        self.conv7 = _double_conv(512, 256)
        self.up8 = _up_conv(256, 128)
        self.conv8 = _double_conv(256, 128)
        self.up9 = _up_conv(128, 64)
        self.conv9 = nn.Sequential(*_double_conv(128, 64), nn.Conv2d(64, output_nc, 3, padding=1))
        self.pool = nn.MaxPool2d(2)
        self.drop = nn.Dropout(UNET_DROPOUT)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Parse probabilities [N, output_nc, H, W]; H and W must be multiples of 16."""
        conv1 = self.conv1(x)
        conv2 = self.conv2(self.pool(conv1))
        conv3 = self.conv3(self.pool(conv2))
        conv4 = self.drop(self.conv4(self.pool(conv3)))
        conv5 = self.drop(self.conv5(self.pool(conv4)))

        conv6 = self.conv6(torch.cat((conv4, self.up6(conv5)), 1))
        conv7 = self.conv7(torch.cat((conv3, self.up7(conv6)), 1))
        conv8 = self.conv8(torch.cat((conv2, self.up8(conv7)), 1))
        conv9 = self.conv9(torch.cat((conv1, self.up9(conv8)), 1))
        return torch.sigmoid(conv9)


# ----------------------------------------------------------------------------------------------------
# Geometric matching module
# ----------------------------------------------------------------------------------------------------
class FeatureExtraction(nn.Module):
    """Strided 4x4 conv encoder (/16) with ReLU before BatchNorm, as released; keys model.<i>."""

    def __init__(self, input_nc: int, ngf: int = NGF, num_downsamplings: int = GMM_DOWNSAMPLINGS) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        in_ch = input_nc
        for level in range(num_downsamplings):
            out_ch = min(ngf * 2**level, GMM_FEATURES)
            layers += [nn.Conv2d(in_ch, out_ch, 4, stride=2, padding=1), nn.ReLU(), nn.BatchNorm2d(out_ch)]
            in_ch = out_ch
        layers += [nn.Conv2d(in_ch, GMM_FEATURES, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(GMM_FEATURES)]
        layers += [nn.Conv2d(GMM_FEATURES, GMM_FEATURES, 3, padding=1), nn.ReLU()]
        self.model = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Features [N, 512, H/16, W/16]."""
        return self.model(x)


def feature_correlation(feature_a: torch.Tensor, feature_b: torch.Tensor) -> torch.Tensor:
    """Dot products of every A position with every B position: [N, W*H, H, W].

    Channel index of the result is w * H + h of the A position (column-major, as the released
    regressor was trained on); the spatial position is that of B.
    """
    n, c, h, w = feature_a.shape
    a = feature_a.permute(0, 3, 2, 1).reshape(n, w * h, c)
    b = feature_b.reshape(n, c, h * w)
    return torch.bmm(a, b).reshape(n, w * h, h, w)


class FeatureRegression(nn.Module):
    """Correlation volume -> TPS control-point offsets in [-1, 1]."""

    def __init__(self, input_nc: int, output_size: int) -> None:
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(input_nc, 512, 4, stride=2, padding=1), nn.BatchNorm2d(512), nn.ReLU(),
            nn.Conv2d(512, 256, 4, stride=2, padding=1), nn.BatchNorm2d(256), nn.ReLU(),
            nn.Conv2d(256, 128, 3, padding=1), nn.BatchNorm2d(128), nn.ReLU(),
            nn.Conv2d(128, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
        )  # fmt: skip
        # The correlation has H*W channels and H*W/16 positions after the two strided convs.
        self.linear = nn.Linear(64 * (input_nc // 16), output_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """theta [N, output_size]."""
        x = self.conv(x)
        return torch.tanh(self.linear(x.flatten(1)))


def _tps_radial(dist_squared: torch.Tensor) -> torch.Tensor:
    """Thin-plate kernel U(r) = r^2 log r^2, with U(0) = 0."""
    safe = torch.where(dist_squared == 0, torch.ones_like(dist_squared), dist_squared)
    return safe * torch.log(safe)


class TpsGridGen(nn.Module):
    """Thin-plate-spline sampling grid from control-point offsets theta = (dx_1..dx_N, dy_1..dy_N).

    The output grid is linear in theta, so the TPS system is solved once at construction:
    grid_x = basis @ (P_x + dx) (same for y), with basis = [U(|p - P|), 1, x, y] @ L^-1[:, :N].
    Computed in float64 and stored as non-persistent buffers (the checkpoints hold none of this).
    """

    basis: torch.Tensor
    control_x: torch.Tensor
    control_y: torch.Tensor

    def __init__(
        self, height: int = LOAD_HEIGHT, width: int = LOAD_WIDTH, grid_size: int = GRID_SIZE
    ) -> None:
        super().__init__()
        self.height, self.width = height, width
        num_points = grid_size * grid_size
        # The small control-point system is always solved on the CPU, also when the module is built
        # under another default device (meta has no cheap matrix inverse).
        coords = torch.linspace(-TPS_RANGE, TPS_RANGE, grid_size, dtype=torch.float64, device="cpu")
        # Control point k = i * grid_size + j sits at (x=coords[i], y=coords[j]): x varies slowest, the
        # (transposed-looking) order the released regressor was trained with.
        control_x = coords.repeat_interleave(grid_size)
        control_y = coords.repeat(grid_size)

        kernel = _tps_radial(
            (control_x[:, None] - control_x[None]) ** 2 + (control_y[:, None] - control_y[None]) ** 2
        )
        affine = torch.stack((torch.ones_like(control_x), control_x, control_y), 1)  # [N, 3]
        # L = [[K, P], [P^T, 0]]: radial kernel plus the affine part with side conditions.
        top = torch.cat((kernel, affine), 1)
        bottom = torch.cat((affine.T, affine.new_zeros(3, 3)), 1)
        system = torch.cat((top, bottom), 0)
        weights = torch.linalg.inv(system)[:, :num_points]  # [N + 3, N]: only the first N targets are nonzero

        ys, xs = torch.meshgrid(
            torch.linspace(-TPS_RANGE, TPS_RANGE, height, dtype=torch.float64),
            torch.linspace(-TPS_RANGE, TPS_RANGE, width, dtype=torch.float64),
            indexing="ij",
        )
        px, py = xs.reshape(-1, 1), ys.reshape(-1, 1)
        device = px.device
        control_x, control_y, weights = control_x.to(device), control_y.to(device), weights.to(device)
        radial = _tps_radial((px - control_x) ** 2 + (py - control_y) ** 2)  # [H*W, N]
        basis = torch.cat((radial, torch.ones_like(px), px, py), 1) @ weights  # [H*W, N]

        self.register_buffer("basis", basis.float(), persistent=False)
        self.register_buffer("control_x", control_x.float(), persistent=False)
        self.register_buffer("control_y", control_y.float(), persistent=False)

    def forward(self, theta: torch.Tensor) -> torch.Tensor:
        """Sampling grid [N, H, W, 2] (x, y) in grid_sample coordinates."""
        num_points = self.control_x.shape[0]
        targets = torch.stack((theta[:, :num_points] + self.control_x, theta[:, num_points:] + self.control_y), -1)
        # basis [H*W, N] @ targets [B, N, 2] is already (x, y)-last: the export keeps one untransposed basis.
        grid = torch.matmul(self.basis, targets)
        return grid.reshape(theta.shape[0], self.height, self.width, 2)


class GMM(nn.Module):
    """Geometric matching: correlate person and cloth features, regress a TPS warp of the cloth.

    Official `GMM(opt, inputA_nc=7, inputB_nc=3)`; inputs are at a quarter of the load size.
    `grid_height`/`grid_width` sample the warp at another size than the load size (default): the
    regression is tied to the load size the checkpoint was trained at, the TPS warp is not.
    """

    def __init__(
        self,
        input_a_nc: int = 7,
        input_b_nc: int = 3,
        load_height: int = LOAD_HEIGHT,
        load_width: int = LOAD_WIDTH,
        grid_size: int = GRID_SIZE,
        grid_height: int | None = None,
        grid_width: int | None = None,
    ) -> None:
        super().__init__()
        self.extractionA = FeatureExtraction(input_a_nc)
        self.extractionB = FeatureExtraction(input_b_nc)
        # Features are 1/16 of the quarter-size input, i.e. 1/64 of the output, one channel per position.
        self.regression = FeatureRegression((load_width // 64) * (load_height // 64), 2 * grid_size**2)
        self.gridGen = TpsGridGen(grid_height or load_height, grid_width or load_width, grid_size)

    def forward(self, input_a: torch.Tensor, input_b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(theta [N, 2*grid_size^2], sampling grid [N, grid_height, grid_width, 2])."""
        feature_a = F.normalize(self.extractionA(input_a), dim=1)
        feature_b = F.normalize(self.extractionB(input_b), dim=1)
        theta = self.regression(feature_correlation(feature_a, feature_b))
        return theta, self.gridGen(theta)


# ----------------------------------------------------------------------------------------------------
# ALIAS generator
# ----------------------------------------------------------------------------------------------------
# Parameter-free normalisation is the release's nn.InstanceNorm2d (F.instance_norm, so the same float
# rounding). The legacy ONNX exporter needs the channel count, which it loses after the size-matching
# resizes of the ALIAS blocks; export/symbolics.py lets the graph read it at run time instead.


class MaskNorm(nn.Module):
    """Instance-normalize foreground and background of `mask` separately (misalignment-aware)."""

    def __init__(self, norm_nc: int) -> None:
        super().__init__()
        self.norm_layer = nn.InstanceNorm2d(norm_nc)

    def _normalize_region(self, region: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Instance-normalize the masked region only, scaled by its area share."""
        h, w = region.shape[2:]
        num_pixels = mask.sum((2, 3), keepdim=True)
        num_pixels = torch.where(num_pixels == 0, torch.ones_like(num_pixels), num_pixels)
        mean = region.sum((2, 3), keepdim=True) / num_pixels
        # Fill the outside with the region mean so it does not shift the statistics, then rescale the
        # variance to the region's share of the image.
        normalized = self.norm_layer(region + (1 - mask) * mean)
        return normalized * torch.sqrt(num_pixels / (h * w))

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Sum of the separately normalized inside and outside of `mask`."""
        mask = mask.detach()
        return self._normalize_region(x * mask, mask) + self._normalize_region(x * (1 - mask), 1 - mask)


class ALIASNorm(nn.Module):
    """Noise, parameter-free norm (instance or mask), then SPADE-style modulation from the parse map."""

    def __init__(self, norm_nc: int, label_nc: int, use_mask_norm: bool, use_noise: bool = True) -> None:
        super().__init__()
        self.use_noise = use_noise
        self.noise_scale = nn.Parameter(torch.zeros(norm_nc))
        self.param_free_norm: nn.Module = MaskNorm(norm_nc) if use_mask_norm else nn.InstanceNorm2d(norm_nc)
        self.conv_shared = nn.Sequential(nn.Conv2d(label_nc, ALIAS_HIDDEN, 3, padding=1), nn.ReLU())
        self.conv_gamma = nn.Conv2d(ALIAS_HIDDEN, norm_nc, 3, padding=1)
        self.conv_beta = nn.Conv2d(ALIAS_HIDDEN, norm_nc, 3, padding=1)

    @staticmethod
    def draw_noise(x: torch.Tensor) -> torch.Tensor:
        """Standard-normal draws [N, 1, H, W] for x, as the release draws them at inference.

        One draw per pixel, shared by all channels, drawn in (N, W, H) order and the default dtype like the
        release, so a seeded CPU generator reproduces it at any precision of x; follows x's device instead
        of forcing CUDA.
        """
        n, _, h, w = x.shape
        return torch.randn(n, w, h, 1, device=x.device).transpose(1, 3).to(x.dtype)

    def forward(
        self,
        x: torch.Tensor,
        seg: torch.Tensor,
        misalign_mask: torch.Tensor | None = None,
        noise: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Normalize x plus its scaled noise, then scale/shift it per pixel with gamma/beta from `seg`.

        `noise` [N, 1, H, W] gives the standard-normal draws (an exported graph takes them as an input);
        without it they are drawn here when `use_noise`, else the noise is left out.
        """
        if noise is None and self.use_noise:
            noise = self.draw_noise(x)
        if noise is not None:
            x = x + noise * self.noise_scale.view(1, -1, 1, 1)
        normalized = (
            self.param_free_norm(x) if misalign_mask is None else self.param_free_norm(x, misalign_mask)
        )
        hidden = self.conv_shared(seg)
        return normalized * (1 + self.conv_gamma(hidden)) + self.conv_beta(hidden)


class ALIASResBlock(nn.Module):
    """Residual block of two spectral-normed 3x3 convs, each after ALIASNorm + LeakyReLU(0.2)."""

    def __init__(
        self, input_nc: int, output_nc: int, semantic_nc: int, use_mask_norm: bool, use_noise: bool
    ) -> None:
        super().__init__()
        self.learned_shortcut = input_nc != output_nc
        middle_nc = min(input_nc, output_nc)
        self.conv_0 = spectral_norm(nn.Conv2d(input_nc, middle_nc, 3, padding=1))
        self.conv_1 = spectral_norm(nn.Conv2d(middle_nc, output_nc, 3, padding=1))
        if self.learned_shortcut:
            self.conv_s = spectral_norm(nn.Conv2d(input_nc, output_nc, 1, bias=False))
        # Mask-normed blocks also see the misalignment mask as one extra label channel.
        label_nc = semantic_nc + 1 if use_mask_norm else semantic_nc
        self.norm_0 = ALIASNorm(input_nc, label_nc, use_mask_norm, use_noise)
        self.norm_1 = ALIASNorm(middle_nc, label_nc, use_mask_norm, use_noise)
        if self.learned_shortcut:
            self.norm_s = ALIASNorm(input_nc, label_nc, use_mask_norm, use_noise)

    @property
    def noise_maps(self) -> int:
        """How many noise maps the block adds (one per ALIASNorm), all at its input's size."""
        return 3 if self.learned_shortcut else 2

    def forward(
        self,
        x: torch.Tensor,
        seg: torch.Tensor,
        misalign_mask: torch.Tensor | None = None,
        noise: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """x + residual, both conditioned on `seg` resized (nearest) to x.

        `noise` [N, noise_maps, H, W]: the norms' draws in the release's drawing order (norm_s, norm_0,
        norm_1); without it each norm draws its own.
        """
        seg = F.interpolate(seg, size=x.shape[2:], mode="nearest")
        if misalign_mask is not None:
            misalign_mask = F.interpolate(misalign_mask, size=x.shape[2:], mode="nearest")
        draws: list[torch.Tensor | None] = [None] * self.noise_maps if noise is None else [*noise.split(1, dim=1)]
        *noise_s, noise_0, noise_1 = draws  # the shortcut's draw comes first, when there is a shortcut
        shortcut = self.conv_s(self.norm_s(x, seg, misalign_mask, *noise_s)) if self.learned_shortcut else x
        dx = self.conv_0(F.leaky_relu(self.norm_0(x, seg, misalign_mask, noise_0), LEAKY_SLOPE))
        dx = self.conv_1(F.leaky_relu(self.norm_1(dx, seg, misalign_mask, noise_1), LEAKY_SLOPE))
        return shortcut + dx


class ALIASGenerator(nn.Module):
    """Coarse-to-fine image generator conditioned on the parse map and the misalignment mask.

    Official `ALIASGenerator(opt, input_nc=9)` with semantic_nc=7 and num_upsampling_layers='most'.
    Every ALIASNorm adds per-pixel Gaussian noise scaled by its trained `noise_scale`, as the release does
    at inference: drawn inside, or given as one flat `noise` tensor (`noise_shapes` says its layout).
    `use_noise=False` leaves the noise out when none is given.
    """

    def __init__(
        self,
        input_nc: int = 9,
        semantic_nc: int = ALIAS_SEMANTIC_NC,
        load_height: int = LOAD_HEIGHT,
        load_width: int = LOAD_WIDTH,
        ngf: int = NGF,
        use_noise: bool = True,
    ) -> None:
        super().__init__()
        self.latent_height = load_height // 2**ALIAS_UPSAMPLINGS
        self.latent_width = load_width // 2**ALIAS_UPSAMPLINGS
        feat = ALIAS_FEATURE_CH

        # Input pyramid: one conv per scale, the coarsest one wide enough to start the generator.
        self.conv_0 = nn.Conv2d(input_nc, ngf * 16, 3, padding=1)
        for scale in range(1, ALIAS_UPSAMPLINGS + 1):
            self.add_module(f"conv_{scale}", nn.Conv2d(input_nc, feat, 3, padding=1))

        def block(in_ch: int, out_ch: int, use_mask_norm: bool = True) -> ALIASResBlock:
            """ALIASResBlock with the generator's shared settings."""
            return ALIASResBlock(in_ch, out_ch, semantic_nc, use_mask_norm, use_noise)

        self.head_0 = block(ngf * 16, ngf * 16)
        self.G_middle_0 = block(ngf * 16 + feat, ngf * 16)
        self.G_middle_1 = block(ngf * 16 + feat, ngf * 16)
        self.up_0 = block(ngf * 16 + feat, ngf * 8)
        self.up_1 = block(ngf * 8 + feat, ngf * 4)
        # Fine scales: plain instance norm, the misalignment only matters at the coarse ones.
        self.up_2 = block(ngf * 4 + feat, ngf * 2, use_mask_norm=False)
        self.up_3 = block(ngf * 2 + feat, ngf, use_mask_norm=False)
        self.up_4 = block(ngf + feat, ngf // 2, use_mask_norm=False)
        self.conv_img = nn.Conv2d(ngf // 2, 3, 3, padding=1)

    def _blocks(self) -> tuple[ALIASResBlock, ...]:
        """The residual blocks, coarse to fine (one per scale)."""
        return (self.head_0, self.G_middle_0, self.G_middle_1, self.up_0, self.up_1, self.up_2, self.up_3,
                self.up_4)

    def noise_shapes(self) -> list[tuple[int, int, int]]:
        """(maps, height, width) of each block's noise, coarse to fine: the flat `noise` input holds them in
        this order, each block's maps row-major one after the other."""
        return [(block.noise_maps, self.latent_height * 2**scale, self.latent_width * 2**scale)
                for scale, block in enumerate(self._blocks())]

    def _split_noise(self, noise: torch.Tensor | None) -> list[torch.Tensor | None]:
        """Each block's [N, maps, H, W] part of the flat noise [N, sum(maps * H * W)] (or None each)."""
        if noise is None:
            return [None] * ALIAS_NOISE_BLOCKS
        parts: list[torch.Tensor | None] = []
        offset = 0
        for maps, height, width in self.noise_shapes():
            size = maps * height * width
            parts.append(noise[:, offset : offset + size].reshape(-1, maps, height, width))
            offset += size
        return parts

    def _input_features(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The input resized (nearest) to every generator scale, each through its own conv."""
        features = []
        for scale in range(ALIAS_UPSAMPLINGS + 1):
            size = (self.latent_height * 2**scale, self.latent_width * 2**scale)
            conv = getattr(self, f"conv_{scale}")
            features.append(conv(F.interpolate(x, size=size, mode="nearest")))
        return features

    def forward(
        self,
        x: torch.Tensor,
        seg: torch.Tensor,
        seg_div: torch.Tensor,
        misalign_mask: torch.Tensor,
        noise: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Try-on image [N, 3, load_height, load_width] in [-1, 1]; `noise` as `noise_shapes` lays it out."""
        features = self._input_features(x)
        draws = self._split_noise(noise)
        out = self.head_0(features[0], seg_div, misalign_mask, draws[0])
        out = self.G_middle_0(torch.cat((_up(out), features[1]), 1), seg_div, misalign_mask, draws[1])
        out = self.G_middle_1(torch.cat((_up(out), features[2]), 1), seg_div, misalign_mask, draws[2])
        out = self.up_0(torch.cat((_up(out), features[3]), 1), seg_div, misalign_mask, draws[3])
        out = self.up_1(torch.cat((_up(out), features[4]), 1), seg_div, misalign_mask, draws[4])
        out = self.up_2(torch.cat((_up(out), features[5]), 1), seg, None, draws[5])
        out = self.up_3(torch.cat((_up(out), features[6]), 1), seg, None, draws[6])
        out = self.up_4(torch.cat((_up(out), features[7]), 1), seg, None, draws[7])
        return torch.tanh(self.conv_img(F.leaky_relu(out, LEAKY_SLOPE)))


def _up(x: torch.Tensor) -> torch.Tensor:
    """Nearest-neighbour x2 upsampling."""
    return F.interpolate(x, scale_factor=2, mode="nearest")


# ----------------------------------------------------------------------------------------------------
# Spectral-norm folding for export
# ----------------------------------------------------------------------------------------------------
def spectral_normalized_weight(
    weight_orig: torch.Tensor, weight_u: torch.Tensor, weight_v: torch.Tensor
) -> torch.Tensor:
    """weight_orig / sigma with sigma = u . (W v): what an eval-mode spectral-normed conv uses."""
    sigma = torch.dot(weight_u, weight_orig.flatten(1) @ weight_v)
    return weight_orig / sigma


def _tensor(module: nn.Module, name: str) -> torch.Tensor:
    """The tensor attribute `name` of `module` (typed access)."""
    value = getattr(module, name)
    assert isinstance(value, torch.Tensor)
    return value


def fold_spectral_norm(module: nn.Module) -> int:
    """Replace every spectral-normed weight under `module` by its plain eval-mode value; returns count.

    After folding, the convs are ordinary nn.Conv2d (state_dict key '<conv>.weight'), so ONNX export
    sees no power-iteration hook and no weight_orig/u/v; outputs in eval mode are unchanged.
    """
    folded = 0
    for sub in list(module.modules()):
        if not any(isinstance(hook, SpectralNorm) for hook in sub._forward_pre_hooks.values()):
            continue
        with torch.no_grad():
            weight = spectral_normalized_weight(
                _tensor(sub, "weight_orig"), _tensor(sub, "weight_u"), _tensor(sub, "weight_v")
            )
        remove_spectral_norm(sub)  # drops the hook and the weight_orig/u/v entries
        with torch.no_grad():
            _tensor(sub, "weight").copy_(weight)
        folded += 1
    return folded
