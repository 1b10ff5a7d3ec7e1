"""Global admission for try-ons: at most `max_concurrency` run at once, at most `max_queue` wait for a slot.

A try-on is seconds of CPU or GPU work. Beyond what the replica can run plus a short queue, an extra
request is refused at once with 429 + Retry-After (reason "overload"), so latency stays flat and the
client or load balancer can go elsewhere, instead of every request getting slower. The per-tenant
limits (limits.py) keep one tenant from filling this queue alone.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Request

from fittingroom.gateway.auth import Tenant, authenticate
from fittingroom.gateway.limits import RateLimited


class AtCapacity(RateLimited):
    """429 from the global admission (counted as reason "overload"), not from a tenant's own limits."""


class Admission:
    """A semaphore with a bounded number of waiters and a bounded wait. One per replica, one event loop."""

    def __init__(self, max_concurrency: int, max_queue: int, max_wait_s: float) -> None:
        self.max_concurrency = max_concurrency
        self.max_queue = max_queue
        self.max_wait_s = max_wait_s
        self._slots = asyncio.Semaphore(max_concurrency)
        self.running = 0
        self.waiting = 0
        # Mean seconds a try-on holds a slot: Retry-After is about one queue's worth of work per slot.
        self._mean_s = 1.0

    @property
    def saturated(self) -> bool:
        """True when the next request would be refused: readiness reports it so the balancer routes around."""
        return self.running >= self.max_concurrency and self.waiting >= self.max_queue

    def retry_after_s(self) -> float:
        return max(1.0, self._mean_s * (self.waiting + 1) / self.max_concurrency)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of the slots for the block; raises AtCapacity (429) when the queue is full or too slow."""
        if self._slots.locked() and self.waiting >= self.max_queue:
            raise AtCapacity(f"the gateway is at capacity: {self.max_concurrency} try-ons running and "
                              f"{self.max_queue} queued (TRYON_MAX_CONCURRENCY, TRYON_MAX_QUEUE)",
                              retry_after_s=self.retry_after_s())
        self.waiting += 1
        try:
            async with asyncio.timeout(self.max_wait_s):
                await self._slots.acquire()
        except TimeoutError:
            raise AtCapacity(f"no try-on slot became free within {self.max_wait_s:g}s "
                              "(TRYON_MAX_QUEUE_WAIT_S)", retry_after_s=self.retry_after_s()) from None
        finally:
            self.waiting -= 1
        self.running += 1
        start = time.monotonic()
        try:
            yield
        finally:
            self.running -= 1
            self._slots.release()
            # Exponential moving average: follows the current model speed without remembering old spikes.
            self._mean_s = 0.8 * self._mean_s + 0.2 * (time.monotonic() - start)


async def admitted(request: Request, tenant: Annotated[Tenant, Depends(authenticate)]) -> AsyncIterator[Tenant]:
    """The tenant, inside its rate and concurrency limits and holding a global slot, for the whole request:
    every route that runs models (a try-on, a garment's registration) takes it."""
    limits = request.app.state.limits
    try:
        limits.admit(tenant.name)
    except RateLimited:
        request.app.state.metrics.rejected.labels(tenant.name, "tenant_limit").inc()
        raise
    try:
        try:
            async with request.app.state.admission.slot():
                yield tenant
        except AtCapacity:
            request.app.state.metrics.rejected.labels(tenant.name, "overload").inc()
            raise
    finally:
        limits.done(tenant.name)


AdmittedDep = Annotated[Tenant, Depends(admitted)]
