"""Model versions at run time: load (warmed), weighted canary split, pin, promote, roll back, unload.

Works on both backends through `ModelControl`. A new version never takes traffic by surprise: loading
it pins the split to the version serving now, and traffic moves only through an explicit split.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

import numpy as np
from fastapi import APIRouter, Body, Depends, Request
from pydantic import BaseModel

from fittingroom.common.errors import (
    BackendUnavailable,
    Conflict,
    InvalidInput,
    ModelNotFound,
    ModelNotReady,
    TryOnError,
)
from fittingroom.common.inference import InferenceClient, ModelControl
from fittingroom.common.repository import ModelRepository
from fittingroom.gateway.auth import Tenant, authenticate_admin
from fittingroom.gateway.metrics import GatewayMetrics
from fittingroom.gateway.routing import TrafficRouter
from fittingroom.gateway.store import Route, Store
from fittingroom.warp_gen.spec import at_official_size

log = logging.getLogger(__name__)
AdminDep = Annotated[Tenant, Depends(authenticate_admin)]


class ModelView(BaseModel):
    name: str
    versions_on_disk: list[int]
    versions_loaded: list[int]
    split: dict[int, int]
    trained: bool
    # A try-on network (VITON-HD, DAFlow): whether it is served at its official size (VITON-HD's CPU default,
    # 512x384, is not: the generator is then another function of the same weights). None for other models.
    official_size: bool | None = None


class SplitView(BaseModel):
    model: str
    split: dict[int, int]
    previous: dict[int, int] | None
    revision: int


def _view(route: Route) -> SplitView:
    return SplitView(model=route.model, split=route.split, previous=route.previous, revision=route.revision)


class ModelAdmin:
    def __init__(self, client: InferenceClient, router: TrafficRouter, store: Store, repository: ModelRepository,
                 metrics: GatewayMetrics, drain_timeout_s: float) -> None:
        if not isinstance(client, ModelControl):
            raise TypeError(f"{type(client).__name__} cannot load or unload models")
        self.client = client
        self.control: ModelControl = client
        self.router = router
        self.store = store
        self.repository = repository
        self.metrics = metrics
        self.drain_timeout_s = drain_timeout_s

    async def models(self) -> list[ModelView]:
        routes = await asyncio.to_thread(self.store.routes)
        views = []
        for name in self.repository.model_names():
            try:
                trained = (await self.client.model_metadata(name)).trained
            except TryOnError:
                trained = self.repository.config(name).trained
            views.append(ModelView(
                name=name, versions_on_disk=self.repository.versions_on_disk(name),
                versions_loaded=await self.control.loaded_versions(name),
                split=routes[name].split if name in routes else {}, trained=trained,
                official_size=at_official_size(name, self.repository.config(name).inputs)))
        return views

    async def _set_split(self, model: str, split: dict[int, int]) -> Route:
        route = await asyncio.to_thread(self.store.set_split, model, split)
        self.router.invalidate()
        for version in set(split) | set(route.previous or {}):
            self.metrics.traffic_split.labels(model, str(version)).set(split.get(version, 0) / 100)
        log.info("traffic split of %s is now %s (revision %d)", model, split, route.revision)
        return route

    async def served(self, model: str) -> set[int]:
        """The versions the backend serves (a lazily loading backend may not have opened them yet); none when
        the model is unloaded."""
        try:
            return set((await self.client.model_metadata(model)).versions)
        except (ModelNotFound, ModelNotReady, BackendUnavailable):
            return set()

    async def warm(self, model: str, version: int) -> None:
        """One real inference on zeros, so the first user request does not pay for initialisation."""
        meta = await self.client.model_metadata(model)
        batch = (1,) if meta.max_batch_size > 0 else ()
        inputs = {t.name: np.zeros(batch + tuple(max(d, 1) for d in t.dims), t.dtype) for t in meta.inputs}
        await self.client.infer(model, inputs, version)

    async def load(self, model: str, version: int) -> SplitView:
        if version not in self.repository.versions_on_disk(model):
            raise ModelNotFound(f"version {version} of model '{model}' is not in the repository")
        routes = await asyncio.to_thread(self.store.routes)
        served = await self.served(model)
        serving = max(served) if served else None  # the version taking traffic now
        await self.control.load_model(model, sorted(served | {version}))
        self.router.invalidate()  # the versions served changed: the router's metadata is stale
        await self.warm(model, version)
        self.metrics.model_ready.labels(model, str(version)).set(1)
        if model not in routes:
            route = await self._set_split(model, {serving if serving is not None else version: 100})
        else:
            route = routes[model]
        return _view(route)

    async def split(self, model: str, split: dict[int, int]) -> SplitView:
        if any(w < 0 for w in split.values()) or sum(split.values()) != 100:
            raise InvalidInput(f"split weights must be non-negative and sum to 100, got {split}", field="split")
        served = await self.served(model)
        missing = sorted(v for v, w in split.items() if w > 0 and v not in served)
        if missing:
            raise Conflict(f"version(s) {missing} of model '{model}' are not loaded; load them first")
        return _view(await self._set_split(model, {v: w for v, w in split.items() if w > 0}))

    async def promote(self, model: str, version: int) -> SplitView:
        return await self.split(model, {version: 100})

    async def rollback(self, model: str) -> SplitView:
        route = (await asyncio.to_thread(self.store.routes)).get(model)
        if route is None or not route.previous:
            raise Conflict(f"model '{model}' has no previous split to roll back to")
        return await self.split(model, route.previous)

    async def unload(self, model: str, version: int) -> list[int]:
        route = (await asyncio.to_thread(self.store.routes)).get(model)
        if route and route.split.get(version, 0) > 0:
            raise Conflict(f"version {version} of model '{model}' still gets {route.split[version]}% of traffic; "
                           "move its traffic first")
        if not await self.router.drained(model, version, self.drain_timeout_s):
            raise Conflict(f"version {version} of model '{model}' still has requests in flight after "
                           f"{self.drain_timeout_s:g}s; try again")
        remaining = sorted(await self.served(model) - {version})
        if remaining:
            await self.control.load_model(model, remaining)
        else:
            await self.control.unload_model(model)
        self.router.invalidate()  # the versions served changed: the router's metadata is stale
        self.metrics.model_ready.labels(model, str(version)).set(0)
        return remaining


def get_admin(request: Request) -> ModelAdmin:
    admin: ModelAdmin = request.app.state.admin
    return admin


ModelAdminDep = Annotated[ModelAdmin, Depends(get_admin)]
router = APIRouter(prefix="/v1/admin", tags=["admin"])


@router.get("/models")
async def list_models(_: AdminDep, admin: ModelAdminDep) -> list[ModelView]:
    """Every model: versions on disk, versions loaded, and the current traffic split."""
    return await admin.models()


@router.post("/models/{model}/versions/{version}/load")
async def load_version(model: str, version: int, _: AdminDep, admin: ModelAdminDep) -> SplitView:
    """Load a version and warm it with a real inference; it takes no traffic until a split gives it some."""
    return await admin.load(model, version)


@router.put("/models/{model}/split")
async def set_split(model: str, split: Annotated[dict[int, int], Body(examples=[{"1": 90, "2": 10}])],
                    _: AdminDep, admin: ModelAdminDep) -> SplitView:
    """Weighted traffic split between loaded versions, in percent."""
    return await admin.split(model, split)


@router.post("/models/{model}/versions/{version}/promote")
async def promote(model: str, version: int, _: AdminDep, admin: ModelAdminDep) -> SplitView:
    """Send all traffic to one version (the previous split is kept for rollback)."""
    return await admin.promote(model, version)


@router.post("/models/{model}/rollback")
async def rollback(model: str, _: AdminDep, admin: ModelAdminDep) -> SplitView:
    """Restore the split before the last change."""
    return await admin.rollback(model)


@router.post("/models/{model}/versions/{version}/unload")
async def unload_version(model: str, version: int, _: AdminDep, admin: ModelAdminDep) -> dict[str, list[int]]:
    """Unload a version that no longer gets traffic, after its in-flight requests finish."""
    return {"versions_loaded": await admin.unload(model, version)}
