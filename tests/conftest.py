"""Shared fixtures: the exported model repository, sample images, an embedded client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
import pytest_asyncio

from fittingroom.common.embedded import EmbeddedClient
from fittingroom.common.imagecodec import decode_image
from fittingroom.gateway.samples import SAMPLE_ARTWORK, SAMPLE_CONTENT, SAMPLE_PERSON

ROOT = Path(__file__).resolve().parent.parent
REPOSITORY = ROOT / "model_repository"


def _load(path: Path) -> np.ndarray:
    return decode_image(path.read_bytes(), field=path.name, max_pixels=10**8)


@pytest.fixture(scope="session")
def repository() -> Path:
    """The repository `make repository` exported (configs are committed, model files are built)."""
    if not any(REPOSITORY.glob("*/1/model.onnx")):
        pytest.fail("model_repository/ has no exported models: run `make repository` first")
    return REPOSITORY


@pytest.fixture(scope="session")
def person() -> np.ndarray:
    return _load(SAMPLE_PERSON)


@pytest.fixture(scope="session")
def content() -> np.ndarray:
    return _load(SAMPLE_CONTENT)


@pytest.fixture(scope="session")
def artwork() -> np.ndarray:
    return _load(SAMPLE_ARTWORK)


@pytest_asyncio.fixture
async def embedded(repository: Path) -> AsyncIterator[EmbeddedClient]:
    client = EmbeddedClient(repository, intra_op_threads=1)
    yield client
    await client.close()
