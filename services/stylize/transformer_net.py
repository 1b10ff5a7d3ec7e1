"""Johnson et al. 2016 ("Perceptual Losses for Real-Time Style Transfer") feed-forward style network,
in the layout of pytorch/examples fast_neural_style (tests/assets/checkpoint-layouts/
fast_neural_style_transformer_net.json).

Three reflection-padded down convs, five residual blocks, two nearest-upsample convs and a 9x9 output
conv, with affine InstanceNorm (no running stats). Old released .pth files also carry deprecated
InstanceNorm running stats; export/checkpoints.py (FAST_NEURAL_STYLE) drops them before loading.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

WIDTHS = (32, 64, 128)
EDGE_KERNEL = 9  # first and last conv
KERNEL = 3
NUM_RESIDUAL_BLOCKS = 5
UPSAMPLE_FACTOR = 2


class ConvLayer(nn.Module):
    """Reflection padding ('same' size at stride 1) then conv; key '<name>.conv2d'."""

    def __init__(self, in_ch: int, out_ch: int, kernel_size: int, stride: int = 1) -> None:
        super().__init__()
        self.reflection_pad = nn.ReflectionPad2d(kernel_size // 2)
        self.conv2d = nn.Conv2d(in_ch, out_ch, kernel_size, stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Pad, then convolve."""
        return self.conv2d(self.reflection_pad(x))


class UpsampleConvLayer(ConvLayer):
    """Nearest upsampling then ConvLayer: avoids the checkerboard artifacts of transposed convs."""

    def __init__(self, in_ch: int, out_ch: int, kernel_size: int, upsample: int = UPSAMPLE_FACTOR) -> None:
        super().__init__(in_ch, out_ch, kernel_size)
        self.upsample = upsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Upsample, pad, convolve."""
        return super().forward(F.interpolate(x, scale_factor=self.upsample, mode="nearest"))


class ResidualBlock(nn.Module):
    """x + IN(conv(ReLU(IN(conv(x))))), no activation after the sum."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = ConvLayer(channels, channels, KERNEL)
        self.in1 = nn.InstanceNorm2d(channels, affine=True)
        self.conv2 = ConvLayer(channels, channels, KERNEL)
        self.in2 = nn.InstanceNorm2d(channels, affine=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Add the residual."""
        out = F.relu(self.in1(self.conv1(x)))
        return x + self.in2(self.conv2(out))


class TransformerNet(nn.Module):
    """Official `TransformerNet()`: RGB in [0, 255] -> stylized RGB (unclamped, roughly [0, 255])."""

    def __init__(self) -> None:
        super().__init__()
        w1, w2, w3 = WIDTHS
        self.conv1 = ConvLayer(3, w1, EDGE_KERNEL)
        self.in1 = nn.InstanceNorm2d(w1, affine=True)
        self.conv2 = ConvLayer(w1, w2, KERNEL, stride=2)
        self.in2 = nn.InstanceNorm2d(w2, affine=True)
        self.conv3 = ConvLayer(w2, w3, KERNEL, stride=2)
        self.in3 = nn.InstanceNorm2d(w3, affine=True)
        self.res1 = ResidualBlock(w3)
        self.res2 = ResidualBlock(w3)
        self.res3 = ResidualBlock(w3)
        self.res4 = ResidualBlock(w3)
        self.res5 = ResidualBlock(w3)
        self.deconv1 = UpsampleConvLayer(w3, w2, KERNEL)
        self.in4 = nn.InstanceNorm2d(w2, affine=True)
        self.deconv2 = UpsampleConvLayer(w2, w1, KERNEL)
        self.in5 = nn.InstanceNorm2d(w1, affine=True)
        self.deconv3 = ConvLayer(w1, 3, EDGE_KERNEL)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Stylized image at the input size (sides multiples of 4 keep it exact)."""
        y = F.relu(self.in1(self.conv1(x)))
        y = F.relu(self.in2(self.conv2(y)))
        y = F.relu(self.in3(self.conv3(y)))
        y = self.res5(self.res4(self.res3(self.res2(self.res1(y)))))
        y = F.relu(self.in4(self.deconv1(y)))
        y = F.relu(self.in5(self.deconv2(y)))
        return self.deconv3(y)
