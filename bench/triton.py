"""Against a local tritonserver (the pip build, python-ort flavour): dynamic batching on vs off, and the
embedded backend vs Triton for the same design try-on.

One server serves the derived python-ort view of `model_repository/` plus two copies of the batching model
that differ only in their config: `<model>_batching_on` keeps the repository's `dynamic_batching` block,
`<model>_batching_off` has none. Both point at the very same model.onnx, so the two curves differ by the
scheduler alone. The server is started with the project's own `TritonServer` (tests use it too).
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from google.protobuf import text_format
from tritonclient.grpc import model_config_pb2 as mc

from bench.common import Spread, percentile
from bench.tryon import design_request, stage_summary
from fittingroom.common.embedded import EmbeddedClient
from fittingroom.common.inference import InferenceClient
from fittingroom.common.repository import CONFIG_NAME, ModelRepository
from fittingroom.common.triton_client import TritonClient
from fittingroom.common.triton_server import TritonServer, free_port
from fittingroom.export.runtimes import derive_repository
from fittingroom.gateway.pipeline import DESIGN_MODELS, DesignPipeline, TryOnResult

log = logging.getLogger(__name__)
CONCURRENCY = (1, 2, 4, 8, 16)


def _batching_copies(source: Path, target: Path, model: str) -> tuple[str, str]:
    """Link the design-mode models of `source` into `target` and add `model` twice, with and without dynamic
    batching (other models of the repository stay out: they would only slow the start and take memory)."""
    for name in DESIGN_MODELS:
        (target / name).symlink_to((source / name).resolve())
    names = (f"{model}_batching_on", f"{model}_batching_off")
    config = text_format.Parse((source / model / CONFIG_NAME).read_text(), mc.ModelConfig())
    if not config.HasField("dynamic_batching"):
        raise ValueError(f"{model} has no dynamic_batching in its config: nothing to compare")
    for name in names:
        copy = mc.ModelConfig()
        copy.CopyFrom(config)
        copy.name = name
        if name.endswith("_off"):
            copy.ClearField("dynamic_batching")
        version_dir = target / name / "1"
        version_dir.mkdir(parents=True)
        (target / name / CONFIG_NAME).write_text(text_format.MessageToString(copy))
        (version_dir / "model.onnx").symlink_to(ModelRepository(source).model_path(model, 1).resolve())
    return names


@contextmanager
def local_triton(repository: Path, batching_model: str) -> Iterator[tuple[TritonServer, tuple[str, str]]]:
    with tempfile.TemporaryDirectory() as tmp:
        source, served = Path(tmp) / "source", Path(tmp) / "python-ort"
        source.mkdir()
        names = _batching_copies(repository, source, batching_model)
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


def _counts(stats: dict[str, object]) -> tuple[int, int]:
    entry = stats["model_stats"][0]  # type: ignore[index]
    return int(entry.get("inference_count", 0)), int(entry.get("execution_count", 0))


async def _level(clients: list[TritonClient], model: str, inputs: dict[str, np.ndarray], requests: int,
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


async def batching_curve(url: str, names: tuple[str, str], model: str, rounds: int,
                         repository: Path) -> dict[str, Any]:
    """Throughput (spread over rounds) and latency p50/p95 at each concurrency, batching on and off."""
    spec = ModelRepository(repository).config(model)
    rng = np.random.default_rng(0)
    inputs = {t.name: rng.random((1, *t.dims), dtype=np.float32) for t in spec.inputs}
    clients = [TritonClient(url) for _ in range(max(CONCURRENCY))]
    curves: dict[str, Any] = {}
    try:
        for name in names:
            await _level(clients[:2], name, inputs, 4)  # warm-up: the stub opens its session, ORT its arena
        for concurrency in CONCURRENCY:
            # The two configs alternate round by round, so both see the same background load.
            requests = max(16, 4 * concurrency)
            rates: dict[str, list[float]] = {n: [] for n in names}
            latencies: dict[str, list[float]] = {n: [] for n in names}
            batches: dict[str, list[int]] = {n: [0, 0] for n in names}
            for _ in range(rounds):
                for name in names:
                    before = _counts(await clients[0].statistics(name))
                    rate, lat = await _level(clients[:concurrency], name, inputs, requests)
                    after = _counts(await clients[0].statistics(name))
                    rates[name].append(rate)
                    latencies[name].extend(lat)
                    batches[name][0] += after[0] - before[0]
                    batches[name][1] += after[1] - before[1]
            for name in names:
                curves.setdefault(name, {})[str(concurrency)] = {
                    "requests_per_s": Spread.of(rates[name]).as_dict(),
                    "p50_ms": percentile(latencies[name], 50), "p95_ms": percentile(latencies[name], 95),
                    "mean_batch": batches[name][0] / max(1, batches[name][1]), "requests": len(latencies[name]),
                }
            log.info("batching at %d clients: %s", concurrency, {n: round(curves[n][str(concurrency)]
                     ["requests_per_s"]["median"], 2) for n in names})
    finally:
        await asyncio.gather(*(c.close() for c in clients))
    on, off = (curves[n] for n in names)
    gains = {c: on[c]["requests_per_s"]["median"] / off[c]["requests_per_s"]["median"] for c in on}
    return {"model": model, "configs": {"on": names[0], "off": names[1]}, "rounds": rounds, "curves": curves,
            "throughput_gain_on_vs_off": gains,
            "p95_cost_ms_on_minus_off": {c: on[c]["p95_ms"] - off[c]["p95_ms"] for c in on}}


async def embedded_vs_triton(url: str, repository: Path, repeats: int, side: int = 512) -> dict[str, Any]:
    """The same design try-on on both backends, alternating call by call."""
    backends: dict[str, InferenceClient] = {"embedded": EmbeddedClient(repository), "triton": TritonClient(url)}
    pipelines = {name: DesignPipeline(client) for name, client in backends.items()}
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
    spec = ModelRepository(repository).config(source)
    inputs = {t.name: np.random.default_rng(0).random((1, *t.dims), dtype=np.float32) for t in spec.inputs}
    pool = [TritonClient(url) for _ in range(clients)]
    try:
        while recorder.poll() is None:
            await _level(pool, model, inputs, 4 * clients)
    finally:
        await asyncio.gather(*(c.close() for c in pool))
    return recorder.returncode == 0


def run(repository: Path, *, batching_model: str, rounds: int, backend_repeats: int,
        profile: Path | None = None) -> dict[str, Any]:
    with local_triton(repository, batching_model) as (server, names):
        batching = asyncio.run(batching_curve(server.grpc_url, names, batching_model, rounds, repository))
        backends = asyncio.run(embedded_vs_triton(server.grpc_url, repository, backend_repeats))
        if profile is not None and asyncio.run(profile_model(server.grpc_url, names[0], repository, batching_model,
                                                             profile)):
            batching["profile"] = profile.name
        startup = server.ready_after_s
    return {"batching": batching, "backends": backends, "triton_ready_after_s": startup}
