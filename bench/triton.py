"""Against a local tritonserver (the pip build, python-ort flavour): dynamic batching on vs off, and the
embedded backend vs Triton for the same design try-on.

One server serves the derived python-ort view of `model_repository/` plus two copies of the batching model
that differ only in their config: `<model>_batching_on` keeps the repository's `dynamic_batching` block,
`<model>_batching_off` has none. Both point at the very same model.onnx, so the two curves differ by the
scheduler alone. The server is started with the project's own `TritonServer` (tests use it too). The server,
the client pool and the closed-loop worker serve the queue-delay suite too (queue_delay.py).
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from google.protobuf import text_format
from tritonclient.grpc import model_config_pb2 as mc

from bench.common import Spread, percentile
from bench.tryon import design_request, stage_summary
from fittingroom.common.embedded import EmbeddedClient
from fittingroom.common.inference import InferenceClient
from fittingroom.common.loopback import free_port
from fittingroom.common.repository import CONFIG_NAME, ModelRepository
from fittingroom.common.triton_client import TritonClient
from fittingroom.common.triton_server import TritonServer
from fittingroom.export.runtimes import derive_repository
from fittingroom.gateway.routing import TrafficRouter
from fittingroom.tryon.design import DESIGN_MODELS, DesignPipeline
from fittingroom.tryon.result import TryOnResult

log = logging.getLogger(__name__)
CONCURRENCY = (1, 2, 4, 8, 16)
Layout = TypeVar("Layout")


def _config(repository: Path, model: str) -> mc.ModelConfig:
    return text_format.Parse((repository / model / CONFIG_NAME).read_text(), mc.ModelConfig())


def add_copies(source: Path, target: Path, model: str, batching: dict[str, mc.ModelDynamicBatching | None]) -> None:
    """Add `model` to `target` once per name of `batching`, with that `dynamic_batching` block (None: none) and the
    rest of its config unchanged. All copies point at the very same model.onnx: they differ by the scheduler alone."""
    config = _config(source, model)
    for name, block in batching.items():
        copy = mc.ModelConfig()
        copy.CopyFrom(config)
        copy.name = name
        copy.ClearField("dynamic_batching")
        if block is not None:
            copy.dynamic_batching.CopyFrom(block)
        version_dir = target / name / "1"
        version_dir.mkdir(parents=True)
        (target / name / CONFIG_NAME).write_text(text_format.MessageToString(copy))
        (version_dir / "model.onnx").symlink_to(ModelRepository(source).model_path(model, 1).resolve())


def _batching_copies(source: Path, target: Path, model: str) -> tuple[str, str]:
    """Link the design-mode models of `source` into `target` and add `model` twice, with and without dynamic
    batching (other models of the repository stay out: they would only slow the start and take memory)."""
    for name in DESIGN_MODELS:
        (target / name).symlink_to((source / name).resolve())
    config = _config(source, model)
    if not config.HasField("dynamic_batching"):
        raise ValueError(f"{model} has no dynamic_batching in its config: nothing to compare")
    names = (f"{model}_batching_on", f"{model}_batching_off")
    add_copies(source, target, model, {names[0]: config.dynamic_batching, names[1]: None})
    return names


@contextmanager
def local_triton(lay_out: Callable[[Path], Layout]) -> Iterator[tuple[TritonServer, Layout]]:
    """A tritonserver serving the python-ort view of what `lay_out` puts into an empty folder, and what it
    returned (the names of the models it added)."""
    with tempfile.TemporaryDirectory() as tmp:
        source, served = Path(tmp) / "source", Path(tmp) / "python-ort"
        source.mkdir()
        names = lay_out(source)
        derive_repository(source, served)
        log_file = Path(tmp) / "tritonserver.log"
        server = TritonServer(served, http_port=free_port(), grpc_port=free_port(), metrics_port=free_port(),
                              log_file=log_file)
        try:
            with server:
                log.info("tritonserver ready in %.1f s", server.ready_after_s or 0)
                yield server, names
        finally:
            if log_file.is_file():
                shutil.copy(log_file, Path(tempfile.gettempdir()) / "bench-tritonserver.log")


def random_inputs(repository: Path, model: str) -> dict[str, np.ndarray]:
    """One seeded sample of each input of `model`: every config and round is sent the same tensors."""
    rng = np.random.default_rng(0)
    spec = ModelRepository(repository).config(model)
    return {t.name: rng.random((1, *t.dims), dtype=np.float32) for t in spec.inputs}


@asynccontextmanager
async def client_pool(url: str, size: int) -> AsyncIterator[list[TritonClient]]:
    """One client per concurrent caller: each has its own gRPC channel, as separate gateways would."""
    clients = [TritonClient(url) for _ in range(size)]
    try:
        yield clients
    finally:
        await asyncio.gather(*(c.close() for c in clients))


def _counts(stats: dict[str, object]) -> tuple[int, int]:
    entry = stats["model_stats"][0]  # type: ignore[index]
    return int(entry.get("inference_count", 0)), int(entry.get("execution_count", 0))


async def warm_up(clients: list[TritonClient], models: tuple[str, ...], inputs: dict[str, np.ndarray]) -> None:
    for model in models:
        await closed_loop(clients[:2], model, inputs, 4)  # the stub opens its session, ORT its arena


async def closed_loop(clients: list[TritonClient], model: str, inputs: dict[str, np.ndarray], requests: int,
                      ) -> tuple[float, list[float]]:
    """`requests` calls shared by the clients, each keeping one in flight: (requests/s, latencies in ms)."""
    latencies: list[float] = []
    remaining = requests

    async def worker(client: TritonClient) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            start = time.perf_counter()
            await client.infer(model, inputs, timeout_s=120)
            latencies.append((time.perf_counter() - start) * 1000)

    start = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in clients))
    return requests / (time.perf_counter() - start), latencies


@dataclass(frozen=True)
class Level:
    """One closed loop at one concurrency, with what Triton's scheduler made of it."""

    requests_per_s: float
    latencies_ms: list[float]
    inferences: int
    executions: int


