"""The per-stage circuit breaker, on a scripted client and a fake clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import numpy as np
import pytest
from tritonclient.utils import InferenceServerException

from fittingroom.common.breaker import CircuitBreaker, ResilientClient, StageUnavailable, State
from fittingroom.common.errors import (
    BackendUnavailable,
    DeadlineExceeded,
    InvalidInput,
    ModelNotFound,
    TryOnError,
)
from fittingroom.common.inference import ModelMetadata, Replica, Tensors

STAGES = {"u2netp": "segment", "style_predict": "stylize"}


def triton_error(status: str, error: type[TryOnError] = BackendUnavailable) -> TryOnError:
    """A mapped error as TritonClient raises it: the gRPC exception is its cause."""
    exc = error(f"model on Triton: Triton answered {status}")
    exc.__cause__ = InferenceServerException("from the server", status=f"StatusCode.{status}")
    return exc


class Scripted:
    """An InferenceClient + ModelControl (no replicas) whose infer answers from a script (an error or a result)."""

    def __init__(self, script: list[TryOnError | None] | Callable[[], TryOnError | None]) -> None:
        self.script = script
        self.calls = 0
        self.timeouts: list[float | None] = []

    async def infer(self, model: str, inputs: Tensors, version: int | None = None,
                    *, timeout_s: float | None = None) -> Tensors:
        self.calls += 1
        self.timeouts.append(timeout_s)
        outcome = self.script() if callable(self.script) else self.script.pop(0)
        if outcome is not None:
            raise outcome
        return {"y": np.zeros(1, np.float32)}

    async def model_metadata(self, model: str, version: int | None = None) -> ModelMetadata:
        raise ModelNotFound(f"model '{model}' has no available versions")

    async def is_server_ready(self) -> bool:
        return False

    async def is_model_ready(self, model: str, version: int | None = None) -> bool:
        return False

    async def close(self) -> None:
        return None

    async def replicas(self, model: str) -> dict[str, Replica]:
        return {}


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def resilient(inner: Scripted, clock: Clock | None = None) -> ResilientClient:
    return ResilientClient(inner, STAGES, failures=3, reset_s=5.0, clock=clock or Clock())


async def test_unavailable_fails_at_once_with_503_naming_the_stage() -> None:
    """No retry here: the Triton channel's service config has already retried it on another replica."""
    inner = Scripted([triton_error("UNAVAILABLE"), None])
    with pytest.raises(StageUnavailable) as caught:
        await resilient(inner).infer("u2netp", {}, timeout_s=10)
    assert inner.calls == 1 and inner.timeouts == [10]
    assert caught.value.code == "backend_unavailable" and "stage 'segment' failed" in caught.value.message
    assert caught.value.retry_after_s == 5.0


@pytest.mark.parametrize("error", [triton_error("INTERNAL"), InvalidInput("bad tensor")], ids=["internal", "input"])
async def test_other_errors_pass_through_once(error: TryOnError) -> None:
    inner = Scripted([error])
    with pytest.raises(TryOnError):
        await resilient(inner).infer("u2netp", {})
    assert inner.calls == 1


async def test_breaker_opens_fails_fast_probes_and_closes() -> None:
    clock = Clock()
    failures: list[TryOnError | None] = [triton_error("INTERNAL")] * 3
    inner = Scripted(failures)
    client = resilient(inner, clock)
    for _ in range(3):
        with pytest.raises(StageUnavailable, match="stage 'segment' failed"):
            await client.infer("u2netp", {})
    assert client.breaker("u2netp").state is State.OPEN and inner.calls == 3

    clock.now += 2.0
    for _ in range(10):  # open: no call reaches the dead server
        with pytest.raises(StageUnavailable, match=r"next try in 3\.0s") as caught:
            await client.infer("u2netp", {})
        assert caught.value.retry_after_s == pytest.approx(3.0)
    assert inner.calls == 3
    failures.append(None)
    assert (await client.infer("style_predict", {}))["y"].shape == (1,)  # other stages are not affected

    clock.now += 3.0
    failures.append(None)
    await client.infer("u2netp", {})  # the probe goes through and succeeds
    assert client.breaker("u2netp").state is State.CLOSED


async def test_failed_probe_reopens() -> None:
    breaker = CircuitBreaker("pose", failures=1, reset_s=5.0, clock=(clock := Clock()))
    breaker.failure()
    assert breaker.allow() == pytest.approx(5.0)
    clock.now += 5.0
    assert breaker.allow() is None  # the probe
    assert breaker.allow() is not None  # others wait for the probe
    breaker.failure()
    assert breaker.state is State.OPEN and breaker.allow() == pytest.approx(5.0)


async def test_a_cancelled_probe_lets_the_next_call_probe() -> None:
    clock = Clock()
    gate = asyncio.Event()

    class Hanging(Scripted):
        async def infer(self, model: str, inputs: Tensors, version: int | None = None,
                        *, timeout_s: float | None = None) -> Tensors:
            await gate.wait()
            return {}

    client = resilient(Hanging([]), clock)
    breaker = client.breaker("u2netp")
    for _ in range(3):
        breaker.failure()
    clock.now += 5.0
    probe = asyncio.create_task(client.infer("u2netp", {}))
    await asyncio.sleep(0)
    probe.cancel()
    with pytest.raises(asyncio.CancelledError):
        await probe
    assert breaker.allow() is None


async def test_model_not_served_is_a_503_for_its_stage() -> None:
    inner = Scripted([ModelNotFound("model 'style_predict' has no available versions")])
    client = resilient(inner)
    with pytest.raises(StageUnavailable, match="stage 'stylize' is not serving model 'style_predict'") as caught:
        await client.infer("style_predict", {})
    assert caught.value.code == "backend_unavailable"
    with pytest.raises(StageUnavailable, match="stage 'segment' is not serving"):
        await client.model_metadata("u2netp")
    assert client.breaker("style_predict").state is State.CLOSED  # the server answered


async def test_deadline_counts_against_the_breaker_and_stays_504() -> None:
    inner = Scripted([DeadlineExceeded("model 'u2netp' did not answer within 1s")] * 3)
    client = resilient(inner)
    for _ in range(3):
        with pytest.raises(DeadlineExceeded):
            await client.infer("u2netp", {}, timeout_s=1.0)
    assert client.breaker("u2netp").state is State.OPEN and inner.calls == 3
