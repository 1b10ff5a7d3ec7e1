"""Which model version serves each request: weighted canary splits, header pins, and draining.

The split table lives in the shared store, so every replica routes alike; each replica re-reads it
at most every `refresh_s`, and likewise the version records (trained, weights: versions.py) and model
metadata (versions served): on Triton a metadata read is two control calls, too many to pay per model per
request. A request leases the versions it uses for its whole life, so a version is unloaded only after its
last request on this gateway replica has finished.

Across gateway replicas: an unload first marks the version draining in the store (store.start_draining).
Each router re-reads the marks with the splits, and leases no draining version after its check, which is at
most `refresh_s` (plus one store read) old when the lease is taken; a request ends by its deadline. So once
`refresh_s` + the request deadline have passed since the mark, no gateway has a request on that version
(admin.py waits that long before it unloads).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from fittingroom.common.errors import BackendUnavailable, InvalidInput, ModelNotFound, ModelNotReady
from fittingroom.common.inference import InferenceClient, ModelMetadata
from fittingroom.common.stage import ModelUse
from fittingroom.common.versions import VersionCatalog, VersionRecord
from fittingroom.gateway.store import Route, Store

PIN_HEADER = "X-Model-Version"  # "style_transform=2, u2netp=1"


def parse_pins(header: str | None) -> dict[str, int]:
    """`model=version` pairs from the pin header."""
    pins: dict[str, int] = {}
    for part in (header or "").split(","):
        if not part.strip():
            continue
        model, _, version = part.partition("=")
        if not version.strip().isdigit():
            raise InvalidInput(f"{PIN_HEADER} must look like 'model=2, other=1', got {part.strip()!r}",
                               field=PIN_HEADER)
        pins[model.strip()] = int(version)
    return pins


class _Read(NamedTuple):
    at: float  # monotonic time the read started: the data is at least this fresh
    metadata: ModelMetadata


class TrafficRouter:
    """The core's `VersionRouter` over the shared store's splits (none given: each model's latest version)."""

    def __init__(self, client: InferenceClient, store: Store | None = None, *, refresh_s: float = 1.0,
                 rng: random.Random | None = None, catalog: VersionCatalog | None = None) -> None:
        self.client = client
        self.store = store
        self.catalog = catalog
        self._records: dict[str, dict[int, VersionRecord]] = {}
        self._records_at = float("-inf")
        self.refresh_s = refresh_s
        self._rng = rng or random.Random()
        self._routes: dict[str, Route] = {}
        self._draining: set[tuple[str, int]] = set()
        self._loaded_at = float("-inf")
        self._metadata: dict[str, _Read] = {}
        self._fetching: dict[str, asyncio.Task[ModelMetadata]] = {}
        self._leases: Counter[tuple[str, int]] = Counter()
        self._released = asyncio.Condition()

    async def routes(self) -> dict[str, Route]:
        """The splits, and the draining marks beside them, read at most `refresh_s` ago (counted from the
        read's start: what it returns is at least that fresh)."""
        if self.store is not None and time.monotonic() - self._loaded_at > self.refresh_s:
            started = time.monotonic()
            self._routes, self._draining = await asyncio.to_thread(self._read_routes, self.store)
            self._loaded_at = started
        return self._routes

    @staticmethod
    def _read_routes(store: Store) -> tuple[dict[str, Route], set[tuple[str, int]]]:
        draining = {(model, v) for model, loads in store.version_loads().items()
                    for v, load in loads.items() if load.draining_since is not None}
        return store.routes(), draining

    def draining(self, model: str, version: int) -> bool:
        return (model, version) in self._draining

    async def records(self) -> dict[str, dict[int, VersionRecord]]:
        """Every published version's record, read at most `refresh_s` ago."""
        if self.catalog is not None and time.monotonic() - self._records_at > self.refresh_s:
            self._records = await asyncio.to_thread(self.catalog.version_records)
            self._records_at = time.monotonic()
        return self._records

    async def version_trained(self, model: str, version: int, metadata: ModelMetadata) -> bool:
        """What the version's own record says; a version without one (exported before records, or never
        published) falls back to its model's config, the only other place that says it."""
        record = (await self.records()).get(model, {}).get(version)
        return metadata.trained if record is None else record.trained

    def invalidate(self) -> None:
        """Forget routes, records and metadata: the admin API has just changed them on this replica."""
        self._loaded_at = float("-inf")
        self._records_at = float("-inf")
        self._metadata.clear()
        # A read already under way may have seen the state before the change: later callers must not join it.
        self._fetching.clear()

    async def metadata(self, model: str) -> ModelMetadata:
        """The model's metadata, read at most `refresh_s` ago; concurrent misses share one read, and a
        failed read (model unloaded, backend down) is not kept."""
        read = self._metadata.get(model)
        if read is not None and time.monotonic() - read.at <= self.refresh_s:
            return read.metadata
        fetch = self._fetching.get(model)
        if fetch is None:
            fetch = self._fetching[model] = asyncio.create_task(self._fetch(model))
        # Shielded: a caller cancelled by its deadline must not cancel the read the others wait on.
        return await asyncio.shield(fetch)

    async def trained(self, model: str) -> bool:
        """Whether the model is served and every version that takes its traffic is trained."""
        versions = await self.trained_versions(model)
        return bool(versions) and all(versions.values())

    async def trained_versions(self, model: str) -> dict[int, bool]:
        """Whether each version taking the model's traffic now is trained (cached metadata and records);
        empty when the model is not served: a model that cannot say it is trained is not taken on trust."""
        try:
            metadata = await self.metadata(model)
        except (ModelNotFound, ModelNotReady, BackendUnavailable):
            return {}
        route = (await self.routes()).get(model)
        versions = [v for v, w in (route.split if route else {}).items() if w > 0] or list(metadata.versions[:1])
        return {v: await self.version_trained(model, v, metadata) for v in sorted(versions)}

    async def _fetch(self, model: str) -> ModelMetadata:
        started = time.monotonic()
        task = asyncio.current_task()
        try:
            metadata = await self.client.model_metadata(model)
            if self._fetching.get(model) is task:  # else invalidated meanwhile: possibly stale already
                self._metadata[model] = _Read(started, metadata)
            return metadata
        finally:
            if self._fetching.get(model) is task:
                del self._fetching[model]

    async def choose(self, model: str, pinned: int | None = None) -> ModelUse:
        metadata = await self.metadata(model)
        if pinned is not None:  # an explicit pin is checked against the backend every time
            if self.draining(model, pinned):
                raise ModelNotFound(f"version {pinned} of model '{model}' is being unloaded")
            if not await self.client.is_model_ready(model, pinned):
                raise ModelNotFound(f"version {pinned} of model '{model}' is not loaded")
            return ModelUse(model, pinned, await self.version_trained(model, pinned, metadata))
        route = (await self.routes()).get(model)
        weighted = {v: w for v, w in (route.split if route else {}).items() if w > 0}
        unmarked = [v for v in metadata.versions if not self.draining(model, v)]
        if weighted:
            version = self._rng.choices(list(weighted), weights=list(weighted.values()))[0]
        elif unmarked:
            version = unmarked[0]
        elif metadata.versions:
            raise ModelNotFound(f"every version of model '{model}' is being unloaded")
        else:
            raise ModelNotFound(f"model '{model}' has no version to serve; `python -m fittingroom.export --model "
                                f"{model}` exports it, `make repository` every model")
        return ModelUse(model, version, await self.version_trained(model, version, metadata))

    async def acquire(self, models: Iterable[str], pins: Mapping[str, int] | None = None) -> dict[str, ModelUse]:
        """Choose and lease one version of each model; pair with `release`."""
        pins = pins or {}
        models = list(models)
        uses = await asyncio.gather(*(self.choose(m, pins.get(m)) for m in models))
        # Checked again with no await between the check and the lease: the marks are then at most `refresh_s`
        # (plus one read) old, the bound an unload on another gateway waits for. A version marked meanwhile
        # (a split never gives one weight) is chosen again, now without it.
        await self.routes()
        if any(self.draining(use.model, use.version) for use in uses):
            uses = await asyncio.gather(*(self.choose(m, pins.get(m)) for m in models))
            await self.routes()
            marked = [use for use in uses if self.draining(use.model, use.version)]
            if marked:
                raise ModelNotFound(f"version {marked[0].version} of model '{marked[0].model}' is being unloaded")
        for use in uses:
            self._leases[(use.model, use.version)] += 1
        return {use.model: use for use in uses}

    async def release(self, uses: Iterable[ModelUse]) -> None:
        async with self._released:
            for use in uses:
                self._leases[(use.model, use.version)] -= 1
            self._released.notify_all()

    def in_use(self, model: str, version: int) -> int:
        return self._leases[(model, version)]

    async def drained(self, model: str, version: int, timeout_s: float) -> bool:
        """Wait until no request holds `version` of `model`; False on timeout."""
        async with self._released:
            try:
                await asyncio.wait_for(self._released.wait_for(lambda: self.in_use(model, version) <= 0),
                                       timeout_s)
            except TimeoutError:
                return False
        return True
