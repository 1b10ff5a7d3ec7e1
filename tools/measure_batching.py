"""Latency of one model on the local tritonserver at 1 and 8 concurrent clients, per dynamic-batching setting.

    .venv/bin/python tools/measure_batching.py [--model style_predict] [--requests 48]

Each setting is applied by reloading the model with a config override (the repository's config with
only `dynamic_batching` changed), so every row runs on the same server, weights and inputs. The
chosen values and the numbers behind them are in docs/triton.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import tritonclient.grpc.aio as grpcclient
from google.protobuf import json_format

from fittingroom.common.repository import ModelRepository
from fittingroom.common.triton_client import TritonClient
from fittingroom.common.triton_server import PROJECT_ROOT, TritonServer, free_port
from fittingroom.export.runtimes import derive_repository

log = logging.getLogger("measure_batching")

# (label, preferred batch sizes, max_queue_delay_microseconds); None = no dynamic batching at all.
SETTINGS: list[tuple[str, tuple[int, ...] | None, int]] = [
    ("no dynamic batching", None, 0),
    ("preferred 1,2,4,8 / 2000 us", (1, 2, 4, 8), 2000),
    ("preferred 8 / 500 us", (8,), 500),
    ("preferred 8 / 2000 us", (8,), 2000),
    ("preferred 8 / 8000 us", (8,), 8000),
]


async def _apply(url: str, model: str, preferred: tuple[int, ...] | None, delay_us: int) -> None:
    client = grpcclient.InferenceServerClient(url)
    try:
        config = (await client.get_model_config(model)).config
        config.ClearField("dynamic_batching")
        if preferred is not None:
            config.dynamic_batching.preferred_batch_size.extend(preferred)
            config.dynamic_batching.max_queue_delay_microseconds = delay_us
        await client.load_model(model, config=json_format.MessageToJson(config))
    finally:
        await client.close()


async def _run(clients: list[TritonClient], model: str, inputs: dict[str, np.ndarray],
               requests: int) -> tuple[list[float], float]:
    latencies: list[float] = []
    remaining = requests

    async def worker(client: TritonClient) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            start = time.perf_counter()
            await client.infer(model, inputs, timeout_s=60)
            latencies.append((time.perf_counter() - start) * 1000)

    start = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in clients))
    return latencies, requests / (time.perf_counter() - start)


def _batches(stats: dict[str, object]) -> tuple[int, int]:
    entry = stats["model_stats"][0]  # type: ignore[index]
    return int(entry.get("inference_count", 0)), int(entry.get("execution_count", 0))


async def measure(url: str, model: str, requests: int) -> list[dict[str, object]]:
    spec = ModelRepository(PROJECT_ROOT / "model_repository").config(model)
    rng = np.random.default_rng(0)
    inputs = {t.name: rng.random((1, *t.dims), dtype=np.float32) for t in spec.inputs}
    clients = [TritonClient(url) for _ in range(8)]
    rows = []
    try:
        for label, preferred, delay_us in SETTINGS:
            await _apply(url, model, preferred, delay_us)
            await _run(clients[:1], model, inputs, 4)  # warm-up: first runs allocate ORT's arena
            row: dict[str, object] = {"setting": label}
            for concurrency in (1, 8):
                before = _batches(await clients[0].statistics(model))
                latencies, throughput = await _run(clients[:concurrency], model, inputs, requests)
                after = _batches(await clients[0].statistics(model))
                quantiles = statistics.quantiles(latencies, n=20)
                row[f"c{concurrency}"] = {
                    "p50_ms": round(statistics.median(latencies), 1), "p95_ms": round(quantiles[18], 1),
                    "req_per_s": round(throughput, 1),
                    "mean_batch": round((after[0] - before[0]) / max(1, after[1] - before[1]), 2)}
            log.info("%s", json.dumps(row))
            rows.append(row)
    finally:
        await asyncio.gather(*(c.close() for c in clients))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="style_predict")
    parser.add_argument("--requests", type=int, default=48, help="per concurrency level and setting")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    with tempfile.TemporaryDirectory() as tmp:
        served = Path(tmp) / "repository"
        derive_repository(PROJECT_ROOT / "model_repository", served)
        server = TritonServer(served, http_port=free_port(), grpc_port=free_port(), metrics_port=free_port(),
                              models=[args.model], log_file=Path(tmp) / "tritonserver.log")
        with server:
            asyncio.run(measure(server.grpc_url, args.model, args.requests))


if __name__ == "__main__":
    main()
