"""Serving contracts of the pose models (MediaPipe BlazePose detector and landmarks, OpenPose body)."""

from __future__ import annotations

from fittingroom.common.modelspec import SIDE_BY_SIDE, ModelSpec, Provenance
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
    extra_parameters=dict(SIDE_BY_SIDE),
)

DETECTION_SIZE = 224
NUM_ANCHORS = 2254  # SSD anchors over 28x28, 14x14 and 7x7 feature maps (processing.detection_anchors)
DETECTION_VALUES = 12  # box centre, size, then 4 keypoints (hip centre, body circle, shoulder centre, head)

POSE_DETECTION = ModelSpec(
    name="pose_detection",
    inputs=(fp32("image", DETECTION_SIZE, DETECTION_SIZE, 3),),
    outputs=(fp32("boxes", NUM_ANCHORS, DETECTION_VALUES), fp32("scores", NUM_ANCHORS, 1)),
    provenance=Provenance(
        trained=True,
        source="MediaPipe pose_detection.tflite from PyPI mediapipe==0.10.14, converted with tf2onnx 1.17 "
               "(its 38 sparse constants densified by the TFLite interpreter)",
        license="Apache-2.0",
    ),
    description="letterboxed photo (NHWC RGB in [-1, 1]) -> per-anchor person box and keypoint offsets, score logits",
    extra_parameters=dict(SIDE_BY_SIDE),
)

OPENPOSE_SIZE = 368  # OpenPose's default network height; the square input is padded with grey
OPENPOSE_STRIDE = 8
OPENPOSE_MAPS = OPENPOSE_SIZE // OPENPOSE_STRIDE

OPENPOSE_BODY = ModelSpec(
    name="openpose_body",
    inputs=(fp32("image", 3, OPENPOSE_SIZE, OPENPOSE_SIZE),),
    outputs=(fp32("pafs", 38, OPENPOSE_MAPS, OPENPOSE_MAPS), fp32("heatmaps", 19, OPENPOSE_MAPS, OPENPOSE_MAPS)),
    provenance=Provenance(
        trained=True,
        source="CMU OpenPose body (COCO, 18 keypoints) weights as converted by Hzzone/pytorch-openpose",
        license="no license file found (the PyTorch port has none; the weights come from CMU OpenPose, "
                "whose own license is non-commercial)",
    ),
    max_batch_size=4,
    description="image (BGR, x / 256 - 0.5) -> part affinity fields and 18 keypoint heat maps + background",
)

SPECS = (POSE_LANDMARK, OPENPOSE_BODY, POSE_DETECTION)
