"""Two tritonserver replicas behind one gRPC target, driven by NVIDIA's perf_analyzer and by our own client.

The group is the one `make cluster` starts (tools/cluster.py): replicas on 127.0.0.2 and 127.0.0.3, same port,
serving the python-ort view of one model. At each concurrency, the same closed loop is run by

- perf_analyzer (C++, NVIDIA's; shipped inside the `tritonclient==2.41.0` wheel, with `libcudart.so.12` from
  `nvidia-cuda-runtime-cu12` and Debian's `libb64-0d`: no GPU is needed), its gRPC client on the group's target;
- the project's closed loop (bench/triton.py) over `TritonClient`, whose channel balances over the replicas.

Each replica's own `nv_inference_request_success` says which one served what: perf_analyzer's channel keeps
gRPC's default policy (pick_first), so on the group's target it shows what a client without a balancing
service config does (every call to one replica). It is also run as one process per replica, each on its
replica's address at half the concurrency, at once: the group driven evenly by a client nobody here wrote.
"""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import os
import re
import shutil
import subprocess
import tempfile
import urllib.request
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.common import percentile
from bench.triton import client_pool, closed_loop, random_inputs
from fittingroom.common.triton_server import CACHE_DIR, TritonServer
from fittingroom.common.wheels import download_wheel, sha256
from fittingroom.gateway.publish import publish_files
from tools.cluster import TRITONS, group_target, serving_view, triton_group

log = logging.getLogger(__name__)
# Pinned like every other binary the project fetches: name, version and sha256 of each wheel.
PERF_ANALYZER_WHEEL = ("tritonclient==2.41.0", "manylinux1_x86_64",
                       "cf4ed5df836fa99937678a9fd852f86ba05c7b83656dd0a540e20afdb9ab4629")
CUDART_WHEEL = ("nvidia-cuda-runtime-cu12==12.4.127", "manylinux2014_x86_64",
                "64403288fa2136ee8e467cdc9c9427e0434110899d07c779f25b5c068934faa5")
PERF_ANALYZER = "tritonclient-2.41.0.data/data/bin/perf_analyzer"
CUDART_DIR = "nvidia/cuda_runtime/lib"
CONCURRENCY = (1, 4, 8)
# perf_analyzer repeats measurement windows until three agree within the stability percentage. Here, beside
# other jobs on 2 cores, 10 % is never reached (it exits 2): windows of a fixed request count, within 50 %.
WINDOW_REQUESTS = 100
STABILITY_PERCENT = 50


def install_perf_analyzer(cache_dir: Path = CACHE_DIR) -> tuple[Path, dict[str, str]]:
    """perf_analyzer unpacked from its wheel, and the environment it runs in (LD_LIBRARY_PATH for libcudart)."""
    target = cache_dir / "perf_analyzer"
    for requirement, platform, digest in (PERF_ANALYZER_WHEEL, CUDART_WHEEL):
        wheel = download_wheel(requirement, cache_dir / "wheels", platform=platform)
        if sha256(wheel) != digest:
            raise RuntimeError(f"{wheel} does not match the pinned sha256 of {requirement}; delete it and retry")
        with zipfile.ZipFile(wheel) as archive:
            for name in archive.namelist():
                if (name == PERF_ANALYZER or name.startswith(CUDART_DIR)) and not (target / name).is_file():
                    archive.extract(name, target)
    binary = target / PERF_ANALYZER
    binary.chmod(0o755)
    if not any(Path(d).glob("libb64.so.0d") for d in ("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu")):
        raise RuntimeError("perf_analyzer needs Debian's libb64-0d: apt-get install libb64-0d")
    env = {**os.environ, "LD_LIBRARY_PATH": os.pathsep.join(filter(None, [str(target / CUDART_DIR),
                                                                            os.environ.get("LD_LIBRARY_PATH")]))}
    return binary, env


def successes(server: TritonServer) -> float:
    """Inferences this replica has served since it started (its own nv_inference_request_success)."""
    with urllib.request.urlopen(server.metrics_url, timeout=5) as response:
        text = response.read().decode()
    return sum(float(v) for v in re.findall(r"^nv_inference_request_success\{[^}]*\} (\S+)$", text, re.M))


def _shares(servers: list[TritonServer], before: list[float]) -> list[float]:
    served = [successes(s) - b for s, b in zip(servers, before, strict=True)]
    return [round(s / max(sum(served), 1), 3) for s in served]


