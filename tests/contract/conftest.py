"""The two implementations of the inference interface, over the same model files.

The Triton one is a real tritonserver (the pip build, python-ort flavour) started once per session on
free loopback ports, serving a python-ort view of `model_repository/` whose `model.onnx` files are
symlinks to the embedded backend's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from fittingroom.common.embedded import EmbeddedClient
from fittingroom.common.inference import InferenceClient
from fittingroom.common.triton_client import TritonClient
from fittingroom.common.triton_server import TritonServer, free_port
from fittingroom.export.runtimes import derive_repository

# The contract needs two models; loading only these keeps start-up and memory small.
CONTRACT_MODELS = ["style_predict", "u2netp"]


@pytest.fixture(scope="session")
def triton_server(repository: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TritonServer]:
    served = tmp_path_factory.mktemp("python-ort")
    derive_repository(repository, served)
    log_file = tmp_path_factory.mktemp("tritonserver") / "tritonserver.log"
    with TritonServer(served, http_port=free_port(), grpc_port=free_port(), metrics_port=free_port(),
                      models=CONTRACT_MODELS, log_file=log_file) as server:
        yield server


# grpc.aio binds its poller to every event loop it meets and reports spurious "Event loop is closed"
# errors once pytest closes one; the contract tests therefore share the session's loop.
@pytest_asyncio.fixture(params=["embedded", pytest.param("triton", marks=pytest.mark.integration)],
                        loop_scope="session")
async def client(request: pytest.FixtureRequest, repository: Path) -> AsyncIterator[InferenceClient]:
    implementation: InferenceClient
    if request.param == "embedded":
        implementation = EmbeddedClient(repository, intra_op_threads=1)
    else:
        implementation = TritonClient(request.getfixturevalue("triton_server").grpc_url)
    yield implementation
    await implementation.close()
