"""`TryOnService`: the core's one front, as KServe's data plane is its server's.

It owns the pipelines and the choice between them; the HTTP routes, the CLI and any batch worker call
it with decoded images and get a `TryOnResult`. Catalog registration analyses a product photo through
it too, under the same leases, deadline and stage timing as a try-on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from fittingroom.common.garment import Category
from fittingroom.common.inference import InferenceClient
from fittingroom.tryon.classical import ClassicalGarmentPipeline, ProductAnalysis
from fittingroom.tryon.design import DesignPipeline
from fittingroom.tryon.networks import DAFlowPipeline, TryOnNetworkPipeline, VitonHDPipeline
from fittingroom.tryon.pipeline import TryOnPipeline
from fittingroom.tryon.requests import DesignRequest, GarmentRequest
from fittingroom.tryon.result import TryOnResult
from fittingroom.tryon.routing import VersionRouter
from fittingroom.tryon.selection import GarmentPath, choose_garment_pipeline
from fittingroom.tryon.timing import StageObserver


class TryOnService:
    def __init__(self, client: InferenceClient, router: VersionRouter, *, observe: StageObserver | None = None,
                 timeout_s: float | None = None) -> None:
        self.router = router
        self.design = DesignPipeline(client, router, observe=observe, timeout_s=timeout_s)
        self.classical = ClassicalGarmentPipeline(client, router, observe=observe, timeout_s=timeout_s)
        # In `path=auto`'s order of preference.
        self.networks: tuple[TryOnNetworkPipeline, ...] = (
            VitonHDPipeline(client, router, observe=observe, timeout_s=timeout_s),
            DAFlowPipeline(client, router, observe=observe, timeout_s=timeout_s))

    @property
    def pipelines(self) -> tuple[TryOnPipeline[Any], ...]:
        return (self.design, self.classical, *self.networks)

    @property
    def default_paths(self) -> tuple[str, ...]:
        """The paths that requests naming none run (design mode, and `auto` until a network is trained): a
        replica lacking one of their models is not ready."""
        return self.design.name, self.classical.name

    def path_models(self) -> dict[str, tuple[str, ...]]:
        """The models of every try-on path, by path name."""
        return {pipeline.name: pipeline.models for pipeline in self.pipelines}

    async def try_design(self, request: DesignRequest, *, pins: Mapping[str, int] | None = None) -> TryOnResult:
        return await self.design(request, pins=pins)

    async def garment_pipeline(self, path: GarmentPath, category: Category, *,
                               catalog_mask: bool) -> TryOnPipeline[GarmentRequest]:
        return await choose_garment_pipeline(path, category, catalog_mask=catalog_mask, classical=self.classical,
                                             networks=self.networks)

    async def try_garment(self, request: GarmentRequest, path: GarmentPath = GarmentPath.AUTO, *,
                          pins: Mapping[str, int] | None = None) -> TryOnResult:
        pipeline = await self.garment_pipeline(path, request.category, catalog_mask=request.product_mask is not None)
        return await pipeline(request, pins=pins)

    async def analyze_product(self, garment: np.ndarray, category: Category) -> ProductAnalysis:
        """Silhouette and landmarks of a catalog product photo, computed once at registration."""
        return await self.classical.analyze_product(garment, category)
