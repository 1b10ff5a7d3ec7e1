"""A real tritonserver: live version switches, unloaded models, dynamic batching, metrics, the gateway on it.

One server for the module, on free loopback ports, serving the design try-on's models from a
python-ort view of `model_repository/` in which style_predict also has a version 2 with different weights
(tests/helpers.py version_with_other_weights), so each answer of a version switch shows which version computed it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import onnxruntime as ort
import pytest
from helpers import live_gateway, python_ort_triton, version_with_other_weights

from fittingroom.common.errors import ModelNotFound, TryOnError
from fittingroom.common.imagecodec import decode_image
from fittingroom.common.loopback import free_port
from fittingroom.common.triton_client import TritonClient
from fittingroom.common.triton_server import TritonServer
from fittingroom.export.runtimes import derive_repository
from fittingroom.gateway.errors import http_status
from fittingroom.gateway.samples import SAMPLE_ARTWORK, SAMPLE_CONTENT, SAMPLE_PERSON
from fittingroom.gateway.settings import Settings
from fittingroom.stylize.processing import style_input
from fittingroom.tryon.design import DESIGN_MODELS

pytestmark = pytest.mark.integration
# One event loop for the module's gRPC clients: grpc.aio reports spurious errors for closed loops.
shared_loop = pytest.mark.asyncio(loop_scope="module")
log = logging.getLogger(__name__)

CLIENTS = 8
PHASE_REQUESTS = 2 * CLIENTS  # requests served in each phase of the version switch
# Gateway images from Triton and from the embedded backend: same graphs, same ORT; the only allowed
# difference is float noise from batching, far below one grey level on average.
MEAN_ABS_DIFF_LIMIT = 0.5  # pixel values, 0..255
# docs/triton.md: 8 concurrent style_transform requests ran in 2-3 executions. With preferred batch sizes
# 1, 2, 4, 8 the batcher may split the 7 queued behind the first into 4 + 2 + 1: 4 executions is still
# batching; 8 is none.
MAX_EXECUTIONS = 4
SWITCHED = "style_predict"


@pytest.fixture(scope="module")
def triton(repository: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TritonServer]:
    def second_style_predict_version(served: Path) -> None:
        # The python-ort version folder (model.py beside it) with a graph of other weights.
        version_with_other_weights(served / SWITCHED / "1", served / SWITCHED / "2", seed=2)

    with python_ort_triton(repository, tmp_path_factory.mktemp("triton-versions"), DESIGN_MODELS,
                           second_style_predict_version) as server:
        yield server


@pytest.fixture(scope="module")
def style_inputs(artwork: np.ndarray) -> dict[str, np.ndarray]:
    return {"style_image": style_input(artwork)}


def _answers_by_version(triton: TritonServer, inputs: dict[str, np.ndarray]) -> dict[int, np.ndarray]:
    """What each version of SWITCHED answers to `inputs`, computed here with ONNX Runtime from its file."""
    answers = {}
    for version in (1, 2):
        session = ort.InferenceSession(str(triton.repository / SWITCHED / str(version) / "model.onnx"),
                                       providers=["CPUExecutionProvider"])
        answers[version] = session.run(None, inputs)[0]
    return answers


def _version_of(output: np.ndarray, answers: dict[int, np.ndarray]) -> str:
    """The version whose answer `output` is (float noise from batching aside), else a description."""
    for version, answer in answers.items():
        if np.allclose(output, answer, rtol=1e-4, atol=1e-5):
            return f"v{version}"
    return f"neither version's answer (max abs diff to v1 {np.abs(output - answers[1]).max():.3g})"


async def _traffic(client: TritonClient, inputs: dict[str, np.ndarray], answers: dict[int, np.ndarray],
                   stop: asyncio.Event, outcomes: list[str]) -> None:
    while not stop.is_set():
        try:
            outputs = await client.infer(SWITCHED, inputs, timeout_s=30)
            outcomes.append(_version_of(next(iter(outputs.values())), answers))
        except TryOnError as exc:
            outcomes.append(f"{type(exc).__name__}: {exc.message}")


async def _until_served(outcomes: list[str], count: int, timeout_s: float = 60) -> None:
    """Let traffic run until `count` requests have completed (a fixed sleep is too short on a busy box)."""
    deadline = time.monotonic() + timeout_s
    while len(outcomes) < count:
        assert time.monotonic() < deadline, f"only {len(outcomes)} of {count} requests completed"
        await asyncio.sleep(0.05)


@shared_loop
async def test_version_switch_under_traffic_loses_no_request(triton: TritonServer,
                                                             style_inputs: dict[str, np.ndarray]) -> None:
    """v1 alone, then v2 (other weights) beside it, then v2 alone: no request fails, and each answer is the
    one of the version that should have computed it (Triton serves the newest loaded version)."""
    answers = _answers_by_version(triton, style_inputs)
    assert not np.allclose(answers[1], answers[2], rtol=1e-2), "v2 must answer differently from v1"
    admin = TritonClient(triton.grpc_url)
    clients = [TritonClient(triton.grpc_url) for _ in range(CLIENTS)]
    outcomes: list[str] = []
    stop = asyncio.Event()
    workers: list[asyncio.Task[None]] = []
    try:
        await admin.load_model(SWITCHED, versions=[1])
        assert await admin.loaded_versions(SWITCHED) == [1]
        workers = [asyncio.create_task(_traffic(c, style_inputs, answers, stop, outcomes)) for c in clients]
        await _until_served(outcomes, len(outcomes) + PHASE_REQUESTS)
        before_v2 = len(outcomes)  # completed while v1 was the only version: v1's answers
        await admin.load_model(SWITCHED, versions=[1, 2])
        assert await admin.loaded_versions(SWITCHED) == [1, 2]
        await _until_served(outcomes, len(outcomes) + PHASE_REQUESTS)
        await admin.load_model(SWITCHED, versions=[2])  # unload v1 (waits for its requests in flight)
        assert await admin.loaded_versions(SWITCHED) == [2]
        only_v2 = len(outcomes)  # from now on v1 is gone: v2's answers only
        await _until_served(outcomes, len(outcomes) + PHASE_REQUESTS)
        stop.set()
        await asyncio.gather(*workers)
        log.info("version switch: %d requests (%d before v2, %d before v1 left), failures: %d",
                 len(outcomes), before_v2, only_v2, sum(o not in ("v1", "v2") for o in outcomes))
        assert [o for o in outcomes if o not in ("v1", "v2")] == []
        assert set(outcomes[:before_v2]) == {"v1"}
        assert set(outcomes[only_v2:]) == {"v2"}
        assert (await admin.model_metadata(SWITCHED)).versions == (2,)
    finally:
        stop.set()
        await asyncio.gather(*workers, return_exceptions=True)
        # Back to v1 alone: the module's other tests compare this server with model_repository/ (v1's weights).
        await admin.load_model(SWITCHED, versions=[1])
        await asyncio.gather(*(c.close() for c in [admin, *clients]))


@shared_loop
async def test_unloaded_model_is_a_clear_not_found(triton: TritonServer) -> None:
    client = TritonClient(triton.grpc_url)
    inputs = {"content_image": np.zeros((1, 384, 384, 3), np.float32),
              "style_vector": np.zeros((1, 1, 1, 100), np.float32)}
    try:
        await client.unload_model("style_transform")
        assert await client.loaded_versions("style_transform") == []
        assert not await client.is_model_ready("style_transform")
        with pytest.raises(ModelNotFound, match=r"style_transform.*no version is loaded") as raised:
            await client.infer("style_transform", inputs)
        assert http_status(raised.value) == 404
        with pytest.raises(ModelNotFound):
            await client.model_metadata("style_transform")
    finally:
        await client.load_model("style_transform")
    assert (await client.infer("style_transform", inputs))["stylized"].shape == (1, 384, 384, 3)
    await client.close()


def _success_count(metrics_url: str, model: str, version: int) -> int:
    with urllib.request.urlopen(metrics_url, timeout=5) as response:
        text = response.read().decode()
    pattern = rf'^nv_inference_request_success\{{model="{model}",version="{version}"\}} (\d+)'
    match = re.search(pattern, text, re.MULTILINE)
    return int(match.group(1)) if match else 0


async def _counts(client: TritonClient, model: str, version: int) -> tuple[int, int]:
    """(inference_count, execution_count) of one model version, from the statistics API."""
    stats = await client.statistics(model)
    entry = next(s for s in stats["model_stats"] if int(s["version"]) == version)
    return int(entry.get("inference_count", 0)), int(entry.get("execution_count", 0))


async def _settled_counts(client: TritonClient, model: str, version: int) -> tuple[int, int]:
    """Counts once they stop moving: Triton records a request shortly after its response is sent."""
    previous = await _counts(client, model, version)
    while True:
        await asyncio.sleep(0.2)
        current = await _counts(client, model, version)
        if current == previous:
            return current
        previous = current


@shared_loop
async def test_dynamic_batching_combines_concurrent_requests(triton: TritonServer) -> None:
    # style_transform computes long enough (tens of ms) for a burst to queue behind the first request,
    # and preferred sizes 1,2,4,8 let the batcher take the queued ones together without waiting.
    model = "style_transform"
    rng = np.random.default_rng(0)
    inputs = {"content_image": rng.random((1, 384, 384, 3), dtype=np.float32),
              "style_vector": rng.random((1, 1, 1, 100), dtype=np.float32)}
    clients = [TritonClient(triton.grpc_url) for _ in range(CLIENTS)]
    try:
        version = (await clients[0].model_metadata(model)).versions[0]
        before = await _settled_counts(clients[0], model, version)
        counted_before = _success_count(triton.metrics_url, model, version)
        await asyncio.gather(*(c.infer(model, inputs) for c in clients))
        after = await _settled_counts(clients[0], model, version)
    finally:
        await asyncio.gather(*(c.close() for c in clients))

    inferences, executions = after[0] - before[0], after[1] - before[1]
    log.info("dynamic batching: %d concurrent requests ran in %d executions", inferences, executions)
    assert inferences == CLIENTS
    assert executions <= MAX_EXECUTIONS, f"{inferences} requests ran in {executions} executions: too little batching"
    assert _success_count(triton.metrics_url, model, version) - counted_before == CLIENTS


def test_gateway_on_triton_matches_the_embedded_backend(triton: TritonServer, repository: Path,
                                                        tmp_path: Path) -> None:
    samples = {"person": SAMPLE_PERSON, "content": SAMPLE_CONTENT, "style": SAMPLE_ARTWORK}
    files = {name: (path.name, path.read_bytes(), "image/jpeg" if path.suffix == ".jpg" else "image/png")
             for name, path in samples.items()}
    images = {}
    for backend in ("embedded", "triton"):
        settings = Settings(backend=backend, triton_url=triton.grpc_url, model_repository=repository,
                            ort_threads=1, database_url=f"sqlite:///{tmp_path / backend / 'tryon.db'}",
                            blob_dir=tmp_path / backend / "blobs")
        (tmp_path / backend).mkdir()
        with live_gateway(settings) as url, httpx.Client(base_url=url, timeout=120) as http:
            response = http.post("/v1/tryon/design", files=files, data={"format": "png"})
        assert response.status_code == 200, response.text
        images[backend] = decode_image(response.content, field=backend, max_pixels=10**8).astype(np.float64)
    assert images["triton"].shape == images["embedded"].shape
    difference = np.abs(images["triton"] - images["embedded"])
    mean_abs_diff = float(difference.mean())
    log.info("gateway image, Triton vs embedded: mean abs diff %.4f, max %.0f (pixel values)",
             mean_abs_diff, difference.max())
    assert mean_abs_diff <= MEAN_ABS_DIFF_LIMIT, f"mean abs diff {mean_abs_diff:.3f} pixel values"


def test_tryon_triton_command_stops_cleanly_on_ctrl_c(repository: Path, tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    (source / "style_predict").symlink_to(repository / "style_predict")
    served = tmp_path / "served"
    derive_repository(source, served)  # already python-ort, so the command serves it as it is
    http_port = free_port()
    command = [str(Path(sys.executable).parent / "tryon"), "triton", "--repository", str(served),
               "--http-port", str(http_port), "--grpc-port", str(free_port()),
               "--metrics-port", str(free_port())]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not _ready(http_port):
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            assert time.monotonic() < deadline, "tryon triton did not become ready"
            time.sleep(0.1)
        assert _stubs_serving(served), "the python model should run in a stub process"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert not _stubs_serving(served), "a python backend stub outlived the server"


def _ready(http_port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/v2/health/ready", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _stubs_serving(repository: Path) -> bool:
    """Whether any python backend stub process has a model of `repository` open."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            args = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "triton_python_backend_stub" in args and str(repository) in args:
            return True
    return False
