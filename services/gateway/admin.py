"""Model versions at run time, on every replica of the group: load (warmed), weighted canary split, pin,
promote, roll back, unload.

The gateway has no model repository: a version is published to the shared model store once (publish.py),
and the admin API asks each replica of the group (`ModelControl.replicas`: Triton's pods behind one name,
or the embedded backend itself) to load, warm or unload it, reporting per replica. A version takes traffic
only through an explicit split, and only once every replica that answers has it ready; loading it pins
the split to the version serving now.

What was loaded outlives the replicas: the versions each model must serve are kept in the shared store
(`model_loads`) and written into the model store's config as a `specific` version policy (model_store.py),
so a restarted or added Triton loads them before it reports ready; every gateway also brings each replica
it discovers to that set (`reconcile`, run by reconcile.py). An unload drains every gateway, not only
this one: it marks the version draining in the store, which stops every gateway from starting requests on
it, and waits `fleet_drain_s` (routing refresh + request deadline: routing.py) before Triton unloads it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

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
from fittingroom.common.inference import InferenceClient, ModelControl, Replica
from fittingroom.common.repository import with_specific_versions
from fittingroom.common.versions import VersionCatalog
from fittingroom.gateway.auth import Tenant, authenticate_admin
from fittingroom.gateway.metrics import GatewayMetrics
from fittingroom.gateway.model_store import ModelStoreConfigs
from fittingroom.gateway.routing import TrafficRouter
from fittingroom.gateway.store import Route, Store
from fittingroom.warp_gen.spec import at_official_size

log = logging.getLogger(__name__)
AdminDep = Annotated[Tenant, Depends(authenticate_admin)]
T = TypeVar("T")


class VersionView(BaseModel):
    trained: bool
    recorded: bool  # False: no record was published for it; `trained` then comes from the model's config
    weights_source: str | None = None
    weights_license: str | None = None
    weights_origin: str | None = None  # package, operator_checkpoint or seeded
    checkpoint_file: str | None = None
    checkpoint_sha256: str | None = None


class ReplicaView(BaseModel):
    versions_loaded: list[int]
    error: str | None = None  # why the replica did not answer


class ModelView(BaseModel):
    name: str
    versions_published: list[int]
    versions_loaded: list[int]  # ready on every replica that answers: the versions a split may use
    # What every replica must serve (the admin API loaded them; a restarted replica is brought to them), and
    # those of them being unloaded, which no request starts on any more.
    versions_wanted: list[int]
    versions_draining: list[int]
    replicas: dict[str, ReplicaView]
    split: dict[int, int]
    versions: dict[int, VersionView]
    trained: bool  # every version taking traffic is trained
    # A try-on network (VITON-HD, DAFlow): whether it is served at its official size (VITON-HD's CPU default,
    # 512x384, is not: the generator is then another function of the same weights). None for other models.
    official_size: bool | None = None


class SplitView(BaseModel):
    model: str
    split: dict[int, int]
    previous: dict[int, int] | None
    revision: int


class LoadView(SplitView):
    replicas: dict[str, ReplicaView]


def _view(route: Route) -> SplitView:
    return SplitView(model=route.model, split=route.split, previous=route.previous, revision=route.revision)


async def served(replica: Replica, model: str) -> set[int]:
    """The versions a replica serves (a lazily loading backend may not have opened them yet); none when the
    model is unloaded there."""
    try:
        return set((await replica.model_metadata(model)).versions)
    except (ModelNotFound, ModelNotReady):
        return set()


async def warm(replica: Replica, model: str, version: int) -> None:
    """One real inference on zeros, so the first user request does not pay for initialisation."""
    meta = await replica.model_metadata(model)
    batch = (1,) if meta.max_batch_size > 0 else ()
    inputs = {t.name: np.zeros(batch + tuple(max(d, 1) for d in t.dims), t.dtype) for t in meta.inputs}
    await replica.infer(model, inputs, version)


class ModelAdmin:
    def __init__(self, client: InferenceClient, router: TrafficRouter, store: Store, catalog: VersionCatalog,
                 metrics: GatewayMetrics, drain_timeout_s: float, *, fleet_drain_s: float,
                 model_store: ModelStoreConfigs | None = None) -> None:
        if not isinstance(client, ModelControl):
            raise TypeError(f"{type(client).__name__} cannot load or unload models")
        self.client = client
        self.control: ModelControl = client
        self.router = router
        self.store = store
        self.catalog = catalog
        self.metrics = metrics
        self.drain_timeout_s = drain_timeout_s
        self.fleet_drain_s = fleet_drain_s
        self.model_store = model_store

    async def _on_every_replica(self, model: str, action: Callable[[Replica], Awaitable[T]]
                                ) -> dict[str, T | TryOnError]:
        """`action` on each replica of `model` at once; a replica's failure is its entry, not an exception."""
        replicas = await self.control.replicas(model)
        if not replicas:
            raise BackendUnavailable(f"no replica serves model '{model}'")
        names = list(replicas)
        outcomes = await asyncio.gather(*(action(replicas[n]) for n in names), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException) and not isinstance(outcome, TryOnError):
                raise outcome
        return dict(zip(names, outcomes, strict=True))  # type: ignore[arg-type]

    async def replica_versions(self, model: str) -> dict[str, ReplicaView]:
        async def versions(replica: Replica) -> set[int]:
            return await served(replica, model)

        return {name: _replica_view(outcome) for name, outcome in
                (await self._on_every_replica(model, versions)).items()}

    async def ready_everywhere(self, model: str) -> set[int]:
        """The versions every replica that answers has ready (none when none answers)."""
        views = [v for v in (await self.replica_versions(model)).values() if v.error is None]
        return set.intersection(*(set(v.versions_loaded) for v in views)) if views else set()

    async def models(self) -> list[ModelView]:
        routes = await asyncio.to_thread(self.store.routes)
        records = await asyncio.to_thread(self.catalog.version_records)
        loads = await asyncio.to_thread(self.store.version_loads)
        views = []
        for name in sorted(set(records) | set(routes) | set(loads)):
            replicas = await self.replica_versions(name)
            answered = [set(v.versions_loaded) for v in replicas.values() if v.error is None]
            loaded = set.intersection(*answered) if answered else set()
            versions = {}
            for version in sorted(set(records.get(name, {})) | set().union(*answered)):
                record = records.get(name, {}).get(version)
                if record is None:
                    versions[version] = VersionView(trained=await self._config_trained(name), recorded=False)
                else:
                    versions[version] = VersionView(
                        trained=record.trained, recorded=True, weights_source=record.weights_source,
                        weights_license=record.weights_license, weights_origin=record.origin.value,
                        checkpoint_file=record.checkpoint_file, checkpoint_sha256=record.checkpoint_sha256)
            views.append(ModelView(
                name=name, versions_published=sorted(records.get(name, {})), versions_loaded=sorted(loaded),
                versions_wanted=sorted(loads.get(name, {})),
                versions_draining=sorted(v for v, load in loads.get(name, {}).items() if load.draining_since),
                replicas=replicas, split=routes[name].split if name in routes else {}, versions=versions,
                trained=await self.router.trained(name), official_size=await self._official_size(name)))
        return views

    async def _official_size(self, model: str) -> bool | None:
        """From the served config's tensor shapes (one config serves every version); None when not served."""
        try:
            return at_official_size(model, (await self.router.metadata(model)).inputs)
        except TryOnError:
            return None

    async def _config_trained(self, model: str) -> bool:
        """An unrecorded version's label: its model's config.pbtxt, the only other place that says it."""
        try:
            return (await self.client.model_metadata(model)).trained
        except TryOnError:
            return False  # not taken on trust

    async def _set_split(self, model: str, split: dict[int, int]) -> Route:
        route = await asyncio.to_thread(self.store.set_split, model, split)
        self.router.invalidate()
        for version in set(split) | set(route.previous or {}):
            self.metrics.traffic_split.labels(model, str(version)).set(split.get(version, 0) / 100)
        log.info("traffic split of %s is now %s (revision %d)", model, split, route.revision)
        return route

    async def load(self, model: str, version: int) -> LoadView:
        """Load and warm `version` on every replica, beside the versions each already serves."""
        route = (await asyncio.to_thread(self.store.routes)).get(model)
        before = await self.ready_everywhere(model)
        serving = max(before) if before else None  # the version taking traffic now
        if route is None and serving is not None:
            # Pinned before the new version loads: a model without a route serves its newest loaded version,
            # which would be the new one from the moment it loads, still cold (tests/integration/test_canary.py).
            route = await self._set_split(model, {serving: 100})
        # Wanted before it loads: a replica that restarts meanwhile comes back with it. The versions served now
        # are wanted too (Triton loaded them at start, not the admin API); one being unloaded stays so.
        wanted = (await asyncio.to_thread(self.store.version_loads)).get(model, {})
        await asyncio.to_thread(self.store.want_loaded, model, {version} | (before - set(wanted)))
        await self.write_policy(model)

        async def load_and_warm(replica: Replica) -> set[int]:
            await replica.load_model(model, sorted(await served(replica, model) | {version}))
            await warm(replica, model, version)
            return await served(replica, model)

        outcomes = await self._on_every_replica(model, load_and_warm)
        self.router.invalidate()  # the versions served changed: the router's metadata is stale
        report = {name: _replica_view(outcome) for name, outcome in outcomes.items()}
        failed = {name: o for name, o in outcomes.items() if isinstance(o, TryOnError)}
        if failed:
            detail = "; ".join(f"{name}: {exc.message}" for name, exc in failed.items())
            if len(failed) == len(outcomes) and all(isinstance(e, ModelNotFound) for e in failed.values()):
                await asyncio.to_thread(self.store.unwant, model, version)
                await self.write_policy(model)
                raise ModelNotFound(f"version {version} of model '{model}' is not in the model store: {detail}")
            raise BackendUnavailable(f"version {version} of model '{model}' did not load on {len(failed)} of "
                                     f"{len(outcomes)} replicas ({detail}); it takes no traffic until all have it "
                                     "(the gateways keep loading it there)")
        self.metrics.model_ready.labels(model, str(version)).set(1)
        log.info("version %d of %s loaded and warmed on %s", version, model, ", ".join(outcomes))
        if route is None:  # nothing was served: the new version is the only one
            route = await self._set_split(model, {version: 100})
        return LoadView(**_view(route).model_dump(), replicas=report)

    async def write_policy(self, model: str) -> None:
        """The model store's config of `model` serves the versions wanted now (none wanted: left as it is)."""
        wanted = sorted((await asyncio.to_thread(self.store.version_loads)).get(model, {}))
        if self.model_store is None or not wanted:
            return
        store = self.model_store

        def write() -> None:
            text = store.read_config(model)
            if text is not None and (updated := with_specific_versions(text, wanted)) != text:
                store.write_config(model, updated)
                log.info("model store: %s now serves versions %s on every (re)started replica", model, wanted)

        await asyncio.to_thread(write)

    async def reconcile(self, model: str, wanted: set[int]) -> dict[str, ReplicaView]:
        """Load and warm on each replica the versions of `wanted` it lacks (a replica restarted or added)."""
        async def bring(replica: Replica) -> set[int]:
            have = await served(replica, model)
            missing = wanted - have
            if not missing:
                return have
            await replica.load_model(model, sorted(have | wanted))
            for version in sorted(missing):
                await warm(replica, model, version)
            self.router.invalidate()
            return await served(replica, model)

        outcomes = await self._on_every_replica(model, bring)
        for name, outcome in outcomes.items():
            if isinstance(outcome, TryOnError):
                log.warning("reconcile: %s on %s: %s", model, name, outcome.message)
        return {name: _replica_view(outcome) for name, outcome in outcomes.items()}

    async def split(self, model: str, split: dict[int, int]) -> SplitView:
        if any(w < 0 for w in split.values()) or sum(split.values()) != 100:
            raise InvalidInput(f"split weights must be non-negative and sum to 100, got {split}", field="split")
        loads = (await asyncio.to_thread(self.store.version_loads)).get(model, {})
        draining = sorted(v for v, w in split.items() if w > 0 and v in loads and loads[v].draining_since)
        if draining:
            raise Conflict(f"version(s) {draining} of model '{model}' are being unloaded; load them again first")
        ready = await self.ready_everywhere(model)
        missing = sorted(v for v, w in split.items() if w > 0 and v not in ready)
        if missing:
            raise Conflict(f"version(s) {missing} of model '{model}' are not loaded on every replica; load them "
                           "first")
        return _view(await self._set_split(model, {v: w for v, w in split.items() if w > 0}))

    async def promote(self, model: str, version: int) -> SplitView:
        return await self.split(model, {version: 100})

    async def rollback(self, model: str) -> SplitView:
        route = (await asyncio.to_thread(self.store.routes)).get(model)
        if route is None or not route.previous:
            raise Conflict(f"model '{model}' has no previous split to roll back to")
        return await self.split(model, route.previous)

    async def unload(self, model: str, version: int) -> dict[str, ReplicaView]:
        """Unload `version` from every replica, once no gateway replica has a request on it: marked draining
        (no gateway starts one), then `fleet_drain_s` for the others' last ones, then this one's leases."""
        route = (await asyncio.to_thread(self.store.routes)).get(model)
        if route and route.split.get(version, 0) > 0:
            raise Conflict(f"version {version} of model '{model}' still gets {route.split[version]}% of traffic; "
                           "move its traffic first")
        wanted = (await asyncio.to_thread(self.store.version_loads)).get(model, {})
        replicas = await self.replica_versions(model)
        if version not in wanted and not any(version in r.versions_loaded for r in replicas.values()):
            raise ModelNotFound(f"version {version} of model '{model}' is loaded on no replica")  # nothing to drain
        mark = await asyncio.to_thread(self.store.start_draining, model, version)
        self.router.invalidate()  # this gateway stops choosing it now, the others within their refresh
        log.info("version %d of %s is draining; unloaded in %.0fs", version, model, self.fleet_drain_s)
        await asyncio.sleep(self.fleet_drain_s)
        if not await self.router.drained(model, version, self.drain_timeout_s):
            raise Conflict(f"version {version} of model '{model}' still has requests in flight after "
                           f"{self.drain_timeout_s:g}s; try again")
        if not await asyncio.to_thread(self.store.finish_unload, model, version, mark):
            raise Conflict(f"version {version} of model '{model}' was loaded again while it drained; not unloaded")
        await self.write_policy(model)

        async def unload_one(replica: Replica) -> set[int]:
            remaining = sorted(await served(replica, model) - {version})
            if remaining:
                await replica.load_model(model, remaining)
            else:
                await replica.unload_model(model)
            return set(remaining)

        outcomes = await self._on_every_replica(model, unload_one)
        self.router.invalidate()  # the versions served changed: the router's metadata is stale
        failed = {name: o for name, o in outcomes.items() if isinstance(o, TryOnError)}
        if failed:
            raise BackendUnavailable(f"version {version} of model '{model}' could not be unloaded on " + "; ".join(
                f"{name}: {exc.message}" for name, exc in failed.items()))
        self.metrics.model_ready.labels(model, str(version)).set(0)
        return {name: _replica_view(outcome) for name, outcome in outcomes.items()}


