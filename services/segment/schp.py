"""SCHP human parser (Li et al. 2020, "Self-Correction for Human Parsing"): the augmented CE2P network.

A dilated ResNet-101 (output stride 16, deep 3-conv stem) feeds three heads, as in CE2P (Liu et al.
2019): a pyramid-pooling context module plus a decoder for the parsing logits, an edge branch on three
backbone levels, and a fusion head over both that gives the final logits. All outputs are at stride 4.

Names follow the official checkpoints (tests/assets/checkpoint-layouts/schp_resnet101_*.json; the
released files add 'module.', see export/checkpoints.py SCHP), including the official spelling 'fushion'.
"""

from __future__ import annotations

from typing import Any, Literal

import torch
import torch.nn.functional as F
from torch import nn

from .labels import SCHP_LABELS

RESNET101_BLOCKS = (3, 4, 23, 3)
BOTTLENECK_EXPANSION = 4
STEM_CHANNELS = (64, 64, 128)
STAGE_WIDTHS = (64, 128, 256, 512)
PSP_BIN_SIZES = (1, 2, 3, 6)
CONTEXT_CHANNELS = 512
HEAD_CHANNELS = 256
DECODER_SKIP_CHANNELS = 48
EDGE_CLASSES = 2
LEAKY_SLOPE = 0.01  # InPlaceABNSync default
FUSION_DROPOUT = 0.1

Activation = Literal["none", "leaky_relu"]


