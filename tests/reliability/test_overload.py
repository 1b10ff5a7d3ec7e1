"""Overload: a bounded number of try-ons run, a bounded number wait; beyond that the answer is an
immediate 429 with Retry-After (counted as reason "overload"), and readiness is false while saturated."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import numpy as np
import pytest
from helpers import live_gateway
from reliability_support import gateway_settings

from fittingroom.common.imagecodec import encode_image
from fittingroom.gateway.admission import Admission, AtCapacity
from fittingroom.gateway.errors import http_status


async def test_admission_bounds_running_and_waiting() -> None:
    admission = Admission(max_concurrency=2, max_queue=1, max_wait_s=5)
    release = asyncio.Event()
    entered: list[int] = []

    async def work(index: int) -> None:
        async with admission.slot():
            entered.append(index)
            await release.wait()

    tasks = [asyncio.create_task(work(i)) for i in range(3)]
    await asyncio.sleep(0.05)
    assert (admission.running, admission.waiting, entered) == (2, 1, [0, 1])
    assert admission.saturated
    with pytest.raises(AtCapacity) as refused:  # the fourth is refused at once, not queued
        async with admission.slot():
            pass
    assert http_status(refused.value) == 429 and refused.value.retry_after_s >= 1
    assert "TRYON_MAX_CONCURRENCY" in refused.value.message
    release.set()
    await asyncio.gather(*tasks)
    assert entered == [0, 1, 2] and not admission.saturated and admission.running == 0


async def test_queue_wait_is_bounded() -> None:
    admission = Admission(max_concurrency=1, max_queue=4, max_wait_s=0.2)
    async with admission.slot():
        # Refused while the slot it waited for is still held: the wait ended at its bound, not at a release.
        with pytest.raises(AtCapacity, match=r"within 0\.2s"):
            async with admission.slot():
                pass
    assert admission.waiting == 0


def _png(image: np.ndarray) -> bytes:
    return encode_image(image, "png")[0]


@pytest.mark.integration
def test_live_gateway_sheds_load_with_429(repository: Path, tmp_path: Path, person: np.ndarray,
                                          content: np.ndarray, artwork: np.ndarray) -> None:
    """One try-on running and one queued: four more concurrent clients get 429 + Retry-After while the admitted
    try-ons still run (no waiting for them), readiness says saturated, and both admitted try-ons finish with 200."""
    settings = gateway_settings(repository, tmp_path, max_concurrency=1, max_queue=1)
    files = {"person": ("p.png", _png(person), "image/png"), "content": ("c.png", _png(content), "image/png"),
             "style": ("s.png", _png(artwork), "image/png")}

    async def scenario(url: str) -> None:
        async with httpx.AsyncClient(base_url=url, timeout=120) as http:
            admitted = [asyncio.create_task(http.post("/v1/tryon/design", files=files)) for _ in range(2)]
            deadline = time.monotonic() + 30
            while (ready := await http.get("/readyz")).status_code == 200:
                assert time.monotonic() < deadline, "never saturated"
                await asyncio.sleep(0.02)
            assert ready.status_code == 503 and ready.json()["saturated"] is True

            shed = await asyncio.gather(*(http.post("/v1/tryon/design", files=files) for _ in range(4)))
            for response in shed:
                assert response.status_code == 429, response.text
                assert int(response.headers["Retry-After"]) >= 1
                assert response.json()["error"]["code"] == "overloaded"
            assert not all(a.done() for a in admitted), "the refusals waited for the admitted try-ons"

            done = await asyncio.gather(*admitted)
            assert [r.status_code for r in done] == [200, 200], [r.text[:200] for r in done]
            assert (await http.get("/readyz")).status_code == 200
            metrics = (await http.get("/metrics")).text
            assert 'tryon_rejected_total{reason="overload",tenant="anonymous"} 4.0' in metrics

    with live_gateway(settings) as url:
        asyncio.run(scenario(url))
