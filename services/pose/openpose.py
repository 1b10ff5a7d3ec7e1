"""OpenPose body (Cao et al. 2017, 18 COCO keypoints + part affinity fields) and hand (Simon et al.
2017, 21 keypoints) networks, in the layout of the PyTorch port of the CMU caffe models.

Both are a VGG-19 front end followed by six convolutional pose machine stages; every stage after the
first sees its predecessor's maps concatenated with the front-end features. Module names follow the
port's state_dict (tests/assets/checkpoint-layouts/openpose_{body,hand}.json): `model0.conv1_1`, ...
The released .pth files are keyed by caffe layer names only (`conv1_1.weight`); the OPENPOSE layout in
export/checkpoints.py maps them. All layers are plain convs with bias; no normalization.
"""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

NUM_BODY_STAGES = 6
BODY_PAF_CHANNELS = 38  # 19 limbs x (x, y)
BODY_HEATMAP_CHANNELS = 19  # 18 keypoints + background
HAND_HEATMAP_CHANNELS = 22  # 21 keypoints + background
STAGE_CHANNELS = 128
FRONT_CHANNELS = 128  # both VGG front ends end in a 128-channel CPM conv
STAGE_KERNEL = 7
STAGE1_HIDDEN = 512

POOL = "pool"
# (caffe name, in, out, kernel) of the VGG front ends; POOL marks a 2x2 stride-2 max-pool.
LayerSpec = tuple[str, int, int, int] | str
BODY_FRONT: tuple[LayerSpec, ...] = (
    ("conv1_1", 3, 64, 3), ("conv1_2", 64, 64, 3), POOL,
    ("conv2_1", 64, 128, 3), ("conv2_2", 128, 128, 3), POOL,
    ("conv3_1", 128, 256, 3), ("conv3_2", 256, 256, 3),
    ("conv3_3", 256, 256, 3), ("conv3_4", 256, 256, 3), POOL,
    ("conv4_1", 256, 512, 3), ("conv4_2", 512, 512, 3),
    ("conv4_3_CPM", 512, 256, 3), ("conv4_4_CPM", 256, 128, 3),
)  # fmt: skip
HAND_FRONT: tuple[LayerSpec, ...] = (
    ("conv1_1", 3, 64, 3), ("conv1_2", 64, 64, 3), POOL,
    ("conv2_1", 64, 128, 3), ("conv2_2", 128, 128, 3), POOL,
    ("conv3_1", 128, 256, 3), ("conv3_2", 256, 256, 3),
    ("conv3_3", 256, 256, 3), ("conv3_4", 256, 256, 3), POOL,
    ("conv4_1", 256, 512, 3), ("conv4_2", 512, 512, 3),
    ("conv4_3", 512, 512, 3), ("conv4_4", 512, 512, 3),
    ("conv5_1", 512, 512, 3), ("conv5_2", 512, 512, 3), ("conv5_3_CPM", 512, 128, 3),
)  # fmt: skip


