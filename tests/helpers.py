"""Test helpers: required components, a real gateway on a loopback port, a real tritonserver, PostgreSQL and
S3 servers, model versions with their own weights, and synthetic catalog garments."""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
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
from fittingroom.common.repository import ModelRepository
from fittingroom.common.triton_server import TritonServer
from fittingroom.export.runtimes import derive_repository
from fittingroom.gateway.app import create_app
from fittingroom.gateway.settings import Settings
from fittingroom.tryon.classical import CLASSICAL
from fittingroom.tryon.networks import DAFLOW_MODELS, DAFLOW_PATH, VITONHD_MODELS, VITONHD_PATH

INSTALL_SYSTEM_PACKAGES = "bash tools/install_system_packages.sh"


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
KUSTOMIZE = Component("a kustomize v5+ renderer (kubectl or kustomize)", commands=("kustomize", "kubectl"),
                      install="put kubectl (kustomize v5+ inside) or a kustomize binary on PATH; Debian's "
                              "kubernetes-client is too old")


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


def publish_version(repository: Path, model: str, version: int, *, source_version: int = 1,
                    noise: float = 0.5, seed: int = 0) -> Path:
    """Write `model` version `version` into `repository`: the source version's graph with seeded noise added to
    every weight tensor of two or more dimensions (`noise` times the tensor's own standard deviation; quantized
    integer weights stay in their type's range), so it answers differently from the source and a hot-swap test
    can tell which version made each output. (Noise, not a scale: a normalisation layer after a convolution
    would undo a scale.) Returns the new model file."""
    graph = onnx.load(str(repository / model / str(source_version) / "model.onnx"))
    rng = np.random.default_rng(seed)
    for index, tensor in enumerate(graph.graph.initializer):
        values = numpy_helper.to_array(tensor)
        if values.ndim < 2 or values.dtype.kind not in "fiu":
            continue
        changed = values + rng.standard_normal(values.shape) * noise * float(values.std())
        if values.dtype.kind in "iu":
            limits = np.iinfo(values.dtype)
            changed = np.clip(np.rint(changed), limits.min, limits.max)
        graph.graph.initializer[index].CopyFrom(numpy_helper.from_array(changed.astype(values.dtype), tensor.name))
    target = repository / model / str(version) / "model.onnx"
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink():
        target.unlink()
    onnx.save(graph, str(target))
    return target


def _as_postgres(*command: str) -> None:
    # initdb and postgres refuse to run as root: the Debian package's `postgres` user runs them.
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *command], check=True, capture_output=True)


@contextmanager
def postgres_server() -> Iterator[str]:
    """A throw-away PostgreSQL server on a free loopback port (trust auth); yields its admin URL."""
    require(POSTGRESQL)
    initdb, pg_ctl = POSTGRESQL.files
    # Directly under /tmp: pytest's own temporary folders are private to root, and the server runs as postgres.
    root = Path(tempfile.mkdtemp(prefix="tryon-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    port = free_port()
    _as_postgres(initdb, "-D", str(data), "--auth=trust", "-U", "postgres")
    # The server's output goes to a file: a pipe it inherited would keep pg_ctl's caller waiting forever.
    _as_postgres(pg_ctl, "-D", str(data), "-w", "-l", str(root / "server.log"), "-o",
                 f"-p {port} -k {data} -c listen_addresses=127.0.0.1", "start")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        _as_postgres(pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
