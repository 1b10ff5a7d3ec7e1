"""Per-stage timing shared by the try-on pipelines: milliseconds into the result, seconds to an observer.

One implementation so that every pipeline reports stages the same way (Server-Timing, report.json and the
`tryon_stage_duration_seconds` metric all read what this writes).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Protocol, TypeVar

from fittingroom.common.stage import ModelUse

T = TypeVar("T")
StageObserver = Callable[[str, str, int, str, float], None]  # stage, model, version, outcome, seconds


class Timed(Protocol):
    """What a stopwatch writes into: a pipeline result with its stage timings and model uses."""

    timings_ms: dict[str, float]
    models: dict[str, ModelUse]


@contextmanager
def stopwatch(result: Timed, stage: str, model: str, observe: StageObserver | None) -> Iterator[None]:
    """Time the block as `stage` (served by `model`, "" for none); errors are observed as outcome "error"."""
    start = time.perf_counter()
    outcome = "error"
    try:
        yield
        outcome = "ok"
    finally:
        seconds = time.perf_counter() - start
        result.timings_ms[stage] = round(seconds * 1000, 2)
        if observe is not None:
            use = result.models.get(model)
            observe(stage, model or "none", use.version if use else 0, outcome, seconds)


async def timed(result: Timed, stage: str, model: str, work: Awaitable[T], observe: StageObserver | None) -> T:
    with stopwatch(result, stage, model, observe):
        return await work
