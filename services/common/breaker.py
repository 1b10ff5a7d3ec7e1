"""Failing fast on a dead stage: a circuit breaker per stage, and one retry of an idempotent call.

`ResilientClient` wraps any `InferenceClient` (the gateway wraps the Triton one):

- An inference is a pure function of its inputs, so a call that failed with gRPC UNAVAILABLE (Triton
  restarting, a connection reset) is retried once after a jittered backoff, within the caller's timeout.
- Each stage (segment, pose, stylize, ...) has a breaker: after `failures` consecutive failures of the
  server (unavailable, or past its deadline) it opens, and calls fail at once with 503 + Retry-After
  instead of each waiting on a dead server. After `reset_s` one probe goes through; success closes it.
- Errors name the stage, and a model that is not being served (unloaded, failed to load) is a 503 for
  the stage, not a 404: the client asked for a try-on, not for that model, and retrying later can work.

Readiness calls pass straight through: a probe must see the truth, not the breaker.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

from fittingroom.common.errors import (
    BackendUnavailable,
    DeadlineExceeded,
    ModelNotFound,
    ModelNotReady,
    TryOnError,
)
from fittingroom.common.inference import InferenceClient, ModelControl, ModelMetadata, Tensors

log = logging.getLogger(__name__)
T = TypeVar("T")


class StageUnavailable(BackendUnavailable):
    """503 for a stage: its server is down, its breaker is open, or its model is not being served."""

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class State(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    """closed -> open after `failures` consecutive failures; open -> half-open after `reset_s`, when a single
    probe may go through; the probe's success closes the breaker, its failure opens it again."""

    def __init__(self, name: str, *, failures: int = 5, reset_s: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self.failures = failures
        self.reset_s = reset_s
        self.clock = clock
        self.state = State.CLOSED
        self.consecutive = 0
        self.opened_at = 0.0
        self.probing = False

    def allow(self) -> float | None:
        """None when a call may go ahead; otherwise the seconds until the next probe (for Retry-After)."""
        if self.state is State.CLOSED:
            return None
        remaining = self.opened_at + self.reset_s - self.clock()
        if self.state is State.OPEN and remaining <= 0:
            self.state = State.HALF_OPEN
            self.probing = False
        if self.state is State.HALF_OPEN and not self.probing:
            self.probing = True  # this call is the probe; the others keep failing fast until it returns
            return None
        return max(remaining, 0.0) or self.reset_s

    def success(self) -> None:
        if self.state is not State.CLOSED:
            log.warning("stage %s answers again: circuit closed", self.name)
        self.state, self.consecutive, self.probing = State.CLOSED, 0, False

    def failure(self) -> None:
        self.consecutive += 1
        if self.state is State.HALF_OPEN or self.consecutive >= self.failures:
            if self.state is not State.OPEN:
                log.warning("stage %s failed %d time(s) in a row: circuit open for %.1fs", self.name,
                            self.consecutive, self.reset_s)
            self.state, self.opened_at, self.probing = State.OPEN, self.clock(), False


def unavailable(exc: TryOnError) -> bool:
    """gRPC UNAVAILABLE: the server could not be reached or dropped the call; nothing ran to completion."""
    status = getattr(exc.__cause__, "status", None)
    return isinstance(exc, BackendUnavailable) and callable(status) and status() == "StatusCode.UNAVAILABLE"


def server_fault(exc: TryOnError) -> bool:
    """Failures that say the stage's server is unwell (counted by the breaker), not that the request was bad."""
    return isinstance(exc, BackendUnavailable | DeadlineExceeded)


class ResilientClient:
    """`InferenceClient` and `ModelControl` around another client, with per-stage breakers and one retry."""

    def __init__(self, inner: InferenceClient, stages: Mapping[str, str], *, failures: int = 5,
                 reset_s: float = 5.0, backoff_s: float = 0.1, rng: random.Random | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if not isinstance(inner, ModelControl):
            raise TypeError(f"{type(inner).__name__} cannot load or unload models")
        self.inner = inner
        self.control: ModelControl = inner
        self.stages = dict(stages)
        self.backoff_s = backoff_s
        self.rng = rng or random.Random()
        self.clock = clock
        self._make = lambda stage: CircuitBreaker(stage, failures=failures, reset_s=reset_s, clock=clock)
        self.breakers: dict[str, CircuitBreaker] = {}

    def stage(self, model: str) -> str:
        return self.stages.get(model, model)

    def breaker(self, model: str) -> CircuitBreaker:
        stage = self.stage(model)
        if stage not in self.breakers:
            self.breakers[stage] = self._make(stage)
        return self.breakers[stage]

    async def _guarded(self, model: str, call: Callable[[], Awaitable[T]], timeout_s: float | None) -> T:
        breaker, stage = self.breaker(model), self.stage(model)
        wait = breaker.allow()
        if wait is not None:
            raise StageUnavailable(f"stage '{stage}' is unavailable (model '{model}'): its server failed "
                                   f"{breaker.consecutive} time(s) in a row; next try in {wait:.1f}s",
                                   retry_after_s=wait)
        start = self.clock()
        try:
            for attempt in (1, 2):
                try:
                    result = await call()
                except (ModelNotFound, ModelNotReady) as exc:  # unloaded, loading or failed to load: the
                    # stage is down, the request is fine
                    breaker.success()  # the server itself answered
                    raise StageUnavailable(f"stage '{stage}' is not serving model '{model}': {exc.message}",
                                           retry_after_s=breaker.reset_s) from exc
                except TryOnError as exc:
                    if not server_fault(exc):
                        breaker.success()
                        raise
                    breaker.failure()
                    delay = self.backoff_s * self.rng.uniform(0.5, 1.5)  # jitter: no retries in lockstep
                    in_time = timeout_s is None or self.clock() - start + delay < timeout_s
                    if attempt == 1 and unavailable(exc) and in_time and breaker.state is State.CLOSED:
                        log.info("stage %s: %s; retrying once in %.0f ms", stage, exc.message, delay * 1000)
                        await asyncio.sleep(delay)
                        continue
                    if isinstance(exc, BackendUnavailable):
                        raise StageUnavailable(f"stage '{stage}' failed: {exc.message}",
                                               retry_after_s=breaker.reset_s) from exc
                    raise
                breaker.success()
                return result
        except asyncio.CancelledError:
            breaker.probing = False  # a cancelled probe proved nothing: let the next call probe
            raise
        raise AssertionError("unreachable: the second attempt returns or raises")

    # -- InferenceClient ------------------------------------------------------------------------

    async def infer(self, model: str, inputs: Tensors, version: int | None = None,
                    *, timeout_s: float | None = None) -> Tensors:
        def call() -> Awaitable[Tensors]:
            remaining = None if timeout_s is None else max(timeout_s - (self.clock() - start), 0.001)
            return self.inner.infer(model, inputs, version, timeout_s=remaining)

        start = self.clock()
        return await self._guarded(model, call, timeout_s)

    async def model_metadata(self, model: str, version: int | None = None) -> ModelMetadata:
        return await self._guarded(model, lambda: self.inner.model_metadata(model, version), None)

    async def is_server_ready(self) -> bool:
        return await self.inner.is_server_ready()

    async def is_model_ready(self, model: str, version: int | None = None) -> bool:
        return await self.inner.is_model_ready(model, version)

    async def close(self) -> None:
        await self.inner.close()

    # -- ModelControl (not retried: loading is not idempotent in time and cost) -----------------

    async def load_model(self, model: str, versions: list[int] | None = None) -> None:
        await self.control.load_model(model, versions)

    async def unload_model(self, model: str) -> None:
        await self.control.unload_model(model)

    async def loaded_versions(self, model: str) -> list[int]:
        return await self.control.loaded_versions(model)
