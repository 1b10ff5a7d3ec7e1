"""Against a local tritonserver: one model's latency and throughput at 1 and 8 closed-loop clients under several
dynamic-batching settings (preferred batch sizes, max queue delay); the values chosen are in docs/triton.md.

The server serves one copy of the model per setting, differing only in `dynamic_batching` and all pointing at the
same model.onnx (triton.add_copies), so no reload happens between rounds and the settings can alternate round by
round: each sees the same background load, which on a shared machine moves more than the settings do.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from tritonclient.grpc import model_config_pb2 as mc

from bench.triton import Level, add_copies, client_pool, local_triton, measure_level, random_inputs, summarise, warm_up

log = logging.getLogger(__name__)
CLIENTS = (1, 8)
# (label, preferred batch sizes, max_queue_delay_microseconds); no preferred sizes: no dynamic batching at all.
SETTINGS: tuple[tuple[str, tuple[int, ...], int], ...] = (
    ("no dynamic batching", (), 0),
    ("preferred 1,2,4,8 / 2000 us", (1, 2, 4, 8), 2000),
    ("preferred 8 / 500 us", (8,), 500),
    ("preferred 8 / 2000 us", (8,), 2000),
    ("preferred 8 / 8000 us", (8,), 8000),
)


def _block(preferred: tuple[int, ...], delay_us: int) -> mc.ModelDynamicBatching | None:
    if not preferred:
        return None
    return mc.ModelDynamicBatching(preferred_batch_size=preferred, max_queue_delay_microseconds=delay_us)


def _setting_copies(source: Path, target: Path, model: str) -> tuple[str, ...]:
    """`model` once per setting, as `<model>_setting<i>` in SETTINGS' order."""
    copies = {f"{model}_setting{i}": _block(preferred, delay_us)
              for i, (_, preferred, delay_us) in enumerate(SETTINGS)}
    add_copies(source, target, model, copies)
    return tuple(copies)


async def measure(url: str, names: tuple[str, ...], inputs: dict[str, np.ndarray], requests: int,
                  rounds: int) -> dict[str, dict[str, Any]]:
    """Per copy and number of clients: throughput spread over rounds, latency p50/p95, mean batch."""
    levels: dict[tuple[str, int], list[Level]] = {(name, c): [] for name in names for c in CLIENTS}
    async with client_pool(url, max(CLIENTS)) as clients:
        await warm_up(clients, names, inputs)
        for round_ in range(rounds):
            for name in names:
                for c in CLIENTS:
                    levels[name, c].append(await measure_level(clients[:c], name, inputs, requests))
            log.info("queue delay: round %d of %d done", round_ + 1, rounds)
    return {name: {str(c): summarise(levels[name, c]) for c in CLIENTS} for name in names}


def run(repository: Path, *, model: str, requests: int, rounds: int) -> dict[str, Any]:
    with local_triton(partial(_setting_copies, repository, model=model)) as (server, names):
        measured = asyncio.run(measure(server.grpc_url, names, random_inputs(repository, model), requests, rounds))
        startup = server.ready_after_s
    settings = [{"setting": label, "preferred_batch_size": list(preferred), "max_queue_delay_us": delay_us,
                 "clients": measured[name]}
                for name, (label, preferred, delay_us) in zip(names, SETTINGS, strict=True)]
    return {"model": model, "requests_per_level": requests, "rounds": rounds, "settings": settings,
            "triton_ready_after_s": startup}
