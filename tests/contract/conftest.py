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
from helpers import python_ort_triton

from fittingroom.common.embedded import EmbeddedClient
from fittingroom.common.inference import InferenceClient
from fittingroom.common.triton_client import TritonClient
from fittingroom.common.triton_server import TritonServer

# The contract needs two models; loading only these keeps start-up and memory small.
CONTRACT_MODELS = ["style_predict", "u2netp"]


@pytest.fixture(scope="session")
def triton_server(repository: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TritonServer]:
    with python_ort_triton(repository, tmp_path_factory.mktemp("triton-contract"), CONTRACT_MODELS) as server:
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