def _replica_view(outcome: set[int] | TryOnError) -> ReplicaView:
    if isinstance(outcome, TryOnError):
        return ReplicaView(versions_loaded=[], error=outcome.message)
    return ReplicaView(versions_loaded=sorted(outcome))


def get_admin(request: Request) -> ModelAdmin:
    admin: ModelAdmin = request.app.state.admin
    return admin


ModelAdminDep = Annotated[ModelAdmin, Depends(get_admin)]
router = APIRouter(prefix="/v1/admin", tags=["admin"])


@router.get("/models")
async def list_models(_: AdminDep, admin: ModelAdminDep) -> list[ModelView]:
    """Every model published or routed: its versions (trained, weights, checkpoint), what each replica has
    loaded, and the current traffic split."""
    return await admin.models()


@router.post("/models/{model}/versions/{version}/load")
async def load_version(model: str, version: int, _: AdminDep, admin: ModelAdminDep) -> LoadView:
    """Load a version on every replica and warm it there with a real inference; it takes no traffic until a
    split gives it some. Reported per replica."""
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
async def unload_version(model: str, version: int, _: AdminDep, admin: ModelAdminDep
                         ) -> dict[str, dict[str, ReplicaView] | list[int]]:
    """Unload a version that no longer gets traffic, after its in-flight requests finish, on every replica."""
    replicas = await admin.unload(model, version)
    loaded = set.intersection(*(set(v.versions_loaded) for v in replicas.values()))
    return {"versions_loaded": sorted(loaded), "replicas": replicas}