def perf_analyzer_level(binary: Path, env: dict[str, str], target: str, model: str, concurrency: int
                        ) -> dict[str, Any]:
    """One perf_analyzer measurement (windows of WINDOW_REQUESTS until three agree within STABILITY_PERCENT)."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.csv"
        run = subprocess.run([str(binary), "-m", model, "-i", "grpc", "-u", target, "--concurrency-range",
                              f"{concurrency}:{concurrency}", "--measurement-mode", "count_windows",
                              "--measurement-request-count", str(WINDOW_REQUESTS), "-s", str(STABILITY_PERCENT),
                              "-f", str(report)], env=env, capture_output=True, text=True, timeout=600)
        if run.returncode != 0:
            raise RuntimeError(f"perf_analyzer exited {run.returncode}: {(run.stdout + run.stderr)[-2000:]}")
        row = next(csv.DictReader(io.StringIO(report.read_text())))
    return {"requests_per_s": float(row["Inferences/Second"]), "p50_ms": float(row["p50 latency"]) / 1000,
            "p99_ms": float(row["p99 latency"]) / 1000, "server_queue_ms": float(row["Server Queue"]) / 1000,
            "server_compute_ms": (float(row["Server Compute Input"]) + float(row["Server Compute Infer"])
                                  + float(row["Server Compute Output"])) / 1000}


def perf_analyzer_per_replica(binary: Path, env: dict[str, str], servers: list[TritonServer], model: str,
                              concurrency: int) -> dict[str, Any]:
    """One perf_analyzer per replica at once, each at concurrency / replicas on its replica's own address."""
    each = max(1, concurrency // len(servers))
    with ThreadPoolExecutor(len(servers)) as pool:
        levels = list(pool.map(lambda s: perf_analyzer_level(binary, env, s.grpc_url, model, each), servers))
    return {"requests_per_s": sum(level["requests_per_s"] for level in levels), "concurrency_each": each,
            "p50_ms": max(level["p50_ms"] for level in levels), "p99_ms": max(level["p99_ms"] for level in levels)}


async def ours_level(target: str, model: str, inputs: dict[str, Any], concurrency: int, requests: int
                     ) -> dict[str, Any]:
    async with client_pool(target, concurrency) as clients:
        await closed_loop(clients, model, inputs, 2 * concurrency)  # connected to every replica, warm
        rate, latencies = await closed_loop(clients, model, inputs, requests)
    return {"requests_per_s": rate, "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99)}


def run(repository: Path, *, model: str, requests: int) -> dict[str, Any]:
    binary, env = install_perf_analyzer()
    inputs = random_inputs(repository, model)
    levels: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        view = serving_view(repository, work / "view")
        publish_files(work / "store", model, 1, view / model / "1")
        try:
            with triton_group(work / "store", [model], TRITONS, work) as servers:
                target = group_target(servers)
                for concurrency in CONCURRENCY:
                    before = [successes(s) for s in servers]
                    theirs = perf_analyzer_level(binary, env, target, model, concurrency)
                    theirs["replica_shares"] = _shares(servers, before)
                    before = [successes(s) for s in servers]
                    split = perf_analyzer_per_replica(binary, env, servers, model, concurrency)
                    split["replica_shares"] = _shares(servers, before)
                    before = [successes(s) for s in servers]
                    ours = asyncio.run(ours_level(target, model, inputs, concurrency, requests))
                    ours["replica_shares"] = _shares(servers, before)
                    levels[str(concurrency)] = {"perf_analyzer": theirs, "perf_analyzer_per_replica": split,
                                                "ours": ours}
                    log.info("replicas at %d clients: perf_analyzer %.1f/s shares %s; one per replica %.1f/s "
                             "shares %s; ours %.1f/s shares %s", concurrency, theirs["requests_per_s"],
                             theirs["replica_shares"], split["requests_per_s"], split["replica_shares"],
                             ours["requests_per_s"], ours["replica_shares"])
        finally:
            for log_file in work.glob("tritonserver-*.log"):
                shutil.copy(log_file, Path(tempfile.gettempdir()) / f"bench-{log_file.name}")
    return {"model": model, "replicas": list(TRITONS), "target": "ipv4:<replica>:<port>,...",
            "perf_analyzer": {"window_requests": WINDOW_REQUESTS, "stability_percent": STABILITY_PERCENT},
            "requests_ours": requests, "levels": levels}
