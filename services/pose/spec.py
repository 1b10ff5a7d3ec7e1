"""Serving contract of the pose landmark model (MediaPipe BlazePose GHUM, full)."""

from __future__ import annotations

from fittingroom.common.modelspec import ModelSpec, Provenance
from fittingroom.common.tensors import fp32

POSE_SIZE = 256
NUM_LANDMARKS = 39  # 33 body landmarks + 6 auxiliary ones used by MediaPipe for ROI tracking
LANDMARK_VALUES = 5  # x, y, z, visibility logit, presence logit

POSE_LANDMARK = ModelSpec(
    name="pose_landmark",
    inputs=(fp32("image", POSE_SIZE, POSE_SIZE, 3),),
    outputs=(
        fp32("landmarks", NUM_LANDMARKS * LANDMARK_VALUES),
        fp32("pose_flag", 1),
        fp32("segmentation", POSE_SIZE, POSE_SIZE, 1),
        fp32("heatmap", 64, 64, NUM_LANDMARKS),
        fp32("world_landmarks", NUM_LANDMARKS * 3),
    ),
    provenance=Provenance(
        trained=True,
        source="MediaPipe pose_landmark_full.tflite from PyPI mediapipe==0.10.14, converted with tf2onnx 1.17",
        license="Apache-2.0",
    ),
    description="person crop (NHWC RGB in [0, 1]) -> 33 body landmarks in crop pixels",
)

SPECS = (POSE_LANDMARK,)
