"""DAFlow try-on network (Bai et al. 2022, "Single Stage Virtual Try-on via Deformable Attention Flows").

Two pyramid encoders (cloth = source, person representation = reference) feed a coarse-to-fine flow
estimator. At every level it predicts K sampling flows per branch plus attention over them
("deformable attention flow"), composes them with the flows of the coarser level, and finally warps
both RGB images (through a shallow 64-channel encoder/decoder) into one try-on image.

Names follow the released ckpt_viton.pt (tests/assets/checkpoint-layouts/daflow_sdafnet_tryon.json),
which loads with no key mapping. Flows are stored as normalized sampling grids [-1, 1] laid out
channels-first, [N*K, 2, H, W]; every grid_sample uses bilinear, border padding, align_corners=False
like the release (grid_sample needs ONNX opset >= 16).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

ENCODER_CHANNELS = (64, 128, 256, 256, 256)  # one pyramid level per entry, each /2
FPN_DIM = 256
NUM_HEADS = 6  # K: flows (and attention maps) per branch and level
MFE_FILTERS = (128, 64, 32)
SELF_MFE_KERNEL = 7  # the reference (self) branch looks wider: the person moves more than the cloth
MFE_KERNEL = 3
MFE_SLOPE = 0.1
LIGHT_CHANNELS = (32, 64)  # shallow RGB <-> feature projection around the final warp


class DownBlock(nn.Module):
    """Pre-activation stride-2 conv: BN, ReLU, 3x3 conv (no bias)."""

    def __init__(self, in_ch: int, out_ch: int) -> None:
        super().__init__()
        self.block = nn.Sequential(
            nn.BatchNorm2d(in_ch), nn.ReLU(), nn.Conv2d(in_ch, out_ch, 3, stride=2, padding=1, bias=False)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Halve the resolution."""
        return self.block(x)


class ResidualBlock(nn.Module):
    """Pre-activation residual block: x + (BN, ReLU, conv) x 2."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.block = nn.Sequential(
            nn.BatchNorm2d(channels), nn.ReLU(), nn.Conv2d(channels, channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(channels), nn.ReLU(), nn.Conv2d(channels, channels, 3, padding=1, bias=False),
        )  # fmt: skip

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Add the residual."""
        return x + self.block(x)


class FeatureEncoder(nn.Module):
    """Five levels of (downsample, 2 residual blocks); returns every level, finest first."""

    def __init__(self, in_ch: int, channels: tuple[int, ...] = ENCODER_CHANNELS) -> None:
        super().__init__()
        ins = (in_ch, *channels[:-1])
        self.encoders = nn.ModuleList(
            nn.Sequential(DownBlock(i, o), ResidualBlock(o), ResidualBlock(o))
            for i, o in zip(ins, channels, strict=True)
        )

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Features at 1/2 .. 1/32 of the input."""
        features = []
        for encoder in self.encoders:
            x = encoder(x)
            features.append(x)
        return features


class RefinePyramid(nn.Module):
    """FPN: 1x1 lateral convs, top-down nearest upsampling, 3x3 smoothing; all levels FPN_DIM wide."""

    def __init__(self, channels: tuple[int, ...] = ENCODER_CHANNELS, fpn_dim: int = FPN_DIM) -> None:
        super().__init__()
        # Both lists are ordered coarsest first, the order forward() walks the pyramid in.
        self.adaptive = nn.ModuleList(nn.Conv2d(c, fpn_dim, 1) for c in reversed(channels))
        self.smooth = nn.ModuleList(nn.Conv2d(fpn_dim, fpn_dim, 3, padding=1) for _ in channels)

    def forward(self, features: list[torch.Tensor]) -> list[torch.Tensor]:
        """Refined features, finest first (same order as the input)."""
        refined: list[torch.Tensor] = []
        for lateral, smooth, feature in zip(self.adaptive, self.smooth, reversed(features), strict=True):
            x = lateral(feature)
            if refined:
                x = x + F.interpolate(refined[-1], scale_factor=2, mode="nearest")
            refined.append(smooth(x))
        return refined[::-1]


class MultiFlowEstimator(nn.Module):
    """MFE: conv stack predicting per-head flow offsets (and attention logits) from paired features."""

    def __init__(self, in_ch: int, out_ch: int, kernel_size: int = MFE_KERNEL) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        prev = in_ch
        for index, width in enumerate(MFE_FILTERS):
            k = MFE_KERNEL if index == 0 else kernel_size  # the first conv is always 3x3
            layers += [nn.Conv2d(prev, width, k, padding=k // 2), nn.LeakyReLU(MFE_SLOPE)]
            prev = width
        layers.append(nn.Conv2d(prev, out_ch, kernel_size, padding=kernel_size // 2))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Raw predictions [N, out_ch, H, W]."""
        return self.layers(x)