async def measure_level(clients: list[TritonClient], model: str, inputs: dict[str, np.ndarray],
                        requests: int) -> Level:
    before = _counts(await clients[0].statistics(model))
    rate, latencies = await closed_loop(clients, model, inputs, requests)
    after = _counts(await clients[0].statistics(model))
    return Level(rate, latencies, after[0] - before[0], after[1] - before[1])


def summarise(levels: list[Level]) -> dict[str, Any]:
    """Throughput spread over the rounds, latency percentiles over all their requests, mean batch executed."""
    latencies = [ms for level in levels for ms in level.latencies_ms]
    return {"requests_per_s": Spread.of([level.requests_per_s for level in levels]).as_dict(),
            "p50_ms": percentile(latencies, 50), "p95_ms": percentile(latencies, 95),
            "mean_batch": sum(level.inferences for level in levels) / max(1, sum(level.executions for level in levels)),
            "requests": len(latencies)}


async def batching_curve(url: str, names: tuple[str, str], model: str, rounds: int,
                         repository: Path) -> dict[str, Any]:
    """Throughput (spread over rounds) and latency p50/p95 at each concurrency, batching on and off."""
    inputs = random_inputs(repository, model)
    curves: dict[str, Any] = {}
    async with client_pool(url, max(CONCURRENCY)) as clients:
        await warm_up(clients, names, inputs)
        for concurrency in CONCURRENCY:
            # The two configs alternate round by round, so both see the same background load.
            requests = max(16, 4 * concurrency)
            levels: dict[str, list[Level]] = {n: [] for n in names}
            for _ in range(rounds):
                for name in names:
                    levels[name].append(await measure_level(clients[:concurrency], name, inputs, requests))
            for name in names:
                curves.setdefault(name, {})[str(concurrency)] = summarise(levels[name])
            log.info("batching at %d clients: %s", concurrency, {n: round(curves[n][str(concurrency)]
                     ["requests_per_s"]["median"], 2) for n in names})
    on, off = (curves[n] for n in names)
    gains = {c: on[c]["requests_per_s"]["median"] / off[c]["requests_per_s"]["median"] for c in on}
    return {"model": model, "configs": {"on": names[0], "off": names[1]}, "rounds": rounds, "curves": curves,
            "throughput_gain_on_vs_off": gains,
            "p95_cost_ms_on_minus_off": {c: on[c]["p95_ms"] - off[c]["p95_ms"] for c in on}}


async def embedded_vs_triton(url: str, repository: Path, repeats: int, side: int = 512) -> dict[str, Any]:
    """The same design try-on on both backends, alternating call by call."""
    backends: dict[str, InferenceClient] = {"embedded": EmbeddedClient(repository), "triton": TritonClient(url)}
    pipelines = {name: DesignPipeline(client, TrafficRouter(client)) for name, client in backends.items()}
    request = design_request(side)
    runs: dict[str, list[tuple[float, TryOnResult]]] = {name: [] for name in backends}
    try:
        for pipeline in pipelines.values():
            await pipeline(request)  # warm-up
        for _ in range(repeats):
            for name, pipeline in pipelines.items():
                start = time.perf_counter()
                result = await pipeline(request)
                runs[name].append((time.perf_counter() - start, result))
    finally:
        await asyncio.gather(*(c.close() for c in backends.values()))
    summaries = {name: stage_summary(r) for name, r in runs.items()}
    return {"what": f"design try-on at {side} px, sequential, alternating backends", "side": side,
            "backends": summaries,
            "triton_over_embedded_p50": summaries["triton"]["total"]["p50"] / summaries["embedded"]["total"]["p50"]}


def stub_pid(model: str) -> int | None:
    """The python-backend stub process serving `model` (its command line names the model's directory)."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if args and args[0].endswith(b"triton_python_backend_stub") and any(f"/{model}/".encode() in a for a in args):
            return int(pid)
    return None


async def profile_model(url: str, model: str, repository: Path, source: str, out: Path, clients: int = 8,
                        seconds: float = 12.0) -> bool:
    """A flame graph of the stub serving `model` while `clients` keep it busy; False when none could be made."""
    from bench.profile import attach

    pid = stub_pid(model)
    recorder = attach(pid, out, seconds) if pid is not None else None
    if recorder is None:
        log.warning("no profile of %s's stub (pid %s)", model, pid)
        return False
    inputs = random_inputs(repository, source)
    async with client_pool(url, clients) as pool:
        while recorder.poll() is None:
            await closed_loop(pool, model, inputs, 4 * clients)
    return recorder.returncode == 0


def run(repository: Path, *, batching_model: str, rounds: int, backend_repeats: int,
        profile: Path | None = None) -> dict[str, Any]:
    with local_triton(partial(_batching_copies, repository, model=batching_model)) as (server, names):
        batching = asyncio.run(batching_curve(server.grpc_url, names, batching_model, rounds, repository))
        backends = asyncio.run(embedded_vs_triton(server.grpc_url, repository, backend_repeats))
        if profile is not None and asyncio.run(profile_model(server.grpc_url, names[0], repository, batching_model,
                                                             profile)):
            batching["profile"] = profile.name
        startup = server.ready_after_s
    return {"batching": batching, "backends": backends, "triton_ready_after_s": startup}
