"""U^2-Net salient-object / cloth segmentation networks (Qin et al. 2020, "U^2-Net: Going Deeper with
Nested U-Structure for Salient Object Detection").

Module and attribute names follow the released checkpoints (see tests/assets/checkpoint-layouts/
u2net.json, u2netp.json, cloth_segm_u2net.json) so that those state_dicts load without renaming:
every block is a `ReBnConv` with children `conv_s1`/`bn_s1`, the residual U-blocks hold
`rebnconvin`, `rebnconv1..L` and `rebnconv{L-1}d..rebnconv1d`, the net holds `stage1..6`,
`stage5d..stage1d`, `side1..6` and `outconv`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

KERNEL_SIZE = 3
POOL_STRIDE = 2
NUM_SIDE_OUTPUTS = 6
# RSU4F replaces pooling by growing dilation so it keeps the resolution of the deep stages.
DILATED_RATES = (1, 2, 4, 8)

# (depth, mid_channels, out_channels) of the encoder stages; decoder stage k mirrors encoder k.
U2NET_ENCODER = ((7, 32, 64), (6, 32, 128), (5, 64, 256), (4, 128, 512), (4, 256, 512), (4, 256, 512))
U2NET_DECODER = ((4, 256, 512), (4, 128, 256), (5, 64, 128), (6, 32, 64), (7, 16, 64))
U2NETP_MID, U2NETP_OUT = 16, 64


def upsample_like(x: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
    """Bilinearly resize `x` to the spatial size of `reference` (align_corners=False, as trained)."""
    return F.interpolate(x, size=reference.shape[2:], mode="bilinear", align_corners=False)


def _pool(x: torch.Tensor) -> torch.Tensor:
    """2x2 max-pool that rounds odd sizes up."""
    # ceil_mode keeps odd sizes from losing a row; upsample_like restores the exact size afterwards.
    return F.max_pool2d(x, POOL_STRIDE, stride=POOL_STRIDE, ceil_mode=True)


class ReBnConv(nn.Module):
    """3x3 (dilated) conv -> BatchNorm -> ReLU."""

    def __init__(self, in_ch: int, out_ch: int, dilation: int = 1) -> None:
        super().__init__()
        self.conv_s1 = nn.Conv2d(in_ch, out_ch, KERNEL_SIZE, padding=dilation, dilation=dilation)
        self.bn_s1 = nn.BatchNorm2d(out_ch)
        self.relu_s1 = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply conv, norm and activation."""
        return self.relu_s1(self.bn_s1(self.conv_s1(x)))


