"""`tryon doctor`: what is installed, which models are built (trained or placeholders), which backend serves.

Everything here is read from disk and package metadata; nothing is imported that a check is about (torch
stays unimported: the gateway never loads it) and the only network call is one connect to Triton's port.
"""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from fittingroom.common.embedded import EmbeddedClient
from fittingroom.common.repository import ModelRepository
from fittingroom.common.triton_server import CACHE_DIR, TritonInstall
from fittingroom.common.versions import RECORD_FILE
from fittingroom.gateway.routing import TrafficRouter
from fittingroom.gateway.settings import Backend, Settings
from fittingroom.tryon.service import TryOnService

# Packages by what they are for; the export ones come with the `export` extra (`make repository`).
SERVING_PACKAGES = ("onnxruntime", "fastapi", "tritonclient")
EXPORT_PACKAGES = ("torch", "onnx")
CONNECT_TIMEOUT_S = 2.0  # a readiness call to each Triton address: a doctor must answer quickly


@dataclass(frozen=True)
class ModelState:
    """One model of the repository: the versions built on disk and whether its weights are trained."""

    name: str
    versions: tuple[int, ...]
    trained: bool

    @property
    def built(self) -> bool:
        return bool(self.versions)


def model_states(repository: Path) -> list[ModelState]:
    """Every model whose config is in `repository`, trained as its newest build recorded it (else its config)."""
    repo = ModelRepository(repository)
    states = []
    for name in repo.model_names():
        versions = tuple(repo.versions_on_disk(name))
        trained = repo.config(name).trained
        if versions:
            record = repo.model_path(name, versions[-1]).parent / RECORD_FILE
            if record.is_file():
                trained = bool(json.loads(record.read_text()).get("trained", trained))
        states.append(ModelState(name, versions, trained))
    return states


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _packages(names: tuple[str, ...]) -> str:
    return ", ".join(f"{n} {_version(n) or 'not installed'}" for n in names)


def _ready(url: str) -> bool:
    """Whether the Triton server (or group) at `url` says it is ready, asked as the gateway would ask it."""
    from fittingroom.common.triton_client import TritonClient  # only the Triton backend needs grpc

    async def ask() -> bool:
        client = TritonClient(url, control_timeout_s=CONNECT_TIMEOUT_S)
        try:
            return await client.is_server_ready()
        finally:
            await client.close()

    return asyncio.run(ask())


def _names(states: list[ModelState]) -> str:
    return ", ".join(s.name for s in states) or "none"


def path_lines(repository: Path, states: list[ModelState]) -> list[str]:
    """Per try-on path: whether every model it runs is built, and trained."""
    by_name = {s.name: s for s in states}
    # The service is only asked which models each path runs: nothing is loaded or called.
    client = EmbeddedClient(repository)
    lines = []
    for path, models in TryOnService(client, TrafficRouter(client)).path_models().items():
        unbuilt = [m for m in models if m not in by_name or not by_name[m].built]
        untrained = [m for m in models if m not in unbuilt and not by_name[m].trained]
        if unbuilt:
            state = f"not built: {', '.join(unbuilt)}"
        elif untrained:
            state = f"runs, on {len(untrained)} untrained placeholder(s); path=auto passes it by"
        else:
            state = "ready, trained weights"
        lines.append(f"  {path}: {state}")
    return lines


def backend_line(settings: Settings) -> str:
    """Which backend `tryon serve` would use with these settings, and whether it can."""
    if settings.backend is Backend.EMBEDDED:
        return (f"backend: embedded ONNX Runtime in the gateway process, reading {settings.model_repository} "
                "(TRYON_BACKEND=triton for a Triton server)")
    urls = list(dict.fromkeys([settings.triton_url, *settings.triton_urls.values()]))
    silent = [u for u in urls if not _ready(u)]
    if not silent:
        return f"backend: Triton over gRPC at {', '.join(urls)}: ready"
    state = "not ready" if len(urls) == 1 else f"not ready: {', '.join(silent)}"
    return f"backend: Triton over gRPC at {', '.join(urls)}: {state}"


def report(settings: Settings) -> list[str]:
    """A few lines a person reads top to bottom."""
    states = model_states(settings.model_repository)
    built = [s for s in states if s.built]
    trained = [s for s in built if s.trained]
    placeholders = [s for s in built if not s.trained]
    missing = [s for s in states if not s.built]
    triton = TritonInstall(CACHE_DIR / "tritonserver")
    lines = [
        f"fittingroom {_version('fittingroom')} on Python {sys.version.split()[0]} ({sys.prefix})",
        f"serving: {_packages(SERVING_PACKAGES)}",
        f"export: {_packages(EXPORT_PACKAGES)}",
        "tritonserver (development): " + ("unpacked" if triton.ready() else "not unpacked (`tryon triton` fetches it)"),
        f"models in {settings.model_repository}: {len(built)} of {len(states)} built",
        f"  trained: {_names(trained)}",
        f"  untrained placeholders (seeded random weights): {_names(placeholders)}",
    ]
    if missing:
        lines.append(f"  not built: {_names(missing)} (`make repository` builds every model)")
    lines.append("try-on paths:")
    lines += path_lines(settings.model_repository, states)
    lines.append(backend_line(settings))
    return lines
