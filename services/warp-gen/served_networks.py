"""The official inference scripts' glue around each network, as exportable modules.

VITON-HD's test.py runs three parts, each one served model here: (1) the segmentation generator on
256x192 inputs, its prediction upsampled and blurred; (2) the GMM on 256x192 inputs, its TPS grid
warping the full-size cloth and mask; (3) the misalignment mask and the ALIAS generator. DAFlow's test
script feeds (pose, agnostic) as the reference and the cloth as the source. Inputs and outputs are at
the served size; the fixed 256x192 stays inside, where the checkpoints expect it. Randomness comes in as
inputs (the segmentation generator's noise channel, the ALIAS generator's per-pixel noise), so the caller's
seed decides it.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from .daflow import SDAFNetTryOn
from .vitonhd import GMM, LOAD_HEIGHT, SEMANTIC_NC, ALIASGenerator, SegGenerator, fold_spectral_norm

NETWORK_SIZE = (256, 192)  # test.py resizes the segmentation and GMM inputs to this at any load size
# test.py: tgm.image.GaussianBlur((15, 15), (3, 3)) on the prediction upsampled to 1024x768.
BLUR_RADIUS = 7  # pixels at LOAD_HEIGHT: a 15x15 kernel
BLUR_SIGMA = 3.0  # pixels at LOAD_HEIGHT
UPPER = 2  # channel of 'upper' (the garment) in the 7-group parse map


def official_blur(height: int) -> tuple[int, float]:
    """(kernel side, sigma) of test.py's blur in pixels of a canvas `height` rows tall.

    The blur is defined on the 1024-row official canvas; at another serving size it keeps its extent
    relative to the image: sigma scales with the height and the radius (2.33 sigma) is rounded up.
    """
    scale = height / LOAD_HEIGHT
    return 2 * math.ceil(BLUR_RADIUS * scale) + 1, BLUR_SIGMA * scale


def gaussian_kernel(size: int, sigma: float) -> torch.Tensor:
    """Normalised 2-D Gaussian [size, size], the outer product of 1-D ones as torchgeometry builds it."""
    x = torch.arange(size, dtype=torch.float64) - size // 2
    g = torch.exp(-(x**2) / (2 * sigma**2))
    g = g / g.sum()
    return (g[:, None] * g[None]).float()


class VitonHDSegmentation(nn.Module):
    """Part 1: cloth, cloth mask, 13-class agnostic parse, pose and noise -> blurred parse scores.

    `height`: rows of the served canvas, which sizes the blur (`official_blur`).
    """

    blur: torch.Tensor

    def __init__(self, seg: SegGenerator, height: int = LOAD_HEIGHT) -> None:
        super().__init__()
        self.seg = seg
        size, sigma = official_blur(height)
        kernel = gaussian_kernel(size, sigma)
        self.register_buffer("blur", kernel.expand(SEMANTIC_NC, 1, -1, -1).clone(), persistent=False)

    def forward(
        self,
        cloth: torch.Tensor,
        cloth_mask: torch.Tensor,
        parse_agnostic: torch.Tensor,
        pose: torch.Tensor,
        noise: torch.Tensor,
    ) -> torch.Tensor:
        """Scores [N, 13, H, W] at the input size; argmax and the 13 -> 7 grouping are the caller's."""

        def down(x: torch.Tensor) -> torch.Tensor:
            """Bilinear resize to the network size (align_corners=False, as test.py)."""
            return F.interpolate(x, size=NETWORK_SIZE, mode="bilinear", align_corners=False)

        seg_input = torch.cat((down(cloth_mask), down(cloth * cloth_mask), down(parse_agnostic), down(pose), noise), 1)
        scores = F.interpolate(self.seg(seg_input), size=cloth.shape[2:], mode="bilinear", align_corners=False)
        # Zero-padded depthwise blur, like torchgeometry's GaussianBlur.
        return F.conv2d(scores, self.blur, padding=self.blur.shape[-1] // 2, groups=SEMANTIC_NC)


class VitonHDWarp(nn.Module):
    """Part 2: the GMM on nearest-downsampled inputs; its TPS grid warps the full-size cloth and mask."""

    def __init__(self, gmm: GMM) -> None:
        super().__init__()
        self.gmm = gmm

    def forward(
        self,
        cloth_parse: torch.Tensor,
        pose: torch.Tensor,
        agnostic: torch.Tensor,
        cloth: torch.Tensor,
        cloth_mask: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(warped cloth [N, 3, H, W], warped cloth mask [N, 1, H, W]); the grid must be H x W."""

        def down(x: torch.Tensor) -> torch.Tensor:
            """Nearest resize to the network size, as test.py."""
            return F.interpolate(x, size=NETWORK_SIZE, mode="nearest")

        _, grid = self.gmm(torch.cat((down(cloth_parse), down(pose), down(agnostic)), 1), down(cloth))
        warped_cloth = F.grid_sample(cloth, grid, mode="bilinear", padding_mode="border", align_corners=False)
        warped_mask = F.grid_sample(cloth_mask, grid, mode="bilinear", padding_mode="border", align_corners=False)
        return warped_cloth, warped_mask


class VitonHDGeneration(nn.Module):
    """Part 3: misalignment mask (parse garment minus warped cloth mask), then the ALIAS generator.

    Wrapping folds the generator's spectral norm into plain weights, so wrap after loading a checkpoint
    (which stores weight_orig/u/v).
    """

    def __init__(self, alias: ALIASGenerator) -> None:
        super().__init__()
        fold_spectral_norm(alias)
        self.alias = alias

    def forward(
        self,
        agnostic: torch.Tensor,
        pose: torch.Tensor,
        warped_cloth: torch.Tensor,
        parse: torch.Tensor,
        warped_cloth_mask: torch.Tensor,
        noise: torch.Tensor,
    ) -> torch.Tensor:
        """Try-on image [N, 3, H, W] in [-1, 1] from the 7-group parse map and the warped cloth.

        `noise` [N, L]: the standard-normal draws of the generator's per-pixel noise, laid out as
        `ALIASGenerator.noise_shapes` says (zeros: no noise).
        """
        upper = parse[:, UPPER : UPPER + 1]
        misalign = torch.clamp(upper - warped_cloth_mask, min=0.0)
        # parse_div: the garment channel loses the misaligned area, which becomes an eighth channel.
        parse_div = torch.cat((parse[:, :UPPER], upper - misalign, parse[:, UPPER + 1 :], misalign), 1)
        return self.alias(torch.cat((agnostic, pose, warped_cloth), 1), parse, parse_div, misalign, noise)


class DAFlowTryOn(nn.Module):
    """DAFlow's test script: reference = (pose, agnostic), source = cloth, reference image = agnostic."""

    def __init__(self, net: SDAFNetTryOn) -> None:
        super().__init__()
        self.net = net

    def forward(self, pose: torch.Tensor, agnostic: torch.Tensor, cloth: torch.Tensor) -> torch.Tensor:
        """Try-on image [N, 3, H, W] in [-1, 1]; H and W multiples of 32."""
        return self.net(torch.cat((pose, agnostic), 1), cloth, agnostic)