def conv_stack(specs: tuple[LayerSpec, ...], last_relu: bool) -> nn.Sequential:
    """Named convs ('same' padding) each followed by ReLU, except the last one when `last_relu` is False."""
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    for index, spec in enumerate(specs):
        if spec == POOL:
            layers[f"pool{index}"] = nn.MaxPool2d(2, 2)
            continue
        assert not isinstance(spec, str)
        name, in_ch, out_ch, kernel = spec
        layers[name] = nn.Conv2d(in_ch, out_ch, kernel, padding=kernel // 2)
        if index < len(specs) - 1 or last_relu:
            layers[f"relu_{name}"] = nn.ReLU()
    return nn.Sequential(layers)


def _first_stage(names: tuple[str, ...], in_ch: int, out_ch: int, hidden_convs: int) -> tuple[LayerSpec, ...]:
    """Stage 1: `hidden_convs` 3x3 convs at STAGE_CHANNELS, a 1x1 to STAGE1_HIDDEN, a 1x1 to the maps."""
    widths = [in_ch] + [STAGE_CHANNELS] * hidden_convs + [STAGE1_HIDDEN, out_ch]
    kernels = [3] * hidden_convs + [1, 1]
    return tuple((n, widths[i], widths[i + 1], kernels[i]) for i, n in enumerate(names))


def _refinement_stage(suffix: str, in_ch: int, out_ch: int) -> tuple[LayerSpec, ...]:
    """Stages 2+: five 7x7 convs, then two 1x1 convs; names Mconv{1..7}_stage{suffix}."""
    widths = [in_ch] + [STAGE_CHANNELS] * 6 + [out_ch]
    kernels = [STAGE_KERNEL] * 5 + [1, 1]
    return tuple((f"Mconv{j + 1}_stage{suffix}", widths[j], widths[j + 1], kernels[j]) for j in range(7))


class OpenPoseBody(nn.Module):
    """Body pose net; official `bodypose_model()`; returns (PAFs [N,38,H/8,W/8], heatmaps [N,19,H/8,W/8]).

    `port_heatmap_relu` keeps a quirk of the PyTorch port: its no-ReLU list names Mconv7_stage6_L1
    twice and misses Mconv7_stage6_L2, so the final heatmaps are ReLU-clamped (the caffe model is
    not). Keypoint peaks are positive either way; set False for the caffe behaviour.
    """

    def __init__(self, port_heatmap_relu: bool = True) -> None:
        super().__init__()
        feat = FRONT_CHANNELS
        stage_in = BODY_PAF_CHANNELS + BODY_HEATMAP_CHANNELS + feat
        self.model0 = conv_stack(BODY_FRONT, last_relu=True)
        for branch, maps in ((1, BODY_PAF_CHANNELS), (2, BODY_HEATMAP_CHANNELS)):
            names = tuple(f"conv5_{j}_CPM_L{branch}" for j in range(1, 6))
            first = _first_stage(names, feat, maps, hidden_convs=3)
            self.add_module(f"model1_{branch}", conv_stack(first, last_relu=False))
            for stage in range(2, NUM_BODY_STAGES + 1):
                quirk = port_heatmap_relu and branch == 2 and stage == NUM_BODY_STAGES
                specs = _refinement_stage(f"{stage}_L{branch}", stage_in, maps)
                self.add_module(f"model{stage}_{branch}", conv_stack(specs, last_relu=quirk))

    def _stage(self, stage: int, branch: int) -> nn.Module:
        """The stage-`stage` module of branch `branch` (1 = PAFs, 2 = heatmaps)."""
        module = getattr(self, f"model{stage}_{branch}")
        assert isinstance(module, nn.Module)
        return module

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(part affinity fields, keypoint heatmaps) of the last stage, at stride 8."""
        features = self.model0(x)
        pafs, heatmaps = self._stage(1, 1)(features), self._stage(1, 2)(features)
        for stage in range(2, NUM_BODY_STAGES + 1):
            stage_input = torch.cat((pafs, heatmaps, features), 1)
            pafs, heatmaps = self._stage(stage, 1)(stage_input), self._stage(stage, 2)(stage_input)
        return pafs, heatmaps


class OpenPoseHand(nn.Module):
    """Hand keypoint net; official `handpose_model()`; returns heatmaps [N, 22, H/8, W/8]."""

    def __init__(self) -> None:
        super().__init__()
        feat = FRONT_CHANNELS
        stage_in = HAND_HEATMAP_CHANNELS + feat
        self.model1_0 = conv_stack(HAND_FRONT, last_relu=True)
        first = _first_stage(("conv6_1_CPM", "conv6_2_CPM"), feat, HAND_HEATMAP_CHANNELS, hidden_convs=0)
        self.model1_1 = conv_stack(first, last_relu=False)
        for stage in range(2, NUM_BODY_STAGES + 1):
            specs = _refinement_stage(str(stage), stage_in, HAND_HEATMAP_CHANNELS)
            self.add_module(f"model{stage}", conv_stack(specs, last_relu=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Keypoint heatmaps of the last stage, at stride 8."""
        features = self.model1_0(x)
        heatmaps = self.model1_1(features)
        for stage in range(2, NUM_BODY_STAGES + 1):
            refine = getattr(self, f"model{stage}")
            heatmaps = refine(torch.cat((heatmaps, features), 1))
        return heatmaps
