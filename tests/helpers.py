"""Test helpers: required components, a real gateway on a loopback port, a real tritonserver, PostgreSQL and
S3 servers, model versions with their own weights, and synthetic catalog garments."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import socket
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import onnx
import pytest
import uvicorn
from fastapi import FastAPI
from onnx import numpy_helper

from fittingroom.common.imagecodec import encode_image
from fittingroom.common.inference import InferenceClient
from fittingroom.common.loopback import free_port
from fittingroom.common.repository import MODEL_FILE, ModelRepository
from fittingroom.common.triton_server import TritonServer
from fittingroom.common.versions import RECORD_FILE
from fittingroom.export.runtimes import derive_repository
from fittingroom.gateway.app import create_app
from fittingroom.gateway.settings import Settings
from fittingroom.tryon.classical import CLASSICAL
from fittingroom.tryon.networks import DAFLOW_MODELS, DAFLOW_PATH, VITONHD_MODELS, VITONHD_PATH

INSTALL_SYSTEM_PACKAGES = "bash tools/install_system_packages.sh"
# The repository the tests serve: the gateway's own setting (TRYON_MODEL_REPOSITORY, default model_repository/).
# `make test` runs the tests marked `trainedness` again with it set to a repository whose garment models were
# exported from fixture checkpoints (tests/model_checks.py), and TRYON_WEIGHTS_DIR set to those checkpoints.
REPOSITORY = Settings().model_repository


@dataclass(frozen=True)
class Component:
    """Something outside the Python environment that some tests need, how to find it and how to install it."""

    name: str
    files: tuple[str, ...] = ()  # absolute paths that must exist
    commands: tuple[str, ...] = ()  # any one of these on PATH will do
    install: str = INSTALL_SYSTEM_PACKAGES

    def missing(self) -> str | None:
        """Why the component is not usable here, or None."""
        absent = [path for path in self.files if not Path(path).exists()]
        if absent:
            return f"{', '.join(absent)} not found"
        if self.commands and not any(shutil.which(command) for command in self.commands):
            return f"none of {', '.join(self.commands)} on PATH"
        return None


CHROMIUM = Component("Chromium and its WebDriver (Debian chromium, chromium-driver)",
                     files=("/usr/bin/chromium", "/usr/bin/chromedriver"))
POSTGRESQL = Component("PostgreSQL 15 server binaries (Debian postgresql-15)",
                       files=("/usr/lib/postgresql/15/bin/initdb", "/usr/lib/postgresql/15/bin/pg_ctl"))
PROMTOOL = Component("promtool (Debian prometheus)", commands=("promtool",))


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require(*components: Component) -> None:
    """Fail under CI=true, else skip, when a component is missing; the message says how to install it.

    CI must never pass a test that did not run; a developer without a browser still gets the rest."""
    for component in components:
        reason = component.missing()
        if reason is None:
            continue
        message = f"{component.name} is missing ({reason}); install it with: {component.install}"
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


# The only skips a full run may report (tests/conftest.py fails the session on any other), and why each
# cannot be turned into a failure. (GPU code needs no entry: tests/bench asserts the CUDA suite's recorded
# reason on a CPU machine and its measurements on a GPU.)
ALLOWED_SKIPS = {
    "advisory-service-unreachable": "pip-audit needs an advisory service on the internet, which CI machines "
                                    "may not reach; nothing in the project can install it",
}


def allowed_skip(key: str, detail: str) -> None:
    """Skip for one of ALLOWED_SKIPS' reasons (which the session's skip accounting then accepts)."""
    assert key in ALLOWED_SKIPS, key
    pytest.skip(f"[allowed: {key}] {detail}")


def untrained(repository: Path, models: Sequence[str]) -> list[str]:
    """Those of `models` whose served config says trained=false, sorted (as responses name them). Tests take
    trained-ness from here, never from a constant: the suite must pass with placeholders and with checkpoints."""
    served = ModelRepository(repository)
    return sorted(model for model in models if not served.config(model).trained)


def untrained_header(repository: Path, models: Sequence[str]) -> str | None:
    """The X-Untrained-Models header a response made by `models` carries (None: no header)."""
    return ", ".join(untrained(repository, models)) or None


def auto_path(repository: Path) -> str:
    """The path `path=auto` must take on `repository` (README): VITON-HD, else DAFlow, only when every model
    that path runs is trained; else classical."""
    if not untrained(repository, VITONHD_MODELS):
        return VITONHD_PATH
    return DAFLOW_PATH if not untrained(repository, DAFLOW_MODELS) else CLASSICAL


_database_numbers = itertools.count(1)


def new_postgres_database(server_url: str) -> str:
    """A new, empty database on the server at `server_url` (one per test: no state leaks between tests)."""
    import psycopg

    name = f"tryon_test_{os.getpid()}_{next(_database_numbers)}"
    with psycopg.connect(server_url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return server_url.rsplit("/", 1)[0] + f"/{name}"


@contextmanager
def s3_server(bucket: str) -> Iterator[str]:
    """moto's S3 API server on a free loopback port with `bucket` created; yields its endpoint URL. Clients
    need AWS credentials in the environment (any values: moto checks none)."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=bucket)
        yield endpoint
    finally:
        # moto keeps its buckets in process-wide state: empty it, or the next test finds this one's objects.
        urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=30)
        server.stop()


