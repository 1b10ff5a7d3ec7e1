"""Which stage serves which model: the gateway's knowledge, so `common` needs to import no stage.

Stages can live on different Triton deployments (`TRYON_TRITON_URLS`), and each stage has its own
circuit breaker; both are keyed by these names.
"""

from __future__ import annotations

from collections.abc import Mapping

from fittingroom.common.modelspec import ModelSpec
from fittingroom.pose import spec as pose_spec
from fittingroom.segment import spec as segment_spec
from fittingroom.stylize import spec as stylize_spec
from fittingroom.warp_gen import spec as warp_gen_spec

STAGE_SPECS: dict[str, tuple[ModelSpec, ...]] = {
    "segment": segment_spec.SPECS,
    "pose": pose_spec.SPECS,
    "stylize": stylize_spec.SPECS,
    "warp_gen": warp_gen_spec.SPECS,
}

MODEL_STAGES: dict[str, str] = {spec.name: stage for stage, specs in STAGE_SPECS.items() for spec in specs}


def model_urls(stage_urls: Mapping[str, str]) -> dict[str, str]:
    """Model name -> URL for every model of each stage given its own URL (the others use the default)."""
    unknown = sorted(set(stage_urls) - set(STAGE_SPECS))
    if unknown:
        raise ValueError(f"unknown stage(s) {unknown} in TRYON_TRITON_URLS; stages: {sorted(STAGE_SPECS)}")
    return {spec.name: url for stage, url in stage_urls.items() for spec in STAGE_SPECS[stage]}
