"""Test helpers: a real gateway on a loopback port, a real tritonserver, and synthetic catalog garments."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import cv2
import numpy as np
import onnx
import uvicorn
from fastapi import FastAPI
from onnx import numpy_helper

from fittingroom.common.imagecodec import encode_image
from fittingroom.common.inference import InferenceClient
from fittingroom.common.repository import MODEL_FILE
from fittingroom.common.triton_server import TritonServer
from fittingroom.common.versions import RECORD_FILE
from fittingroom.export.runtimes import derive_repository
from fittingroom.gateway.app import create_app
from fittingroom.gateway.settings import Settings


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
    # Not its source's fingerprint or parity: neither describes these weights.
    record = {k: v for k, v in json.loads((source / RECORD_FILE).read_text()).items()
              if k not in ("fingerprint", "parity")}
    (target / RECORD_FILE).write_text(json.dumps({
        **record, "trained": False, "checkpoint": None, "seed": seed,
        "weights_source": f"{record['weights_source']}, every weight times seeded noise (a test placeholder)",
        "weights_license": f"none (untrained); from {record['weights_license']} weights"}))
    return target


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
