"""TrafficRouter's metadata cache: one backend read per model per `refresh_s`, shared by concurrent misses,
dropped by `invalidate` (which the admin API calls after every change), and never keeping an error."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from fittingroom.common.embedded import EmbeddedClient
from fittingroom.common.errors import ModelNotReady
from fittingroom.common.inference import InferenceClient, ModelMetadata, Tensors
from fittingroom.common.repository import ModelRepository, VersionPolicy, render_config
from fittingroom.export.model_recipes import BUILDERS
from fittingroom.gateway import routing
from fittingroom.gateway.admin import ModelAdmin
from fittingroom.gateway.metrics import GatewayMetrics
from fittingroom.gateway.routing import TrafficRouter
from fittingroom.gateway.store import Store
from fittingroom.tryon.networks import VITONHD_MODELS

MODEL = "style_transform"


class Counting:
    """Wraps a client and counts the control calls the router makes; `gate`, when set, holds metadata reads
    until it opens, and `failures` makes that many reads fail first."""

    def __init__(self, inner: InferenceClient) -> None:
        self.inner = inner
        self.metadata_calls: Counter[str] = Counter()
        self.ready_calls = 0
        self.gate: asyncio.Event | None = None
        self.failures = 0

    async def model_metadata(self, model: str, version: int | None = None) -> ModelMetadata:
        self.metadata_calls[model] += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.failures:
            self.failures -= 1
            raise ModelNotReady(f"model '{model}' is loading")
        return await self.inner.model_metadata(model, version)

    async def is_model_ready(self, model: str, version: int | None = None) -> bool:
        self.ready_calls += 1
        return await self.inner.is_model_ready(model, version)

    async def infer(self, model: str, inputs: Tensors, version: int | None = None,
                    *, timeout_s: float | None = None) -> Tensors:
        return await self.inner.infer(model, inputs, version, timeout_s=timeout_s)

    async def is_server_ready(self) -> bool:
        return await self.inner.is_server_ready()

    async def close(self) -> None:
        await self.inner.close()


@pytest.fixture
def counting(embedded: EmbeddedClient) -> Counting:
    return Counting(embedded)


async def test_requests_within_refresh_read_each_models_metadata_once(counting: Counting) -> None:
    router = TrafficRouter(counting, refresh_s=60)
    for _ in range(10):  # ten neural-path try-ons, one after the other
        uses = await router.acquire(VITONHD_MODELS)
        await router.release(uses.values())
    assert counting.metadata_calls == Counter(dict.fromkeys(VITONHD_MODELS, 1))


async def test_concurrent_misses_share_one_read(counting: Counting) -> None:
    router = TrafficRouter(counting, refresh_s=60)
    counting.gate = asyncio.Event()
    waiting = [asyncio.create_task(router.metadata(MODEL)) for _ in range(8)]
    await asyncio.sleep(0.01)
    counting.gate.set()
    answers = await asyncio.gather(*waiting)
    assert counting.metadata_calls[MODEL] == 1
    assert all(answer is answers[0] for answer in answers)


async def test_a_caller_cancelled_by_its_deadline_leaves_the_shared_read_alone(counting: Counting) -> None:
    router = TrafficRouter(counting, refresh_s=60)
    counting.gate = asyncio.Event()
    impatient = asyncio.create_task(router.metadata(MODEL))
    patient = asyncio.create_task(router.metadata(MODEL))
    await asyncio.sleep(0.01)
    impatient.cancel()
    counting.gate.set()
    assert (await patient).name == MODEL
    assert counting.metadata_calls[MODEL] == 1


async def test_metadata_is_read_again_after_refresh_s(counting: Counting, monkeypatch: pytest.MonkeyPatch) -> None:
    # The router's own clock, stepped by hand: a loaded machine took longer than refresh_s between two calls.
    now = [100.0]
    monkeypatch.setattr(routing, "time", SimpleNamespace(monotonic=lambda: now[0]))
    router = TrafficRouter(counting, refresh_s=0.05)
    await router.metadata(MODEL)
    now[0] += 0.04
    await router.metadata(MODEL)
    assert counting.metadata_calls[MODEL] == 1
    now[0] += 0.1
    await router.metadata(MODEL)
    assert counting.metadata_calls[MODEL] == 2


async def test_invalidate_forces_a_new_read(counting: Counting) -> None:
    router = TrafficRouter(counting, refresh_s=60)
    await router.metadata(MODEL)
    router.invalidate()
    await router.metadata(MODEL)
    assert counting.metadata_calls[MODEL] == 2


async def test_a_read_under_way_at_invalidate_is_neither_joined_nor_kept(counting: Counting) -> None:
    router = TrafficRouter(counting, refresh_s=60)
    counting.gate = asyncio.Event()
    before = asyncio.create_task(router.metadata(MODEL))
    await asyncio.sleep(0.01)
    router.invalidate()  # the read under way may have seen the state before the change
    after = asyncio.create_task(router.metadata(MODEL))
    await asyncio.sleep(0.01)
    counting.gate.set()
    await asyncio.gather(before, after)
    assert counting.metadata_calls[MODEL] == 2
    await router.metadata(MODEL)  # the read that began after invalidate is the one kept
    assert counting.metadata_calls[MODEL] == 2


async def test_an_error_is_not_cached(counting: Counting) -> None:
    router = TrafficRouter(counting, refresh_s=60)
    counting.failures = 1
    with pytest.raises(ModelNotReady):
        await router.choose(MODEL)
    assert (await router.choose(MODEL)).version == 1
    assert counting.metadata_calls[MODEL] == 2


async def test_concurrent_callers_of_a_failed_read_all_get_its_error(counting: Counting) -> None:
    router = TrafficRouter(counting, refresh_s=60)
    counting.gate, counting.failures = asyncio.Event(), 1
    waiting = [asyncio.create_task(router.metadata(MODEL)) for _ in range(3)]
    await asyncio.sleep(0.01)
    counting.gate.set()
    answers = await asyncio.gather(*waiting, return_exceptions=True)
    assert all(isinstance(answer, ModelNotReady) for answer in answers)
    assert counting.metadata_calls[MODEL] == 1


async def test_a_pinned_version_is_checked_every_time(counting: Counting) -> None:
    router = TrafficRouter(counting, refresh_s=60)
    for _ in range(3):
        assert (await router.choose(MODEL, pinned=1)).version == 1
    assert counting.ready_calls == 3
    assert counting.metadata_calls[MODEL] == 1


# -- the admin API drops the cache after every change -------------------------------------------------


def _repository_with_v2(source: Path, target: Path) -> Path:
    """MODEL with version 1 served and a version 2 on disk that is not (files linked, not copied)."""
    for version in (1, 2):
        (target / MODEL / str(version)).mkdir(parents=True)
        (target / MODEL / str(version) / "model.onnx").symlink_to(source / MODEL / "1" / "model.onnx")
    config = render_config(BUILDERS[MODEL].spec, version_policy=VersionPolicy("specific", specific=(1,)))
    (target / MODEL / "config.pbtxt").write_text(config)
    return target


@pytest.fixture
async def admin(repository: Path, tmp_path: Path) -> AsyncIterator[ModelAdmin]:
    repo = _repository_with_v2(repository, tmp_path / "repository")
    client = EmbeddedClient(repo, intra_op_threads=1)
    store = Store(f"sqlite:///{tmp_path / 'tryon.db'}")
    yield ModelAdmin(client, TrafficRouter(client, store, refresh_s=60), store, ModelRepository(repo),
                     GatewayMetrics(), drain_timeout_s=1, fleet_drain_s=0)
    store.close()
    await client.close()


async def test_admin_changes_reach_the_router_at_once(admin: ModelAdmin) -> None:
    router = admin.router
    assert (await router.metadata(MODEL)).versions == (1,)
    await admin.load(MODEL, 2)
    assert (await router.metadata(MODEL)).versions == (2, 1)
    await admin.promote(MODEL, 2)
    assert (await router.choose(MODEL)).version == 2
    await admin.rollback(MODEL)
    assert (await router.choose(MODEL)).version == 1
    await admin.unload(MODEL, 2)
    assert (await router.metadata(MODEL)).versions == (1,)
    await admin.load(MODEL, 2)  # the split exists now: no split change tells the router, the load must
    assert (await router.metadata(MODEL)).versions == (2, 1)


async def test_unloading_the_last_version_reaches_the_router_at_once(admin: ModelAdmin) -> None:
    await admin.router.metadata(MODEL)
    await admin.unload(MODEL, 1)
    with pytest.raises(ModelNotReady):
        await admin.router.metadata(MODEL)