class ActivatedBatchNorm(nn.BatchNorm2d):
    """Stand-in for mapillary's InPlaceABNSync: BatchNorm, then an optional fused LeakyReLU.

    Same parameters/buffers as the original (weight, bias, running_mean, running_var) and, like it,
    no num_batches_tracked buffer, so its state_dict matches the released checkpoints key for key.
    """

    def __init__(self, num_features: int, activation: Activation = "leaky_relu") -> None:
        super().__init__(num_features)
        self.activation = activation
        self.register_buffer("num_batches_tracked", None)

    def _load_from_state_dict(
        self,
        state_dict: dict[str, Any],
        prefix: str,
        local_metadata: dict[str, Any],
        strict: bool,
        missing_keys: list[str],
        unexpected_keys: list[str],
        error_msgs: list[str],
    ) -> None:
        """Load like any module, without BatchNorm's num_batches_tracked back-fill."""
        # Skip BatchNorm's loader: it would invent a num_batches_tracked entry that this module lacks.
        nn.Module._load_from_state_dict(
            self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Normalize, then activate (not in place: callers may still hold the input)."""
        x = super().forward(x)
        if self.activation == "leaky_relu":
            return F.leaky_relu(x, LEAKY_SLOPE)
        return x


def _plain_bn(channels: int) -> ActivatedBatchNorm:
    """The backbone's norms: InPlaceABNSync with activation='none' (ReLU applied separately)."""
    return ActivatedBatchNorm(channels, activation="none")


def _conv_abn(in_ch: int, out_ch: int, kernel_size: int = 1) -> nn.Sequential:
    """Bias-free conv + BatchNorm + LeakyReLU; keys '<i>.0' (conv) and '<i>.1' (norm)."""
    return nn.Sequential(
        nn.Conv2d(in_ch, out_ch, kernel_size, padding=kernel_size // 2, bias=False),
        ActivatedBatchNorm(out_ch),
    )


def _resize(x: torch.Tensor, size: torch.Size | tuple[int, int]) -> torch.Tensor:
    """Bilinear resize with align_corners=True."""
    # CE2P resizes every branch with align_corners=True; keep it so the weights see what they were trained on.
    return F.interpolate(x, size=size, mode="bilinear", align_corners=True)


class Bottleneck(nn.Module):
    """ResNet bottleneck (1x1 -> 3x3 -> 1x1, x4 expansion) with optional dilation and projection."""

    def __init__(self, in_ch: int, width: int, stride: int = 1, dilation: int = 1) -> None:
        super().__init__()
        out_ch = width * BOTTLENECK_EXPANSION
        self.conv1 = nn.Conv2d(in_ch, width, 1, bias=False)
        self.bn1 = _plain_bn(width)
        self.conv2 = nn.Conv2d(
            width, width, 3, stride=stride, padding=dilation, dilation=dilation, bias=False
        )
        self.bn2 = _plain_bn(width)
        self.conv3 = nn.Conv2d(width, out_ch, 1, bias=False)
        self.bn3 = _plain_bn(out_ch)
        self.downsample: nn.Module | None = None
        if stride != 1 or in_ch != out_ch:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_ch, out_ch, 1, stride=stride, bias=False), _plain_bn(out_ch)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Residual bottleneck: relu(bn3(conv3(...)) + shortcut)."""
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        shortcut = x if self.downsample is None else self.downsample(x)
        return F.relu(out + shortcut)


def _resnet_stage(in_ch: int, width: int, blocks: int, stride: int, dilation: int) -> nn.Sequential:
    """`blocks` bottlenecks; only the first one strides / projects."""
    out_ch = width * BOTTLENECK_EXPANSION
    layers = [Bottleneck(in_ch, width, stride, dilation)]
    layers += [Bottleneck(out_ch, width, dilation=dilation) for _ in range(blocks - 1)]
    return nn.Sequential(*layers)


def _bin_averages(size: int, bins: int, like: torch.Tensor) -> torch.Tensor:
    """[bins, size] matrix averaging adaptive pooling's bin i: floor(i*size/bins) .. ceil((i+1)*size/bins)."""
    spans = [((i * size) // bins, -(-(i + 1) * size // bins)) for i in range(bins)]
    # Built from Python numbers, so an export records it as a constant.
    rows = [[1.0 / (end - start) if start <= j < end else 0.0 for j in range(size)] for start, end in spans]
    return torch.tensor(rows, dtype=like.dtype, device=like.device)


class AdaptiveAvgPool(nn.Module):
    """nn.AdaptiveAvgPool2d as two averaging matmuls, the same bins and means.

    The ONNX exporter only handles output sizes that divide the input; ATR's and Pascal's 512x512 input
    gives 32x32 features, which the 3- and 6-bin pyramid levels do not divide.
    """

    def __init__(self, bins: int) -> None:
        super().__init__()
        self.bins = bins

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """[N, C, H, W] -> [N, C, bins, bins]."""
        rows = _bin_averages(int(x.shape[2]), self.bins, x)
        cols = _bin_averages(int(x.shape[3]), self.bins, x)
        return torch.matmul(torch.matmul(rows, x), cols.T)


class PyramidPooling(nn.Module):
    """PSP context: pool to 1/2/3/6 bins, project, upsample, concatenate with the input, fuse by 3x3."""

    def __init__(
        self, in_ch: int, out_ch: int = CONTEXT_CHANNELS, bins: tuple[int, ...] = PSP_BIN_SIZES
    ) -> None:
        super().__init__()
        # Keys stages.<i>.1 (conv) / stages.<i>.2 (norm): index 0 is the parameter-free pooling.
        self.stages = nn.ModuleList(
            nn.Sequential(AdaptiveAvgPool(size), *_conv_abn(in_ch, out_ch)) for size in bins
        )
        self.bottleneck = _conv_abn(in_ch + len(bins) * out_ch, out_ch, kernel_size=3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Concatenate the pooled priors with the features and fuse them."""
        priors = [_resize(stage(x), x.shape[2:]) for stage in self.stages]
        return self.bottleneck(torch.cat([*priors, x], 1))


class EdgeBranch(nn.Module):
    """Edge logits from three backbone levels through one shared 3x3 classifier, plus their features."""

    def __init__(self, in_channels: tuple[int, int, int], mid_ch: int = HEAD_CHANNELS) -> None:
        super().__init__()
        self.conv1 = _conv_abn(in_channels[0], mid_ch)
        self.conv2 = _conv_abn(in_channels[1], mid_ch)
        self.conv3 = _conv_abn(in_channels[2], mid_ch)
        self.conv4 = nn.Conv2d(mid_ch, EDGE_CLASSES, 3, padding=1)  # shared by the three levels
        self.conv5 = nn.Conv2d(3 * EDGE_CLASSES, EDGE_CLASSES, 1)

    def forward(
        self, x1: torch.Tensor, x2: torch.Tensor, x3: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(edge logits, edge features), both at the resolution of `x1`."""
        size = x1.shape[2:]
        fea1, fea2, fea3 = self.conv1(x1), self.conv2(x2), self.conv3(x3)
        edges = [_resize(self.conv4(fea), size) for fea in (fea1, fea2, fea3)]
        features = [fea1, _resize(fea2, size), _resize(fea3, size)]
        return self.conv5(torch.cat(edges, 1)), torch.cat(features, 1)


class ParsingDecoder(nn.Module):
    """Upsample the context features to stride 4 and refine them with a low-level skip."""

    def __init__(self, num_classes: int, low_ch: int = STAGE_WIDTHS[0] * BOTTLENECK_EXPANSION) -> None:
        super().__init__()
        self.conv1 = _conv_abn(CONTEXT_CHANNELS, HEAD_CHANNELS)
        self.conv2 = _conv_abn(low_ch, DECODER_SKIP_CHANNELS)
        self.conv3 = nn.Sequential(
            *_conv_abn(HEAD_CHANNELS + DECODER_SKIP_CHANNELS, HEAD_CHANNELS),
            *_conv_abn(HEAD_CHANNELS, HEAD_CHANNELS),
        )
        self.conv4 = nn.Conv2d(HEAD_CHANNELS, num_classes, 1)

    def forward(self, context: torch.Tensor, low: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(parsing logits, decoder features) at the resolution of `low`."""
        top = _resize(self.conv1(context), low.shape[2:])
        features = self.conv3(torch.cat([top, self.conv2(low)], 1))
        return self.conv4(features), features


SCHPOutput = tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor]]


class SCHPResNet101(nn.Module):
    """Augmented CE2P with a ResNet-101 backbone; official `networks.init_model('resnet101', num_classes)`."""

    def __init__(self, num_classes: int) -> None:
        super().__init__()
        c1, c2, c3 = STEM_CHANNELS
        # Deep stem: three 3x3 convs (the first strides) instead of one 7x7.
        self.conv1 = nn.Conv2d(3, c1, 3, stride=2, padding=1, bias=False)
        self.bn1 = _plain_bn(c1)
        self.conv2 = nn.Conv2d(c1, c2, 3, padding=1, bias=False)
        self.bn2 = _plain_bn(c2)
        self.conv3 = nn.Conv2d(c2, c3, 3, padding=1, bias=False)
        self.bn3 = _plain_bn(c3)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)

        w1, w2, w3, w4 = STAGE_WIDTHS
        b1, b2, b3, b4 = RESNET101_BLOCKS
        e = BOTTLENECK_EXPANSION
        self.layer1 = _resnet_stage(c3, w1, b1, stride=1, dilation=1)
        self.layer2 = _resnet_stage(w1 * e, w2, b2, stride=2, dilation=1)
        self.layer3 = _resnet_stage(w2 * e, w3, b3, stride=2, dilation=1)
        # Last stage dilated instead of strided: output stride 16 keeps detail for small parts.
        self.layer4 = _resnet_stage(w3 * e, w4, b4, stride=1, dilation=2)

        self.context_encoding = PyramidPooling(w4 * e)
        self.edge = EdgeBranch((w1 * e, w2 * e, w3 * e))
        self.decoder = ParsingDecoder(num_classes, w1 * e)
        # Keys fushion.0 (conv), .1 (norm), .3 (classifier); .2 is the parameter-free dropout.
        self.fushion = nn.Sequential(
            *_conv_abn(HEAD_CHANNELS * 4, HEAD_CHANNELS),
            nn.Dropout2d(FUSION_DROPOUT),
            nn.Conv2d(HEAD_CHANNELS, num_classes, 1),
        )

    def forward(self, x: torch.Tensor) -> SCHPOutput:
        """((parsing logits, fusion logits), (edge logits,)), all at stride 4 of the input."""
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        x = F.relu(self.bn3(self.conv3(x)))
        x2 = self.layer1(self.maxpool(x))
        x3 = self.layer2(x2)
        x4 = self.layer3(x3)
        x5 = self.layer4(x4)

        parsing, parsing_features = self.decoder(self.context_encoding(x5), x2)
        edge, edge_features = self.edge(x2, x3, x4)
        fusion = self.fushion(torch.cat([parsing_features, edge_features], 1))
        return (parsing, fusion), (edge,)


def schp_resnet101(dataset: Literal["lip", "atr", "pascal"]) -> SCHPResNet101:
    """SCHP parser sized for the label set of `dataset` (20 / 18 / 7 classes)."""
    return SCHPResNet101(len(SCHP_LABELS[dataset]))


class SCHPFusionLogits(nn.Module):
    """Export wrapper: only the fusion logits, the output the official extractor uses."""

    def __init__(self, net: SCHPResNet101) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Fusion logits [N, classes, H/4, W/4]."""
        (_, fusion), _ = self.net(x)
        return fusion
