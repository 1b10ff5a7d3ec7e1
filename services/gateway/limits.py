"""Per-tenant rate and concurrency limits: excess work is refused at once with 429 + Retry-After,
instead of queueing and making everyone's latency grow."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

from fittingroom.common.errors import Overloaded


class RateLimited(Overloaded):
    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass
class _Bucket:
    tokens: float
    stamp: float = field(default_factory=time.monotonic)


class TenantLimits:
    """Token bucket (requests per second with a burst) and an in-flight cap, per tenant, per replica."""

    def __init__(self, rate_per_s: float, burst: int, max_in_flight: int) -> None:
        self.rate = rate_per_s
        self.burst = burst
        self.max_in_flight = max_in_flight
        self._buckets: dict[str, _Bucket] = {}
        self._in_flight: defaultdict[str, int] = defaultdict(int)

    def admit(self, tenant: str) -> None:
        """Take one token and one in-flight slot, or raise RateLimited; pair with `done`."""
        now = time.monotonic()
        bucket = self._buckets.setdefault(tenant, _Bucket(float(self.burst), now))
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.rate)
        bucket.stamp = now
        if bucket.tokens < 1.0:
            wait = (1.0 - bucket.tokens) / self.rate
            raise RateLimited(f"tenant '{tenant}' is over its rate limit of {self.rate:g} requests/s",
                              retry_after_s=wait)
        if self._in_flight[tenant] >= self.max_in_flight:
            raise RateLimited(f"tenant '{tenant}' already has {self.max_in_flight} requests in flight",
                              retry_after_s=1.0)
        bucket.tokens -= 1.0
        self._in_flight[tenant] += 1

    def done(self, tenant: str) -> None:
        self._in_flight[tenant] -= 1

    def in_flight(self, tenant: str) -> int:
        return self._in_flight[tenant]
