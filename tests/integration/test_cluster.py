"""The scale-out stack of `make cluster` under load: real PostgreSQL, two tritonserver replicas on 127.0.0.2 and
127.0.0.3 behind one gRPC target, two gateway replicas sharing the database (tools/cluster.py).

Design try-ons (small images) from 8 clients spread over both gateways. style_transform starts at a version 1
of seeded, untrained weights; a version 2 with the real (trained) weights is published mid-test, loaded on
both replicas, split 90/10; a replica is killed and restarted during the canary and comes back with both
versions; v2 is promoted, and version 1 unloaded through one gateway while both serve; a replica that drifted
from the versions the admin API loaded (and a store config that drifted) are brought back by the gateways'
reconcile pass. The tests run in order, on one stack.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import pytest
from helpers import POSTGRESQL, require, version_with_other_weights

from fittingroom.common.imagecodec import decode_image, encode_image, limit_side
from fittingroom.common.repository import CONFIG_NAME, VersionPolicy, parse_config, with_specific_versions
from fittingroom.common.triton_client import TritonClient
from fittingroom.common.triton_server import TritonServer
from fittingroom.export.weights import WEIGHTS
from tools.cluster import ADMIN_KEY, SHOP_KEY, LocalCluster, serving_view

pytestmark = pytest.mark.integration

MODEL = "style_transform"
CLIENTS = 8
LOAD_S = 60.0
MIN_SHARE = 0.30  # of the inferences, per Triton replica
# Batching moves float noise, far below a grey level; v1 and v2 differ by tens of grey levels.
SAME_IMAGE = 1.0
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
# The request deadline bounds how long an unload waits for the other gateway's requests (its refresh + this).
REQUEST_TIMEOUT_S = 20
RECONCILE_S = 2  # how often each gateway checks every replica against the versions the admin API loaded


@dataclass
class Answer:
    status: int
    versions: str  # X-Model-Versions
    untrained: str  # X-Untrained-Models
    image: np.ndarray | None
    error: str = ""

    def version(self, model: str = MODEL) -> int:
        match = re.search(rf"\b{model}=(\d+)", self.versions)
        assert match, self.versions
        return int(match.group(1))


@pytest.fixture(scope="module")
def cluster(repository: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    require(POSTGRESQL)
    workdir = tmp_path_factory.mktemp("cluster")
    view = serving_view(repository, workdir / "source")
    untrained = version_with_other_weights(view / MODEL / "1", workdir / "untrained" / MODEL / "1", seed=1)
    with LocalCluster(workdir, repository, first_versions={MODEL: untrained},
                      gateway_env={"TRYON_REQUEST_TIMEOUT_S": str(REQUEST_TIMEOUT_S),
                                   "TRYON_RECONCILE_S": str(RECONCILE_S)}) as stack:
        yield stack


@pytest.fixture(scope="module")
def design_files(person: np.ndarray, content: np.ndarray, artwork: np.ndarray) -> dict[str, tuple[str, bytes, str]]:
    return {name: (f"{name}.png", encode_image(limit_side(image, 160), "png")[0], "image/png")
            for name, image in (("person", person), ("content", content), ("style", artwork))}


def successes(server: TritonServer) -> float:
    """Inferences this replica has served since it started (its own nv_inference_request_success)."""
    with urllib.request.urlopen(server.metrics_url, timeout=5) as response:
        text = response.read().decode()
    return sum(float(v) for v in re.findall(r"^nv_inference_request_success\{[^}]*\} (\S+)$", text, re.M))


def version_successes(server: TritonServer, model: str = MODEL) -> dict[int, float]:
    """Inferences of each version of `model` this replica has served since it started."""
    with urllib.request.urlopen(server.metrics_url, timeout=5) as response:
        text = response.read().decode()
    found: dict[int, float] = {}
    for labels, count in re.findall(r"^nv_inference_request_success\{([^}]*)\} (\S+)$", text, re.M):
        pairs = dict(re.findall(r'(\w+)="([^"]*)"', labels))
        if pairs.get("model") == model:
            found[int(pairs["version"])] = float(count)
    return found


async def loaded_on(server: TritonServer, model: str = MODEL) -> list[int]:
    """The versions of `model` READY on this one replica (its own repository index)."""
    client = TritonClient(server.grpc_url)
    try:
        return await client.loaded_versions(model)
    finally:
        await client.close()


async def _tryon(http: httpx.AsyncClient, files: dict[str, tuple[str, bytes, str]],
                 headers: dict[str, str] | None = None) -> Answer:
    response = await http.post("/v1/tryon/design", files=files, data={"max_side": "96"}, headers=headers)
    image = decode_image(response.content, field="result", max_pixels=10**7) if response.status_code == 200 else None
    return Answer(response.status_code, response.headers.get("X-Model-Versions", ""),
                  response.headers.get("X-Untrained-Models", ""), image, "" if image is not None else response.text)


class Load:
    """8 clients, alternating between the gateways, each sending design try-ons one after another."""

    def __init__(self, gateways: list[str], files: dict[str, tuple[str, bytes, str]]) -> None:
        self.gateways = gateways
        self.files = files
        self.answers: list[Answer] = []
        self.stop = asyncio.Event()
        self.workers: list[asyncio.Task[None]] = []

    async def _client(self, url: str) -> None:
        async with httpx.AsyncClient(base_url=url, timeout=120, headers={"X-API-Key": SHOP_KEY}) as http:
            while not self.stop.is_set():
                self.answers.append(await _tryon(http, self.files))

    def start(self) -> None:
        gateways = itertools.cycle(self.gateways)
        self.workers = [asyncio.create_task(self._client(next(gateways))) for _ in range(CLIENTS)]

    async def until(self, done: Callable[[], bool], timeout_s: float = 180) -> None:
        deadline = time.monotonic() + timeout_s
        while not done():
            assert time.monotonic() < deadline, f"not reached after {timeout_s:.0f}s ({len(self.answers)} answers)"
            await asyncio.sleep(0.1)

    async def finish(self) -> list[Answer]:
        self.stop.set()
        await asyncio.gather(*self.workers)
        failed = [a for a in self.answers if a.status != 200]
        assert failed == [], f"{len(failed)} of {len(self.answers)} try-ons failed, the first: {failed[0].error}"
        return self.answers


def test_load_is_balanced_over_both_triton_replicas(cluster: LocalCluster,
                                                    design_files: dict[str, tuple[str, bytes, str]]) -> None:
    before = [successes(t) for t in cluster.tritons]

    async def scenario() -> list[Answer]:
        load = Load(cluster.gateways, design_files)
        load.start()
        await asyncio.sleep(LOAD_S)
        return await load.finish()

    answers = asyncio.run(scenario())
    served = [successes(t) - b for t, b in zip(cluster.tritons, before, strict=True)]
    shares = [s / sum(served) for s in served]
    print(f"{len(answers)} try-ons in {LOAD_S:.0f}s; inferences per replica {served} (shares {shares})")
    assert all(share >= MIN_SHARE for share in shares), (served, shares)


def _kill(server: TritonServer) -> None:
    """SIGKILL, as a crash or an OOM kill would: no unloading, no goodbye to the clients."""
    assert server.process is not None
    os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait()


def test_a_replica_killed_mid_load_fails_no_tryon_and_gets_traffic_back(
        cluster: LocalCluster, design_files: dict[str, tuple[str, bytes, str]]) -> None:
    victim, survivor = cluster.tritons

    async def scenario() -> tuple[float, float]:
        load = Load(cluster.gateways, design_files)
        load.start()
        await load.until(lambda: len(load.answers) >= 8)
        _kill(victim)
        killed_at = len(load.answers)
        await load.until(lambda: len(load.answers) >= killed_at + 8)  # served by the survivor alone
        victim.start()  # same address and ports; nothing else is restarted
        await asyncio.to_thread(victim.wait_ready, 180)
        survivor_before, ready_at = successes(survivor), len(load.answers)
        await load.until(lambda: len(load.answers) >= ready_at + 24)
        returned, other = successes(victim), successes(survivor) - survivor_before
        await load.finish()
        return returned, other

    returned, other = asyncio.run(scenario())
    print(f"after the restart: the restarted replica served {returned:.0f} inferences, the other {other:.0f}")
    assert returned / (returned + other) >= MIN_SHARE


def _mean_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.float64) - b.astype(np.float64)).mean())


def test_a_version_with_other_weights_is_swapped_on_every_replica_and_each_response_is_its_own(
        cluster: LocalCluster, design_files: dict[str, tuple[str, bytes, str]]) -> None:
    trained = cluster.workdir / "source" / MODEL / "1"  # the real weights, with their export record
    published = subprocess.run(
        [sys.executable, "-m", "fittingroom.gateway.publish", MODEL, "2", "--from", str(trained),
         "--store", str(cluster.store_dir)], env=cluster.env(), capture_output=True, text=True)
    assert published.returncode == 0, published.stderr
    first, second = cluster.gateways

    async def scenario() -> tuple[list[Answer], dict[int, np.ndarray]]:
        async with httpx.AsyncClient(timeout=300, headers=ADMIN) as admin:
            loaded = await admin.post(f"{first}/v1/admin/models/{MODEL}/versions/2/load")
            assert loaded.status_code == 200, loaded.text
            assert loaded.json()["split"] == {"1": 100}  # a new version takes no traffic by itself
            replicas = loaded.json()["replicas"]
            assert sorted(replicas) == sorted(t.grpc_url for t in cluster.tritons)
            assert all(r["versions_loaded"] == [1, 2] for r in replicas.values()), replicas

            # What each version paints, asked by pinning it (through both replicas: the channel alternates).
            async with httpx.AsyncClient(base_url=first, timeout=120, headers={"X-API-Key": SHOP_KEY}) as http:
                references = {}
                for version in (1, 2):
                    pinned = [await _tryon(http, design_files, {"X-Model-Version": f"{MODEL}={version}"})
                              for _ in range(2)]
                    assert all(p.status == 200 and p.image is not None for p in pinned)
                    references[version] = pinned[0].image
                    assert _mean_abs_diff(pinned[0].image, pinned[1].image) < SAME_IMAGE  # type: ignore[arg-type]
            assert _mean_abs_diff(references[1], references[2]) > 2 * SAME_IMAGE

            load = Load(cluster.gateways, design_files)
            load.start()
            await load.until(lambda: len(load.answers) >= 8)
            split = await admin.put(f"{second}/v1/admin/models/{MODEL}/split", json={"1": 90, "2": 10})
            assert split.status_code == 200, split.text
            await load.until(lambda: sum(a.status == 200 and a.version() == 2 for a in load.answers) >= 3)

            # A replica killed during the canary comes back (same address, nothing else restarted) with BOTH
            # versions: it loads what the admin API loaded, from the store's config, before it reports ready.
            victim = cluster.tritons[0]
            _kill(victim)
            killed_at = len(load.answers)
            await load.until(lambda: len(load.answers) >= killed_at + 8)
            victim.start()
            await asyncio.to_thread(victim.wait_ready, 180)
            assert await loaded_on(victim) == [1, 2]
            # ...and serves both (its counters start at the restart).
            await load.until(lambda: all(version_successes(victim).get(v, 0) > 0 for v in (1, 2)))
            print(f"restarted replica served {version_successes(victim)} per version of {MODEL}")

            promoted = await admin.post(f"{first}/v1/admin/models/{MODEL}/versions/2/promote")
            assert promoted.status_code == 200, promoted.text
            promoted_at = len(load.answers)
            await load.until(lambda: len(load.answers) >= promoted_at + 16)
            # Unloaded through the second gateway: the first stops taking requests on v1 too (a pin is refused
            # once it sees the mark), and Triton unloads v1 only after both gateways' requests on it are done.
            started = time.monotonic()
            unloading = asyncio.create_task(admin.post(f"{second}/v1/admin/models/{MODEL}/versions/1/unload"))
            async with httpx.AsyncClient(base_url=first, timeout=120, headers={"X-API-Key": SHOP_KEY}) as http:
                while (pinned := await _tryon(http, design_files, {"X-Model-Version": f"{MODEL}=1"})).status == 200:
                    assert not unloading.done(), "v1 was unloaded while the other gateway still served it"
                assert pinned.status == 404 and "being unloaded" in pinned.error, pinned.error
            unloaded = await unloading
            assert unloaded.status_code == 200, unloaded.text
            print(f"unload across both gateways took {time.monotonic() - started:.1f}s "
                  f"(refresh + request deadline {REQUEST_TIMEOUT_S}s)")
            assert unloaded.json()["versions_loaded"] == [2]
            unloaded_at = len(load.answers)
            await load.until(lambda: len(load.answers) >= unloaded_at + 8)
            answers = await load.finish()

            models = {m["name"]: m for m in (await admin.get(f"{second}/v1/admin/models")).json()}
            view = models[MODEL]
            assert view["split"] == {"2": 100} and view["versions_published"] == [1, 2]
            assert all(r["versions_loaded"] == [2] for r in view["replicas"].values()), view["replicas"]
            assert view["versions"]["1"]["trained"] is False and view["versions"]["1"]["weights_origin"] == "seeded"
            assert view["versions"]["2"]["trained"] is True and view["versions"]["2"]["weights_origin"] == "package"
            assert view["versions"]["2"]["checkpoint_sha256"] == WEIGHTS[MODEL].sha256  # the pinned package file
            assert view["versions_wanted"] == [2] and view["versions_draining"] == []
            config = parse_config((cluster.store_dir / MODEL / CONFIG_NAME).read_text())
            assert config.version_policy == VersionPolicy("specific", specific=(2,))
            ready = (await admin.get(f"{first}/readyz")).json()
            assert ready["versions_trained"][MODEL] == {"2": True}
        return answers, references

    answers, references = asyncio.run(scenario())
    gap = _mean_abs_diff(references[1], references[2])
    by_version = {v: [a for a in answers if a.version() == v] for v in (1, 2)}
    assert by_version[1] and by_version[2]
    for version, got in by_version.items():
        other = 3 - version
        for answer in got:
            assert answer.image is not None
            # The image is the one the named version paints, not the other's.
            assert _mean_abs_diff(answer.image, references[version]) < SAME_IMAGE
            assert _mean_abs_diff(answer.image, references[other]) > gap / 2
            # The canary labels each response by the version that made it: v1 untrained, v2 trained.
            assert (MODEL in answer.untrained) == (version == 1), (answer.versions, answer.untrained)
    print(f"hot swap: {len(answers)} try-ons, {len(by_version[1])} by v1 and {len(by_version[2])} by v2, none failed")


def test_a_replica_and_a_store_config_that_drifted_are_brought_back_by_the_gateways(
        cluster: LocalCluster, design_files: dict[str, tuple[str, bytes, str]]) -> None:
    """What the store's config cannot cover (a pod started from an older copy of the store, a version that
    failed to load on one replica): each gateway's reconcile pass loads and warms the wanted version there, and
    writes the store's config back. Nothing is unloaded by it."""
    drifted = cluster.tritons[1]
    config_path = cluster.store_dir / MODEL / CONFIG_NAME
    wanted = parse_config(config_path.read_text()).version_policy
    assert wanted == VersionPolicy("specific", specific=(2,))  # after the swap above

    async def scenario() -> list[int]:
        replica = TritonClient(drifted.grpc_url)
        try:
            await replica.load_model(MODEL, [1])  # serves v1 only now, not the wanted v2
            config_path.write_text(with_specific_versions(config_path.read_text(), [1]))
            deadline = time.monotonic() + 30 * RECONCILE_S
            while (await replica.loaded_versions(MODEL) != [1, 2]
                   or parse_config(config_path.read_text()).version_policy != wanted):
                assert time.monotonic() < deadline, "the gateways did not bring the replica back"
                await asyncio.sleep(0.2)
            load = Load(cluster.gateways, design_files)
            load.start()
            await load.until(lambda: len(load.answers) >= 16)
            answers = await load.finish()
            assert {a.version() for a in answers} == {2}
            return await replica.loaded_versions(MODEL)
        finally:
            await replica.close()

    assert asyncio.run(scenario()) == [1, 2]  # v2 loaded and warmed beside what it had; v1 left alone
