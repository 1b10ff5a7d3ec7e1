"""Failing fast on a dead stage: a circuit breaker per stage.

`ResilientClient` wraps any `InferenceClient` (the gateway wraps the Triton one):

- Retrying is not done here: the Triton channel's gRPC service config retries a call that ended
  UNAVAILABLE once, on the next replica (triton_client.py), with gRPC's own backoff and retry budget.
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
from fittingroom.common.inference import InferenceClient, ModelControl, ModelMetadata, Replica, Tensors

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


def server_fault(exc: TryOnError) -> bool:
    """Failures that say the stage's server is unwell (counted by the breaker), not that the request was bad."""
    return isinstance(exc, BackendUnavailable | DeadlineExceeded)


class ResilientClient:
    """`InferenceClient` and `ModelControl` around another client, with per-stage breakers."""

    def __init__(self, inner: InferenceClient, stages: Mapping[str, str], *, failures: int = 5,
                 reset_s: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        if not isinstance(inner, ModelControl):
            raise TypeError(f"{type(inner).__name__} cannot load or unload models")
        self.inner = inner
        self.control: ModelControl = inner
        self.stages = dict(stages)
        self._make = lambda stage: CircuitBreaker(stage, failures=failures, reset_s=reset_s, clock=clock)
        self.breakers: dict[str, CircuitBreaker] = {}

    def stage(self, model: str) -> str:
        return self.stages.get(model, model)

    def breaker(self, model: str) -> CircuitBreaker:
        stage = self.stage(model)
        if stage not in self.breakers:
            self.breakers[stage] = self._make(stage)
        return self.breakers[stage]

    async def _guarded(self, model: str, call: Callable[[], Awaitable[T]]) -> T:
        breaker, stage = self.breaker(model), self.stage(model)
        wait = breaker.allow()
        if wait is not None:
            raise StageUnavailable(f"stage '{stage}' is unavailable (model '{model}'): its server failed "
                                   f"{breaker.consecutive} time(s) in a row; next try in {wait:.1f}s",
                                   retry_after_s=wait)
        try:
            result = await call()
        except (ModelNotFound, ModelNotReady) as exc:  # unloaded, loading or failed to load: the stage is
            # down, the request is fine
            breaker.success()  # the server itself answered
            raise StageUnavailable(f"stage '{stage}' is not serving model '{model}': {exc.message}",
                                   retry_after_s=breaker.reset_s) from exc
        except TryOnError as exc:
            if not server_fault(exc):
                breaker.success()
                raise
            breaker.failure()
            if isinstance(exc, BackendUnavailable):
                raise StageUnavailable(f"stage '{stage}' failed: {exc.message}",
                                       retry_after_s=breaker.reset_s) from exc
            raise
        except asyncio.CancelledError:
            breaker.probing = False  # a cancelled probe proved nothing: let the next call probe
            raise
        breaker.success()
        return result

    # -- InferenceClient ------------------------------------------------------------------------

    async def infer(self, model: str, inputs: Tensors, version: int | None = None,
                    *, timeout_s: float | None = None) -> Tensors:
        return await self._guarded(model, lambda: self.inner.infer(model, inputs, version, timeout_s=timeout_s))

    async def model_metadata(self, model: str, version: int | None = None) -> ModelMetadata:
        return await self._guarded(model, lambda: self.inner.model_metadata(model, version))

    async def is_server_ready(self) -> bool:
        return await self.inner.is_server_ready()

    async def is_model_ready(self, model: str, version: int | None = None) -> bool:
        return await self.inner.is_model_ready(model, version)

    async def close(self) -> None:
        await self.inner.close()

    # -- ModelControl (past the breakers: an operator's load must reach the servers themselves) --------

    async def replicas(self, model: str) -> Mapping[str, Replica]:
        return await self.control.replicas(model)
