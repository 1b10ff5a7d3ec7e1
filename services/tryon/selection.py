"""Which garment pipeline serves a request: the path asked for, or `auto`'s choice."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from fittingroom.common.garment import Category
from fittingroom.tryon.classical import CLASSICAL, ClassicalGarmentPipeline
from fittingroom.tryon.networks import DAFLOW_PATH, VITONHD_PATH, TryOnNetworkPipeline
from fittingroom.tryon.pipeline import TryOnPipeline
from fittingroom.tryon.requests import GarmentRequest


class GarmentPath(StrEnum):
    AUTO = "auto"
    CLASSICAL = CLASSICAL
    NEURAL = VITONHD_PATH
    DAFLOW = DAFLOW_PATH


async def choose_garment_pipeline(path: GarmentPath, category: Category, *, catalog_mask: bool,
                                  classical: ClassicalGarmentPipeline,
                                  networks: Sequence[TryOnNetworkPipeline]) -> TryOnPipeline[GarmentRequest]:
    """The pipeline for `path`; `auto` takes the first of `networks` whose models are all trained, for a top,
    else the classical path. `catalog_mask`: the garment comes with its stored mask (a catalog garment).

    An explicit network path runs even on untrained placeholders: the response then lists them as untrained.
    """
    if path is GarmentPath.CLASSICAL:
        return classical
    if path is not GarmentPath.AUTO:
        return next(network for network in networks if network.path == path)
    if category is Category.UPPER:
        for network in networks:
            if await network.trained(catalog_mask=catalog_mask):
                return network
    return classical