@contextmanager
def python_ort_triton(repository: Path, workdir: Path, models: Sequence[str],
                      prepare: Callable[[Path], None] | None = None) -> Iterator[TritonServer]:
    """tritonserver on free loopback ports serving `models` from a python-ort view of `repository` made in
    `workdir` (`prepare` may change that view first); its log is kept in `workdir`."""
    served = workdir / "repository"
    derive_repository(repository, served)
    if prepare is not None:
        prepare(served)
    with TritonServer(served, http_port=free_port(), grpc_port=free_port(), metrics_port=free_port(),
                      models=list(models), log_file=workdir / "tritonserver.log") as server:
        yield server


# Where a float initializer is a weight: a layer's kernel or bias, or the scale of a quantized kernel. Others (Resize
# scales, constants of shape arithmetic) keep their values: changing them breaks the graph, not its weights.
WEIGHT_INPUTS = {"Conv": (1, 2), "ConvTranspose": (1, 2), "Gemm": (1, 2), "MatMul": (1,)}


def _weight_names(model: onnx.ModelProto) -> set[str]:
    initializers = {i.name for i in model.graph.initializer}
    names = set()
    for node in model.graph.node:
        positions = WEIGHT_INPUTS.get(node.op_type, ())
        if node.op_type == "DequantizeLinear" and node.input[0] in initializers:
            positions = (1,)  # the scale of a stored (quantized) weight
        names |= {node.input[i] for i in positions if i < len(node.input) and node.input[i] in initializers}
    return names


def version_with_other_weights(source: Path, target: Path, *, seed: int, noise: float = 0.2) -> Path:
    """A copy of the version directory `source` whose model has every weight multiplied by seeded noise
    (1 + noise * N(0, 1)): the same graph and tensors, other outputs, so serving the wrong version shows. Its
    export record says what it is: seeded, untrained. Other files (runtime files) are copied."""
    model = onnx.load(str(source / MODEL_FILE))
    rng = np.random.default_rng(seed)
    weights = _weight_names(model)
    for initializer in model.graph.initializer:
        values = numpy_helper.to_array(initializer)
        if initializer.name in weights and values.dtype == np.float32:
            varied = values * (1 + noise * rng.standard_normal(values.shape)).astype(np.float32)
            initializer.CopyFrom(numpy_helper.from_array(varied, initializer.name))
    target.mkdir(parents=True)
    for path in source.iterdir():
        if path.name not in (MODEL_FILE, RECORD_FILE):
            shutil.copyfile(path, target / path.name)
    onnx.save(model, str(target / MODEL_FILE))
    if not (source / RECORD_FILE).is_file():  # a served view (python-ort) carries no export record
        return target
    # Not its source's fingerprint or parity: neither describes these weights.
    record = {k: v for k, v in json.loads((source / RECORD_FILE).read_text()).items()
              if k not in ("fingerprint", "parity")}
    (target / RECORD_FILE).write_text(json.dumps({
        **record, "trained": False, "checkpoint": None, "seed": seed,
        "weights_source": f"{record['weights_source']}, every weight times seeded noise (a test placeholder)",
        "weights_license": f"none (untrained); from {record['weights_license']} weights"}))
    return target


@contextmanager
def serve_app(app: FastAPI) -> Iterator[str]:
    """Serve `app` with uvicorn on a loopback socket bound here (no other process can take the port
    meanwhile), in a thread; yields the base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("gateway did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@contextmanager
def live_gateway(settings: Settings, client: InferenceClient | None = None) -> Iterator[str]:
    """The real gateway for these settings on a loopback port; yields the base URL."""
    with serve_app(create_app(settings, client)) as url:
        yield url


def tshirt_png(colour: tuple[int, int, int] = (200, 40, 60), size: int = 320) -> bytes:
    """A synthetic product photo: a striped T-shirt on a white background (not a real catalog image)."""
    image = np.full((size, size, 3), 255, np.uint8)
    s = size / 320
    body = np.array([[110, 60], [210, 60], [290, 110], [260, 150], [230, 130], [230, 290], [90, 290],
                     [90, 130], [60, 150], [30, 110]], np.float64) * s
    cv2.fillPoly(image, [np.round(body).astype(np.int32)], colour)
    for y in range(int(80 * s), int(290 * s), max(1, int(24 * s))):
        cv2.line(image, (int(90 * s), y), (int(230 * s), y), (250, 230, 80), max(1, int(6 * s)))
    cv2.ellipse(image, (int(160 * s), int(60 * s)), (int(28 * s), int(18 * s)), 0, 0, 180, (255, 255, 255), -1)
    return encode_image(image, "png")[0]
