"""Hot-swapping a model version under load: 100/0 -> 90/10 -> 0/100, unload the old one, 0 failures; v2 has
other weights than v1 (tests/helpers.py version_with_other_weights), and each image is checked to be the one of the
version its response names."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import pytest
from helpers import live_gateway, version_with_other_weights

from fittingroom.common.imagecodec import decode_image, encode_image, limit_side
from fittingroom.common.loopback import free_port
from fittingroom.common.repository import VersionPolicy, render_config
from fittingroom.common.triton_server import TritonServer
from fittingroom.export.model_recipes import BUILDERS
from fittingroom.export.runtimes import derive_repository
from fittingroom.gateway.settings import Settings
from fittingroom.tryon.design import DESIGN_MODELS

pytestmark = pytest.mark.integration

ADMIN = "admin-canary-0123456789"
SHOP = "shop-canary-0123456789"
MODEL = "style_transform"
CLIENTS = 8
# One version's images differ only by float noise (Triton may batch requests), far below one grey level;
# v2's weights carry 50 % seeded noise, which moves the printed design by several grey levels on average.
SAME_VERSION_MAX_MEAN_DIFF = 0.5


@dataclass(frozen=True)
class Served:
    status: int
    version: int | None  # style_transform's version, as the response names it (X-Model-Versions)
    image: np.ndarray | None


def _repository_with_v2(source: Path, target: Path) -> Path:
    """The design models (files linked, not copied) with a version 2 of MODEL on disk, with other weights,
    that is not served yet."""
    for name in DESIGN_MODELS:
        (target / name / "1").mkdir(parents=True)
        (target / name / "1" / "model.onnx").symlink_to(source / name / "1" / "model.onnx")
        spec = BUILDERS[name].spec
        policy = VersionPolicy("specific", specific=(1,)) if name == MODEL else None
        (target / name / "config.pbtxt").write_text(render_config(spec, version_policy=policy))
    version_with_other_weights(source / MODEL / "1", target / MODEL / "2", seed=2, noise=0.5)
    return target


@contextmanager
def _backend(kind: str, repo: Path, tmp_path: Path) -> Iterator[tuple[Path, dict[str, object]]]:
    """The repository the gateway reads and its backend settings: in process, or a real tritonserver."""
    if kind == "embedded":
        yield repo, {"backend": "embedded"}
        return
    served = tmp_path / "python-ort"
    derive_repository(repo, served)
    with TritonServer(served, http_port=free_port(), grpc_port=free_port(), metrics_port=free_port(),
                      models=list(DESIGN_MODELS), log_file=tmp_path / "tritonserver.log") as server:
        yield served, {"backend": "triton", "triton_url": server.grpc_url}


def _stage_count(metrics: str, version: int) -> float:
    pattern = (r'tryon_stage_duration_seconds_count\{model="style_transform",outcome="ok",stage="stylize",'
               rf'version="{version}"\}} (\S+)')
    match = re.search(pattern, metrics)
    return float(match.group(1)) if match else 0.0


def _served(response: httpx.Response) -> Served:
    if response.status_code != 200:
        return Served(response.status_code, None, None)
    versions = dict(pair.split("=") for pair in response.headers["x-model-versions"].split(", "))
    return Served(200, int(versions[MODEL]), decode_image(response.content, field="result", max_pixels=10**6))


async def _load(url: str, files: dict[str, tuple[str, bytes, str]], stop: asyncio.Event,
                outcomes: list[Served]) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=60, headers={"X-API-Key": SHOP}) as http:
        while not stop.is_set():
            response = await http.post("/v1/tryon/design", files=files, data={"max_side": "128"})
            outcomes.append(_served(response))


def _mean_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.float32) - b.astype(np.float32)).mean())


def _check_images_match_versions(outcomes: list[Served]) -> None:
    """Every image is its named version's image, and the two versions' images differ: a response that named
    one version but was computed by the other would fail here."""
    reference = {v: image for v in (1, 2) if (image := next(o.image for o in outcomes if o.version == v)) is not None}
    assert set(reference) == {1, 2}
    between = _mean_diff(reference[1], reference[2])
    assert between > 10 * SAME_VERSION_MAX_MEAN_DIFF, f"v1 and v2 images differ by only {between:.2f} on average"
    for index, outcome in enumerate(outcomes):
        assert outcome.version is not None and outcome.image is not None
        diff = _mean_diff(outcome.image, reference[outcome.version])
        assert diff <= SAME_VERSION_MAX_MEAN_DIFF, (
            f"response {index} names v{outcome.version} but its image differs from that version's by {diff:.2f} "
            f"(from the other's by {_mean_diff(outcome.image, reference[3 - outcome.version]):.2f})")


async def _run_until(outcomes: list[Served], count: int) -> None:
    while len(outcomes) < count:
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("backend", ["embedded", "triton"])
def test_version_switch_under_load_drops_nothing(backend: str, repository: Path, tmp_path: Path, person: np.ndarray,
                                                 content: np.ndarray, artwork: np.ndarray) -> None:
    with _backend(backend, _repository_with_v2(repository, tmp_path / "repo"), tmp_path) as (repo, extra):
        _switch_under_load(Settings(
            model_repository=repo, ort_threads=1, admin_key=ADMIN, api_keys=f"shop={SHOP}",
            database_url=f"sqlite:///{tmp_path / 'state.db'}", blob_dir=tmp_path / "blobs",
            tenant_max_in_flight=CLIENTS, tenant_burst=1000, tenant_rate_per_s=1000, max_concurrency=CLIENTS,
            # A hang guard, not a claim: 8 clients on a shared 2-core machine can take tens of seconds a try-on.
            # On Triton an unload waits this long (plus the routing refresh) for other gateways' requests.
            request_timeout_s=60, **extra), person, content, artwork)  # type: ignore[arg-type]


def _switch_under_load(settings: Settings, person: np.ndarray, content: np.ndarray, artwork: np.ndarray) -> None:
    files = {name: (f"{name}.png", encode_image(limit_side(image, 192), "png")[0], "image/png")
             for name, image in (("person", person), ("content", content), ("style", artwork))}
    admin = {"Authorization": f"Bearer {ADMIN}"}

    async def scenario(url: str) -> list[Served]:
        outcomes: list[Served] = []
        stop = asyncio.Event()
        async with httpx.AsyncClient(base_url=url, timeout=120) as http:
            workers = [asyncio.create_task(_load(url, files, stop, outcomes)) for _ in range(CLIENTS)]
            loaded = await http.post(f"/v1/admin/models/{MODEL}/versions/2/load", headers=admin)
            assert loaded.status_code == 200, loaded.text
            assert loaded.json()["split"] == {"1": 100}  # a new version takes no traffic by itself
            await _run_until(outcomes, 40)
            before_split = len(outcomes)  # completed while v1 had all the traffic
            for split, until in (({"1": 90, "2": 10}, 120), ({"2": 100}, 160)):
                changed = await http.put(f"/v1/admin/models/{MODEL}/split", json=split, headers=admin)
                assert changed.status_code == 200, changed.text
                await _run_until(outcomes, until)
            refused = await http.post(f"/v1/admin/models/{MODEL}/versions/2/unload", headers=admin)
            assert refused.status_code == 409  # still has traffic
            unloaded = await http.post(f"/v1/admin/models/{MODEL}/versions/1/unload", headers=admin,
                                       timeout=settings.routing_refresh_s + settings.request_timeout_s + 60)
            assert unloaded.status_code == 200, unloaded.text
            assert unloaded.json()["versions_loaded"] == [2]
            after_unload = len(outcomes)  # v1 waited for its last lease before unloading: v2 only from here
            await _run_until(outcomes, after_unload + 40)
            stop.set()
            await asyncio.gather(*workers)
            metrics = (await http.get("/metrics")).text
            assert _stage_count(metrics, 1) > 0 and _stage_count(metrics, 2) > 0  # both versions served
            assert 'tryon_traffic_split_ratio{model="style_transform",version="2"} 1.0' in metrics
        assert {o.version for o in outcomes[:before_split]} == {1}
        assert {o.version for o in outcomes[after_unload:]} == {2}
        return outcomes

    with live_gateway(settings) as url:
        outcomes = asyncio.run(scenario(url))
    failed = [o.status for o in outcomes if o.status != 200]
    assert len(outcomes) >= 200 and failed == [], f"{len(failed)} of {len(outcomes)} failed: {set(failed)}"
    _check_images_match_versions(outcomes)

    # The routing table survives a restart (it lives in the shared store).
    with live_gateway(settings) as url, httpx.Client(base_url=url, timeout=60) as http:
        models = {m["name"]: m for m in http.get("/v1/admin/models", headers=admin).json()}
        assert models[MODEL]["split"] == {"2": 100}