def offsets_to_grid(offsets: torch.Tensor) -> torch.Tensor:
    """Pixel offsets [M, 2, H, W] (dx, dy) -> normalized sampling grid [M, H, W, 2]."""
    h, w = offsets.shape[2:]
    ys = torch.arange(h, device=offsets.device, dtype=offsets.dtype).view(1, h, 1)
    xs = torch.arange(w, device=offsets.device, dtype=offsets.dtype).view(1, 1, w)
    # Normalized with the corner convention (-1 at pixel 0, +1 at pixel size-1), as trained.
    grid_x = (xs + offsets[:, 0]) / ((w - 1) / 2) - 1
    grid_y = (ys + offsets[:, 1]) / ((h - 1) / 2) - 1
    return torch.stack((grid_x, grid_y), -1)


def _sample(x: torch.Tensor, grid: torch.Tensor) -> torch.Tensor:
    """grid_sample as trained: bilinear, border padding, align_corners=False."""
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)


def _resize(x: torch.Tensor, size: tuple[int, int] | torch.Size) -> torch.Tensor:
    """Bilinear resize to `size` (align_corners=False)."""
    return F.interpolate(x, size=size, mode="bilinear", align_corners=False)


def _upsample2(x: torch.Tensor) -> torch.Tensor:
    """Bilinear x2 upsampling (align_corners=False)."""
    return F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)


def attention_warp(feature: torch.Tensor, flows: torch.Tensor, attention: torch.Tensor) -> torch.Tensor:
    """Warp `feature` [N, C, H, W] with K flows [N*K, 2, H, W], blend by attention [N, K, H, W]."""
    n, c, h, w = feature.shape
    heads = attention.shape[1]
    copies = feature.repeat_interleave(heads, 0)  # row n*K + k is feature n, warped by flow k
    warped = _sample(copies, flows.permute(0, 2, 3, 1)).view(n, heads, c, h, w)
    return (warped * attention.unsqueeze(2)).sum(1)


