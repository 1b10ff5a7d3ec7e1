"""Faults with a real tritonserver under the gateway (backend=triton), without restarting the gateway:

- a model unloaded: design try-ons get a 503 naming the stage, garment try-ons (other models) still work;
- a slow model: the per-request deadline holds (504 at the deadline, not when the model finishes);
- Triton killed while try-ons are in flight: each fails fast with 503 + Retry-After, the breaker then
  answers without touching the dead server, and the gateway serves again once Triton is back.

The server loads the design and classical models from a python-ort view of `model_repository/`, in which style_predict
sleeps SLOW_S per execution while a flag file exists (the test turns it on and off).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from helpers import live_gateway, tshirt_png
from reliability_support import gateway_settings, requests_in_flight

from fittingroom.common.imagecodec import encode_image
from fittingroom.common.loopback import free_port
from fittingroom.common.triton_server import TritonServer
from fittingroom.export.runtimes import PYTHON_MODEL_NAME, derive_repository
from fittingroom.gateway.settings import Settings
from fittingroom.tryon.classical import GARMENT_MODELS
from fittingroom.tryon.design import DESIGN_MODELS

pytestmark = pytest.mark.integration
log = logging.getLogger(__name__)

SLOW_S = 4.0
SLOW_MODEL = textwrap.dedent(f'''
    """style_predict that sleeps {SLOW_S}s per execution while the file `slow` beside its config exists."""
    import importlib.util
    import os
    import time

    _here = os.path.dirname(os.path.abspath(__file__))
    _spec = importlib.util.spec_from_file_location("ort_model", os.path.join(_here, "ort_model.py"))
    _ort = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_ort)
    FLAG = os.path.join(os.path.dirname(_here), "slow")


    class TritonPythonModel(_ort.TritonPythonModel):
        def execute(self, requests):
            if os.path.exists(FLAG):
                time.sleep({SLOW_S})
            return super().execute(requests)
''')


@pytest.fixture(scope="module")
def served(repository: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    source, served = tmp_path_factory.mktemp("design-source"), tmp_path_factory.mktemp("design-served")
    for model in {*DESIGN_MODELS, *GARMENT_MODELS}:  # the paths a replica must serve to be ready
        (source / model).symlink_to(repository / model)
    derive_repository(source, served)
    version = served / "style_predict" / "1"
    (version / PYTHON_MODEL_NAME).rename(version / "ort_model.py")
    (version / PYTHON_MODEL_NAME).write_text(SLOW_MODEL)
    return served


@pytest.fixture(scope="module")
def triton(served: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TritonServer]:
    log_file = tmp_path_factory.mktemp("triton-faults") / "tritonserver.log"
    server = TritonServer(served, http_port=free_port(), grpc_port=free_port(), metrics_port=free_port(),
                          log_file=log_file)
    with server:
        yield server


def _triton_settings(repository: Path, state: Path, triton: TritonServer, **extra: object) -> Settings:
    return gateway_settings(repository, state, backend="triton", triton_url=triton.grpc_url,
                            tenant_rate_per_s=1000, tenant_burst=1000, tenant_max_in_flight=64, **extra)


@pytest.fixture(scope="module")
def design_files(person: np.ndarray, content: np.ndarray, artwork: np.ndarray) -> dict[str, tuple[str, bytes, str]]:
    return {name: (f"{name}.png", encode_image(image, "png")[0], "image/png")
            for name, image in (("person", person), ("content", content), ("style", artwork))}


def _assert_stage_503(response: httpx.Response, stage: str) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["Retry-After"]) >= 1
    assert f"stage '{stage}'" in response.json()["error"]["message"], response.text


def test_unloaded_model_is_a_503_naming_the_stage_and_other_modes_work(
        triton: TritonServer, repository: Path, tmp_path: Path,
        design_files: dict[str, tuple[str, bytes, str]]) -> None:
    with live_gateway(_triton_settings(repository, tmp_path, triton)) as url, \
            httpx.Client(base_url=url, timeout=120) as http:
        garment = http.post("/v1/garments", files={"image": ("shirt.png", tshirt_png(), "image/png")},
                            data={"category": "upper"})
        assert garment.status_code == 201, garment.text
        garment_try_on = {"files": {"person": design_files["person"]},
                          "data": {"mode": "garment", "garment_id": garment.json()["id"]}}

        unloaded = http.post("/v1/admin/models/style_transform/versions/1/unload")
        assert unloaded.status_code == 200 and unloaded.json()["versions_loaded"] == [], unloaded.text
        try:
            _assert_stage_503(http.post("/v1/tryon/design", files=design_files), "stylize")
            assert "style_transform" in http.post("/v1/tryon/design", files=design_files).text
            other_mode = http.post("/v1/tryon", **garment_try_on)  # u2netp + pose_landmark: still served
            assert other_mode.status_code == 200, other_mode.text
            assert http.get("/readyz").json()["models"]["style_transform"] is False
        finally:
            assert http.post("/v1/admin/models/style_transform/versions/1/load").status_code == 200
        assert http.post("/v1/tryon/design", files=design_files).status_code == 200


def test_slow_model_answers_504_at_the_deadline(
        triton: TritonServer, served: Path, repository: Path, tmp_path: Path,
        design_files: dict[str, tuple[str, bytes, str]]) -> None:
    deadline_s = 1.5
    flag = served / "style_predict" / "slow"
    with live_gateway(_triton_settings(repository, tmp_path, triton, request_timeout_s=deadline_s)) as url, \
            httpx.Client(base_url=url, timeout=60) as http:
        flag.touch()
        try:
            start = time.monotonic()
            response = http.post("/v1/tryon/design", files=design_files)
            seconds = time.monotonic() - start
        finally:
            flag.unlink()
    log.info("slow model (%.0fs per call), deadline %.1fs: %d after %.2fs", SLOW_S, deadline_s,
             response.status_code, seconds)
    assert response.status_code == 504, response.text
    assert response.json()["error"]["code"] == "deadline_exceeded"
    # At the deadline, not when the model finishes (the exact time is logged above, not asserted).
    assert deadline_s <= seconds < SLOW_S, f"answered after {seconds:.2f}s"
    time.sleep(SLOW_S)  # let the sleeping execution finish before the next test uses the model


def _kill(server: TritonServer) -> None:
    """SIGKILL, as a crash or an OOM kill would: no unloading, no goodbye to the clients."""
    assert server.process is not None
    os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait()


def test_triton_killed_mid_load_fails_fast_then_recovers_without_restart(
        triton: TritonServer, served: Path, repository: Path, tmp_path: Path,
        design_files: dict[str, tuple[str, bytes, str]]) -> None:
    in_flight = 4
    deadline_s = 60.0  # far beyond everything here: a try-on that waited for it would show
    flag = served / "style_predict" / "slow"

    async def scenario(url: str) -> None:
        async with httpx.AsyncClient(base_url=url, timeout=120) as http:
            assert (await http.post("/v1/tryon/design", files=design_files)).status_code == 200
            flag.touch()  # every try-on now waits inside Triton, in style_predict, when the kill comes
            requests = [asyncio.create_task(http.post("/v1/tryon/design", files=design_files))
                        for _ in range(in_flight)]
            while requests_in_flight((await http.get("/metrics")).text) < in_flight:
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.5)
            killed = time.monotonic()
            _kill(triton)
            flag.unlink()
            answers = await asyncio.gather(*requests)
            failed_after = time.monotonic() - killed
            for answer in answers:
                assert answer.status_code == 503 and int(answer.headers["Retry-After"]) >= 1, answer.text
            # They failed on the broken connection, not at the deadline (how fast: the log line below).
            assert failed_after < deadline_s, f"in-flight try-ons took {failed_after:.2f}s to fail"

            # While Triton is down: 503s, soon from the open breaker without touching the server.
            down = [await http.post("/v1/tryon/design", files=design_files) for _ in range(8)]
            assert all(r.status_code == 503 and "Retry-After" in r.headers for r in down)
            assert any("next try in" in r.json()["error"]["message"] for r in down), [r.text for r in down]
            assert (await http.get("/readyz")).status_code == 503

            triton.start()  # same ports; the gateway is not restarted
            await asyncio.to_thread(triton.wait_ready, 120)
            back = time.monotonic()
            while (response := await http.post("/v1/tryon/design", files=design_files)).status_code != 200:
                assert response.status_code == 503, response.text
                # A hang guard only: without a gateway restart the breaker's probe (every 5 s) reconnects.
                assert time.monotonic() - back < deadline_s, f"the gateway did not reconnect in {deadline_s:.0f} s"
                await asyncio.sleep(0.2)
            recovered_after = time.monotonic() - back
            assert (await http.get("/readyz")).status_code == 200
            log.info("Triton killed with %d try-ons in flight: all 503 within %.2fs; serving again %.2fs after "
                     "Triton was ready", in_flight, failed_after, recovered_after)

    with live_gateway(_triton_settings(repository, tmp_path, triton, request_timeout_s=deadline_s)) as url:
        asyncio.run(scenario(url))
