"""Shared fixtures (the exported model repository, sample images, an embedded client) and the session's
skip accounting: every skip is listed at the end, and one that is not in helpers.ALLOWED_SKIPS fails the run."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import numpy as np
import pytest
import pytest_asyncio
from _pytest.reports import CollectReport, TestReport
from _pytest.terminal import TerminalReporter
from helpers import ALLOWED_SKIPS, POSTGRESQL, REPOSITORY, new_postgres_database, require

from fittingroom.common.embedded import EmbeddedClient
from fittingroom.common.imagecodec import decode_image
from fittingroom.gateway.samples import SAMPLE_ARTWORK, SAMPLE_CONTENT, SAMPLE_PERSON
from tools.cluster import postgres as postgres_server


def _load(path: Path) -> np.ndarray:
    return decode_image(path.read_bytes(), field=path.name, max_pixels=10**8)


@pytest.fixture(scope="session")
def repository() -> Path:
    """The repository `make repository` exported (configs are committed, model files are built), or the one
    TRYON_MODEL_REPOSITORY names."""
    if not any(REPOSITORY.glob("*/1/model.onnx")):
        pytest.fail(f"{REPOSITORY} has no exported models: run `make repository` first")
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


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """One PostgreSQL server for the session (the production store); tests take a database each."""
    require(POSTGRESQL)
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty store database on each engine the gateway supports."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tryon.db'}"
    return new_postgres_database(request.getfixturevalue("postgres"))


ALLOWED_TAG = re.compile(r"\[allowed: ([\w-]+)\]")
_skips: list[tuple[str, str]] = []  # (test id, reason), in the order they happened


def _skip_reason(report: TestReport | CollectReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):  # (file, line, "Skipped: reason")
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def _allowed(reason: str) -> bool:
    match = ALLOWED_TAG.search(reason)
    return match is not None and match.group(1) in ALLOWED_SKIPS


def pytest_runtest_logreport(report: TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        _skips.append((report.nodeid, _skip_reason(report)))


def pytest_collectreport(report: CollectReport) -> None:
    if report.skipped:  # a whole module skipped at import (importorskip, module-level skip)
        _skips.append((report.nodeid, _skip_reason(report)))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # A run that skipped a test it should have run has not shown that test passes.
    if exitstatus == pytest.ExitCode.OK and any(not _allowed(reason) for _, reason in _skips):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    if not _skips:
        return
    terminalreporter.section(f"skipped: {len(_skips)}")
    for nodeid, reason in _skips:
        verdict = "allowed" if _allowed(reason) else "NOT ALLOWED"
        terminalreporter.write_line(f"{verdict}: {nodeid}: {reason}")
    refused = sum(not _allowed(reason) for _, reason in _skips)
    if refused:
        terminalreporter.write_line(f"{refused} skip(s) not in tests/helpers.py ALLOWED_SKIPS: the session fails",
                                    red=True)