class DAFlowNet(nn.Module):
    """Coarse-to-fine deformable attention flows for both branches, then the final RGB warp."""

    def __init__(
        self, num_levels: int = len(ENCODER_CHANNELS), fpn_dim: int = FPN_DIM, heads: int = NUM_HEADS
    ) -> None:
        super().__init__()
        self.heads = heads
        # Self/cross predict 2K offsets + K attention logits; refine predicts both branches' offsets
        # (4K) and one attention over all 2K flows.
        self.Self_MFEs = nn.ModuleList(
            MultiFlowEstimator(2 * fpn_dim, 3 * heads, SELF_MFE_KERNEL) for _ in range(num_levels)
        )
        self.Cross_MFEs = nn.ModuleList(MultiFlowEstimator(2 * fpn_dim, 3 * heads) for _ in range(num_levels))
        self.Refine_MFEs = nn.ModuleList(
            MultiFlowEstimator(2 * fpn_dim, 6 * heads) for _ in range(num_levels)
        )
        hidden, light = LIGHT_CHANNELS
        self.lights_decoder = nn.Sequential(
            nn.Conv2d(light, hidden, 1), nn.LeakyReLU(MFE_SLOPE), nn.Conv2d(hidden, 3, 3, padding=1)
        )
        self.lights_encoder = nn.Sequential(
            nn.Conv2d(3, hidden, 3, padding=1), nn.LeakyReLU(MFE_SLOPE), nn.Conv2d(hidden, light, 1)
        )

    def _grids(self, offsets: torch.Tensor) -> torch.Tensor:
        """[N, 2K, H, W] offsets -> [N*K, H, W, 2] grids (head k uses channels 2k, 2k+1)."""
        h, w = offsets.shape[2:]
        return offsets_to_grid(offsets.reshape(-1, 2, h, w))

    def _predict(
        self, mfe: nn.Module, x: torch.Tensor, previous: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """One branch update: (flows composed with `previous`, attention over the K heads)."""
        out = mfe(x)
        attention = torch.softmax(out[:, 2 * self.heads :], 1)
        grids = self._grids(out[:, : 2 * self.heads])
        # New flows are offsets relative to the current warp: compose by sampling the previous flows.
        flows = grids.permute(0, 3, 1, 2) if previous is None else _sample(previous, grids)
        return flows, attention

    def forward(
        self,
        source_image: torch.Tensor,
        reference_image: torch.Tensor,
        source_feats: list[torch.Tensor],
        reference_feats: list[torch.Tensor],
    ) -> torch.Tensor:
        """Try-on image [N, 3, H, W] from the cloth (source) and person (reference) pyramids."""
        k = self.heads
        cross_flows: torch.Tensor | None = None
        self_flows: torch.Tensor | None = None
        cross_att: torch.Tensor | None = None
        self_att: torch.Tensor | None = None
        levels = zip(reversed(source_feats), reversed(reference_feats), strict=True)  # coarsest first
        for level, (feat_src, feat_ref) in enumerate(levels):
            # Pre-warp both branches with the (upsampled) flows of the coarser level.
            if cross_flows is None or self_flows is None or cross_att is None or self_att is None:
                src, ref = feat_src, feat_ref
            else:
                src = attention_warp(feat_src, cross_flows, cross_att)
                ref = attention_warp(feat_ref, self_flows, self_att)

            cross_flows, cross_att = self._predict(
                self.Cross_MFEs[level], torch.cat((src, feat_ref), 1), cross_flows
            )
            src = attention_warp(feat_src, cross_flows, cross_att)
            self_flows, self_att = self._predict(self.Self_MFEs[level], torch.cat((src, ref), 1), self_flows)
            ref = attention_warp(feat_ref, self_flows, self_att)

            # Refine both branches jointly; one softmax spans the 2K flows of both branches.
            out = self.Refine_MFEs[level](torch.cat((src, ref), 1))
            attention = torch.softmax(out[:, 4 * k :], 1)
            cross_flows = _sample(cross_flows, self._grids(out[:, : 2 * k]))
            self_flows = _sample(self_flows, self._grids(out[:, 2 * k : 4 * k]))

            cross_flows, self_flows = _upsample2(cross_flows), _upsample2(self_flows)
            self_att, cross_att = _upsample2(attention[:, :k]), _upsample2(attention[:, k:])

        assert cross_flows is not None and self_flows is not None
        assert cross_att is not None and self_att is not None
        src_size, ref_size = source_image.shape[2:], reference_image.shape[2:]
        warped_source = attention_warp(
            self.lights_encoder(source_image), _resize(cross_flows, src_size), _resize(cross_att, src_size)
        )
        warped_reference = attention_warp(
            self.lights_encoder(reference_image), _resize(self_flows, ref_size), _resize(self_att, ref_size)
        )
        return self.lights_decoder(warped_source + warped_reference)


class SDAFNetTryOn(nn.Module):
    """Official `SDAFNet_Tryon(ref_in_channel=6)`: source = cloth RGB, reference = pose RGB + agnostic RGB."""

    def __init__(
        self, ref_in_channel: int = 6, source_in_channel: int = 3, head_nums: int = NUM_HEADS
    ) -> None:
        super().__init__()
        self.source_features = FeatureEncoder(source_in_channel)
        self.reference_features = FeatureEncoder(ref_in_channel)
        self.source_FPN = RefinePyramid()
        self.reference_FPN = RefinePyramid()
        self.dafnet = DAFlowNet(heads=head_nums)

    def forward(
        self, ref_input: torch.Tensor, source_image: torch.Tensor, ref_image: torch.Tensor
    ) -> torch.Tensor:
        """Try-on image [N, 3, H, W] in [-1, 1] scale; H and W must be multiples of 32 (>= 64)."""
        reference_feats = self.reference_FPN(self.reference_features(ref_input))
        source_feats = self.source_FPN(self.source_features(source_image))
        return self.dafnet(source_image, ref_image, source_feats, reference_feats)