class ResidualUBlock(nn.Module):
    """RSU-L: a depth-L U-Net inside one stage, added to its input projection (residual)."""

    def __init__(self, depth: int, in_ch: int, mid_ch: int, out_ch: int) -> None:
        super().__init__()
        self.depth = depth
        self.rebnconvin = ReBnConv(in_ch, out_ch)
        # Encoder: rebnconv1..rebnconv{L-1} with pooling in between, rebnconvL dilated at the bottom.
        self.add_module("rebnconv1", ReBnConv(out_ch, mid_ch))
        for level in range(2, depth):
            self.add_module(f"rebnconv{level}", ReBnConv(mid_ch, mid_ch))
        self.add_module(f"rebnconv{depth}", ReBnConv(mid_ch, mid_ch, dilation=2))
        # Decoder: each level fuses the upsampled deeper feature with the skip of the same level.
        for level in range(depth - 1, 1, -1):
            self.add_module(f"rebnconv{level}d", ReBnConv(2 * mid_ch, mid_ch))
        self.add_module("rebnconv1d", ReBnConv(2 * mid_ch, out_ch))

    def _layer(self, name: str) -> ReBnConv:
        """The ReBnConv registered under `name` (typed access to add_module children)."""
        layer = getattr(self, name)
        assert isinstance(layer, ReBnConv)
        return layer

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Encode with pooling, decode with upsampling, add the input projection."""
        hx_in = self.rebnconvin(x)
        skips = [self._layer("rebnconv1")(hx_in)]
        for level in range(2, self.depth):
            skips.append(self._layer(f"rebnconv{level}")(_pool(skips[-1])))
        bottom = self._layer(f"rebnconv{self.depth}")(skips[-1])

        hx = self._layer(f"rebnconv{self.depth - 1}d")(torch.cat((bottom, skips[-1]), 1))
        for level in range(self.depth - 2, 0, -1):
            skip = skips[level - 1]
            hx = self._layer(f"rebnconv{level}d")(torch.cat((upsample_like(hx, skip), skip), 1))
        return hx + hx_in


class DilatedResidualUBlock(nn.Module):
    """RSU-4F: the RSU-4 topology with dilations instead of pooling (for low-resolution stages)."""

    def __init__(self, in_ch: int, mid_ch: int, out_ch: int) -> None:
        super().__init__()
        d1, d2, d4, d8 = DILATED_RATES
        self.rebnconvin = ReBnConv(in_ch, out_ch)
        self.rebnconv1 = ReBnConv(out_ch, mid_ch, dilation=d1)
        self.rebnconv2 = ReBnConv(mid_ch, mid_ch, dilation=d2)
        self.rebnconv3 = ReBnConv(mid_ch, mid_ch, dilation=d4)
        self.rebnconv4 = ReBnConv(mid_ch, mid_ch, dilation=d8)
        self.rebnconv3d = ReBnConv(2 * mid_ch, mid_ch, dilation=d4)
        self.rebnconv2d = ReBnConv(2 * mid_ch, mid_ch, dilation=d2)
        self.rebnconv1d = ReBnConv(2 * mid_ch, out_ch, dilation=d1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Dilated encoder/decoder at constant resolution plus the input projection."""
        hx_in = self.rebnconvin(x)
        hx1 = self.rebnconv1(hx_in)
        hx2 = self.rebnconv2(hx1)
        hx3 = self.rebnconv3(hx2)
        hx4 = self.rebnconv4(hx3)
        hx3d = self.rebnconv3d(torch.cat((hx4, hx3), 1))
        hx2d = self.rebnconv2d(torch.cat((hx3d, hx2), 1))
        hx1d = self.rebnconv1d(torch.cat((hx2d, hx1), 1))
        return hx1d + hx_in


