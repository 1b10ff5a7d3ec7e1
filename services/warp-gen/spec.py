"""Serving contracts of the try-on generators: VITON-HD (three parts) and DAFlow.

VITON-HD's size is the served version's: 512x384 by default (half the official 1024x768, a quarter of
the compute, NOT the official size: ALIAS is a different function of the same weights there), 1024x768
when exported with TRYON_VTON_SIZE=1024x768 (the GPU profile). Its segmentation generator and GMM run at
256x192 inside the graphs at either size, as the official test script does. DAFlow is served at 256x192,
the size its released checkpoint was trained and tested at. All images are RGB in [-1, 1].

The ALIAS generator adds per-pixel Gaussian noise at every normalisation, as the official generator does
at inference; the draws are an input (`noise`), so the caller's seed reproduces an image and zeros turn
the noise off.
"""

from __future__ import annotations

from collections.abc import Sequence

from fittingroom.common.modelspec import ModelSpec, Provenance
from fittingroom.common.tensors import TensorSpec, fp32

VTON_SIZES = {"512x384": (512, 384), "1024x768": (1024, 768)}
DEFAULT_VTON_SIZE = "512x384"
OFFICIAL_VTON_SIZE = (1024, 768)  # the size of the released checkpoints' test script
SEG_SEMANTIC_NC = 13  # VITON-HD parse classes (segmentation generator)
ALIAS_SEMANTIC_NC = 7  # grouped classes that condition the ALIAS generator
NOISE_SIZE = (256, 192)  # the segmentation generator's noise channel is at its network size
DAFLOW_SIZE = (256, 192)
MAX_BATCH = 4  # high-resolution activations: a bigger batch buys little on a GPU and costs memory
# Noise maps of each ALIAS residual block, latent (1/128 of the output) to full size: one per normalisation
# (head_0 has no learned shortcut, so two). vitonhd.ALIASGenerator.noise_shapes is the same layout.
ALIAS_NOISE_MAPS = (2, 3, 3, 3, 3, 3, 3, 3)


def alias_noise_length(height: int, width: int) -> int:
    """Standard-normal draws one ALIAS try-on at height x width takes: every block's maps, flattened."""
    upsamplings = len(ALIAS_NOISE_MAPS) - 1
    latent_height, latent_width = height >> upsamplings, width >> upsamplings
    return sum(maps * (latent_height << scale) * (latent_width << scale) for scale, maps in enumerate(ALIAS_NOISE_MAPS))

_VITONHD = Provenance(
    trained=True,
    source="official VITON-HD weights (shadow2496/VITON-HD)",
    license="CC BY-NC 4.0 (non-commercial use only)",
)


def vitonhd_specs(height: int, width: int) -> tuple[ModelSpec, ModelSpec, ModelSpec]:
    """The segmentation, warp and generation models at output size height x width."""
    seg = ModelSpec(
        name="vitonhd_seg",
        inputs=(fp32("cloth", 3, height, width), fp32("cloth_mask", 1, height, width),
                fp32("parse_agnostic", SEG_SEMANTIC_NC, height, width), fp32("pose", 3, height, width),
                fp32("noise", 1, *NOISE_SIZE)),
        outputs=(fp32("parse_scores", SEG_SEMANTIC_NC, height, width),),
        provenance=_VITONHD, max_batch_size=MAX_BATCH,
        description="cloth, its mask, one-hot 13-class agnostic parse, pose image, noise -> blurred parse scores",
    )
    gmm = ModelSpec(
        name="vitonhd_gmm",
        inputs=(fp32("cloth_parse", 1, height, width), fp32("pose", 3, height, width),
                fp32("agnostic", 3, height, width), fp32("cloth", 3, height, width),
                fp32("cloth_mask", 1, height, width)),
        outputs=(fp32("warped_cloth", 3, height, width), fp32("warped_cloth_mask", 1, height, width)),
        provenance=_VITONHD, max_batch_size=MAX_BATCH,
        description="garment channel of the 7-group parse, pose image, agnostic person, cloth, cloth mask -> "
                    "cloth and mask warped by the thin-plate spline",
    )
    alias = ModelSpec(
        name="vitonhd_alias",
        inputs=(fp32("agnostic", 3, height, width), fp32("pose", 3, height, width),
                fp32("warped_cloth", 3, height, width), fp32("parse", ALIAS_SEMANTIC_NC, height, width),
                fp32("warped_cloth_mask", 1, height, width), fp32("noise", alias_noise_length(height, width))),
        outputs=(fp32("image", 3, height, width),),
        provenance=_VITONHD, max_batch_size=MAX_BATCH,
        description="agnostic person, pose image, warped cloth and mask, one-hot 7-group parse, standard-normal "
                    "draws of the per-pixel noise (the official inference path; zeros: none) -> try-on image",
    )
    return seg, gmm, alias


VITONHD_SEG, VITONHD_GMM, VITONHD_ALIAS = vitonhd_specs(*VTON_SIZES[DEFAULT_VTON_SIZE])

DAFLOW = ModelSpec(
    name="daflow",
    inputs=(fp32("pose", 3, *DAFLOW_SIZE), fp32("agnostic", 3, *DAFLOW_SIZE), fp32("cloth", 3, *DAFLOW_SIZE)),
    outputs=(fp32("image", 3, *DAFLOW_SIZE),),
    provenance=Provenance(
        trained=True,
        source="official DAFlow SDAFNet VITON weights (OFA-Sys/DAFlow)",
        license="research use only (no LICENSE file; the README restricts use to non-commercial research "
                "and education)",
    ),
    max_batch_size=MAX_BATCH,
    description="pose image, agnostic person, cloth -> try-on image",
)

SPECS = (VITONHD_SEG, VITONHD_GMM, VITONHD_ALIAS, DAFLOW)

# The size each network's released checkpoint was tested at (VITON-HD's test.py, DAFlow's test script).
OFFICIAL_SIZES = {VITONHD_SEG.name: OFFICIAL_VTON_SIZE, VITONHD_GMM.name: OFFICIAL_VTON_SIZE,
                  VITONHD_ALIAS.name: OFFICIAL_VTON_SIZE, DAFLOW.name: DAFLOW_SIZE}


def at_official_size(model: str, inputs: Sequence[TensorSpec]) -> bool | None:
    """Whether a try-on network is served at its official size (its `pose` input's height and width); None for
    any other model."""
    if model not in OFFICIAL_SIZES:
        return None
    dims = next(t.dims for t in inputs if t.name == "pose")
    return dims[1:] == OFFICIAL_SIZES[model]
