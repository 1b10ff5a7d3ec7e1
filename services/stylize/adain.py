"""AdaIN arbitrary style transfer (Huang & Belongie 2017, "Arbitrary Style Transfer in Real-time with
Adaptive Instance Normalization"): a fixed normalised VGG-19 encoder up to relu4_1, AdaIN on its
features, and a mirrored decoder.

The released vgg_normalised.pth and decoder.pth are flat state_dicts of two nn.Sequential, keyed by
position ('<index>.weight'; see tests/assets/checkpoint-layouts/adain_*.json), so both are built here as
nn.Sequential with the same positions: reflection pad, conv, ReLU for every 3x3 conv, max-pools /
nearest upsamplings in between. Load the full 19-conv encoder, then truncate with `encoder_to_relu4_1`.
"""

from __future__ import annotations

import torch
from torch import nn

# The encoder's first layer is a 1x1 conv 3->3 that folds the original Torch7 input normalisation.
INPUT_PROJECTION = (3, 3)
POOL, UP = "pool", "up"
LayerSpec = tuple[int, int] | str
# 3x3 convs as (in, out): VGG-19 conv1_1 .. conv5_4.
ENCODER_SPEC: tuple[LayerSpec, ...] = (
    (3, 64), (64, 64), POOL,
    (64, 128), (128, 128), POOL,
    (128, 256), (256, 256), (256, 256), (256, 256), POOL,
    (256, 512), (512, 512), (512, 512), (512, 512), POOL,
    (512, 512), (512, 512), (512, 512), (512, 512),
)  # fmt: skip
DECODER_SPEC: tuple[LayerSpec, ...] = (
    (512, 256), UP,
    (256, 256), (256, 256), (256, 256), (256, 128), UP,
    (128, 128), (128, 64), UP,
    (64, 64), (64, 3),
)  # fmt: skip
RELU4_1_END = 31  # number of encoder modules up to and including relu4_1
ADAIN_EPS = 1e-5


def _stack(specs: tuple[LayerSpec, ...], final_relu: bool) -> list[nn.Module]:
    """Reflection-padded 3x3 convs with ReLU, plus pools/upsamplings, in checkpoint positions."""
    layers: list[nn.Module] = []
    for index, spec in enumerate(specs):
        if spec == POOL:
            layers.append(nn.MaxPool2d(2, 2, ceil_mode=True))
        elif spec == UP:
            layers.append(nn.Upsample(scale_factor=2, mode="nearest"))
        else:
            assert not isinstance(spec, str)
            layers += [nn.ReflectionPad2d(1), nn.Conv2d(*spec, 3)]
            if index < len(specs) - 1 or final_relu:
                layers.append(nn.ReLU())
    return layers


def vgg_normalised() -> nn.Sequential:
    """The full released encoder (53 modules, 19 convs), in the layout of vgg_normalised.pth."""
    return nn.Sequential(nn.Conv2d(*INPUT_PROJECTION, 1), *_stack(ENCODER_SPEC, final_relu=True))


def encoder_to_relu4_1(vgg: nn.Sequential) -> nn.Sequential:
    """The part of the (loaded) encoder that AdaIN uses: input projection .. relu4_1."""
    return nn.Sequential(*list(vgg.children())[:RELU4_1_END])


def adain_decoder() -> nn.Sequential:
    """The released decoder (29 modules, 9 convs, no final activation), layout of decoder.pth."""
    return nn.Sequential(*_stack(DECODER_SPEC, final_relu=False))


def _mean_std(feature: torch.Tensor, eps: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-sample, per-channel mean and std (unbiased variance + eps) as [N, C, 1, 1]."""
    flat = feature.flatten(2)
    # Unbiased variance, as the released decoder was trained with.
    mean = flat.mean(2)[..., None, None]
    std = (flat.var(2) + eps).sqrt()[..., None, None]
    return mean, std


def adaptive_instance_norm(
    content: torch.Tensor, style: torch.Tensor, eps: float = ADAIN_EPS
) -> torch.Tensor:
    """Re-normalize content features to the per-channel mean and std of the style features."""
    content_mean, content_std = _mean_std(content, eps)
    style_mean, style_std = _mean_std(style, eps)
    return (content - content_mean) / content_std * style_std + style_mean


class AdaINStyleTransfer(nn.Module):
    """Encoder (to relu4_1) + AdaIN + decoder; `alpha` blends stylized and content features."""

    def __init__(self, encoder: nn.Sequential, decoder: nn.Sequential) -> None:
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder

    def forward(self, content: torch.Tensor, style: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
        """Stylized image [N, 3, H, W] (unclamped); inputs RGB in [0, 1], sides multiples of 8."""
        content_feat = self.encoder(content)
        target = adaptive_instance_norm(content_feat, self.encoder(style))
        return self.decoder(alpha * target + (1 - alpha) * content_feat)