class _U2NetBody(nn.Module):
    """Six encoder stages, five decoder stages, six side heads fused by a 1x1 conv."""

    def __init__(
        self,
        in_ch: int,
        out_ch: int,
        encoder: tuple[tuple[int, int, int], ...],
        decoder: tuple[tuple[int, int, int], ...],
        apply_sigmoid: bool,
    ) -> None:
        super().__init__()
        self.apply_sigmoid = apply_sigmoid
        (d1, m1, o1), (d2, m2, o2), (d3, m3, o3), (d4, m4, o4), (_, m5, o5), (_, m6, o6) = encoder
        (_, m5d, o5d), (d4d, m4d, o4d), (d3d, m3d, o3d), (d2d, m2d, o2d), (d1d, m1d, o1d) = decoder

        self.stage1 = ResidualUBlock(d1, in_ch, m1, o1)
        self.stage2 = ResidualUBlock(d2, o1, m2, o2)
        self.stage3 = ResidualUBlock(d3, o2, m3, o3)
        self.stage4 = ResidualUBlock(d4, o3, m4, o4)
        self.stage5 = DilatedResidualUBlock(o4, m5, o5)
        self.stage6 = DilatedResidualUBlock(o5, m6, o6)
        # Each decoder stage sees the upsampled deeper output concatenated with the encoder skip.
        self.stage5d = DilatedResidualUBlock(o6 + o5, m5d, o5d)
        self.stage4d = ResidualUBlock(d4d, o5d + o4, m4d, o4d)
        self.stage3d = ResidualUBlock(d3d, o4d + o3, m3d, o3d)
        self.stage2d = ResidualUBlock(d2d, o3d + o2, m2d, o2d)
        self.stage1d = ResidualUBlock(d1d, o2d + o1, m1d, o1d)

        self.side1 = nn.Conv2d(o1d, out_ch, KERNEL_SIZE, padding=1)
        self.side2 = nn.Conv2d(o2d, out_ch, KERNEL_SIZE, padding=1)
        self.side3 = nn.Conv2d(o3d, out_ch, KERNEL_SIZE, padding=1)
        self.side4 = nn.Conv2d(o4d, out_ch, KERNEL_SIZE, padding=1)
        self.side5 = nn.Conv2d(o5d, out_ch, KERNEL_SIZE, padding=1)
        self.side6 = nn.Conv2d(o6, out_ch, KERNEL_SIZE, padding=1)
        self.outconv = nn.Conv2d(NUM_SIDE_OUTPUTS * out_ch, out_ch, 1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """Return (d0, d1, ..., d6): fused map first, then the six side outputs, all at input size."""
        hx1 = self.stage1(x)
        hx2 = self.stage2(_pool(hx1))
        hx3 = self.stage3(_pool(hx2))
        hx4 = self.stage4(_pool(hx3))
        hx5 = self.stage5(_pool(hx4))
        hx6 = self.stage6(_pool(hx5))

        hx5d = self.stage5d(torch.cat((upsample_like(hx6, hx5), hx5), 1))
        hx4d = self.stage4d(torch.cat((upsample_like(hx5d, hx4), hx4), 1))
        hx3d = self.stage3d(torch.cat((upsample_like(hx4d, hx3), hx3), 1))
        hx2d = self.stage2d(torch.cat((upsample_like(hx3d, hx2), hx2), 1))
        hx1d = self.stage1d(torch.cat((upsample_like(hx2d, hx1), hx1), 1))

        d1 = self.side1(hx1d)
        d2 = upsample_like(self.side2(hx2d), d1)
        d3 = upsample_like(self.side3(hx3d), d1)
        d4 = upsample_like(self.side4(hx4d), d1)
        d5 = upsample_like(self.side5(hx5d), d1)
        d6 = upsample_like(self.side6(hx6), d1)
        d0 = self.outconv(torch.cat((d1, d2, d3, d4, d5, d6), 1))

        outputs = (d0, d1, d2, d3, d4, d5, d6)
        if self.apply_sigmoid:
            return tuple(torch.sigmoid(d) for d in outputs)
        return outputs


class U2Net(_U2NetBody):
    """Full U^2-Net (176 MB checkpoint): sigmoid saliency maps, official `U2NET(3, 1)`."""

    def __init__(self, in_ch: int = 3, out_ch: int = 1) -> None:
        super().__init__(in_ch, out_ch, U2NET_ENCODER, U2NET_DECODER, apply_sigmoid=True)


class U2NetP(_U2NetBody):
    """Small U^2-Net (4.7 MB checkpoint): every stage 16 mid / 64 out channels, official `U2NETP(3, 1)`."""

    def __init__(self, in_ch: int = 3, out_ch: int = 1) -> None:
        encoder = tuple((depth, U2NETP_MID, U2NETP_OUT) for depth, _, _ in U2NET_ENCODER)
        decoder = tuple((depth, U2NETP_MID, U2NETP_OUT) for depth, _, _ in U2NET_DECODER)
        super().__init__(in_ch, out_ch, encoder, decoder, apply_sigmoid=True)


CLOTH_CLASSES = 4  # background, upper body, lower body, full body


class ClothSegmU2Net(_U2NetBody):
    """cloth-segmentation U^2-Net: 4-class logits (no sigmoid), official `U2NET(in_ch=3, out_ch=4)`."""

    def __init__(self, in_ch: int = 3, out_ch: int = CLOTH_CLASSES) -> None:
        super().__init__(in_ch, out_ch, U2NET_ENCODER, U2NET_DECODER, apply_sigmoid=False)


class U2NetMask(nn.Module):
    """Export wrapper: returns only d0 (the fused map), the output the services consume."""

    def __init__(self, net: _U2NetBody) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Fused mask (or logits for the cloth model) at input resolution."""
        return self.net(x)[0]
