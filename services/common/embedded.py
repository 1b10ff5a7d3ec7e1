"""In-process ONNX Runtime backend reading the model repository exactly as Triton would."""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path

import numpy as np
import onnxruntime as ort

from fittingroom.common.errors import (
    BackendUnavailable,
    DeadlineExceeded,
    InvalidInput,
    ModelNotFound,
    ModelNotReady,
)
from fittingroom.common.inference import ModelMetadata, Tensors
from fittingroom.common.modelspec import INTRA_OP_THREADS
from fittingroom.common.repository import ModelConfig, ModelRepository

log = logging.getLogger(__name__)


def check_inputs(config: ModelConfig, inputs: Tensors) -> None:
    """Reject inputs the way Triton does: unknown, missing, wrong dtype or shape, batch too big."""
    expected = {t.name: t for t in config.inputs}
    unknown = sorted(set(inputs) - set(expected))
    if unknown:
        raise InvalidInput(f"model '{config.name}' has no input named {unknown}; expected {sorted(expected)}")
    missing = sorted(set(expected) - set(inputs))
    if missing:
        raise InvalidInput(f"model '{config.name}' needs input(s) {missing}")
    for name, spec in expected.items():
        array = inputs[name]
        if array.dtype != spec.dtype:
            raise InvalidInput(f"input '{name}' of model '{config.name}' must be {spec.wire_type}, "
                               f"got {array.dtype}")
        if not spec.accepts_shape(tuple(array.shape), config.max_batch_size):
            batch = f"[1..{config.max_batch_size}] + " if config.max_batch_size > 0 else ""
            raise InvalidInput(f"input '{name}' of model '{config.name}' must have shape "
                               f"{batch}{list(spec.dims)}, got {list(array.shape)}")


class EmbeddedClient:
    """Serves `model_repository/` with ONNX Runtime sessions, cached per (model, version).

    Models load lazily on first use (or eagerly through `load_model`); ONNX Runtime sessions are
    safe to run from several threads at once, so one session per version is shared.
    """

    def __init__(self, root: Path, *, intra_op_threads: int = 0, max_workers: int | None = None) -> None:
        self.repository = ModelRepository(root)
        self._intra_op_threads = intra_op_threads
        self._sessions: dict[tuple[str, int], ort.InferenceSession] = {}
        self._configs: dict[str, ModelConfig] = {}
        # Like Triton's explicit model control: a load names the versions served (overriding the
        # config's version policy) and an unload stops serving the model until it is loaded again.
        self._explicit: dict[str, list[int]] = {}
        self._unloaded: set[str] = set()
        self._lock = threading.Lock()
        self._semaphore = asyncio.Semaphore(max_workers) if max_workers else None

    # -- model control ------------------------------------------------------------------------

    def _config(self, model: str) -> ModelConfig:
        config = self._configs.get(model)
        if config is None:
            config = self.repository.config(model)
            self._configs[model] = config
        return config

    def _served(self, model: str) -> list[int]:
        if model in self._unloaded:
            raise ModelNotReady(f"model '{model}' is unloaded; load it through the admin API")
        explicit = self._explicit.get(model)
        if explicit is None:
            # Frozen at first use, as Triton fixes its versions when it loads a model: a version exported
            # later takes no traffic until it is loaded explicitly (the admin API).
            explicit = self._explicit.setdefault(model, self.repository.served_versions(model))
        return sorted(explicit, reverse=True)

    def _resolve_version(self, model: str, version: int | None) -> int:
        served = self._served(model)
        if version is None:
            if not served:
                raise ModelNotFound(f"model '{model}' has no version on disk that its version policy serves")
            return served[0]
        if version not in served:
            raise ModelNotFound(f"version {version} of model '{model}' is not available; served: {served}")
        return version

    def _session(self, model: str, version: int) -> ort.InferenceSession:
        key = (model, version)
        session = self._sessions.get(key)
        if session is not None:
            return session
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                session = self._open(self.repository.model_path(model, version), self._threads(model))
                self._sessions[key] = session
                log.info("loaded model %s version %d", model, version)
        return session

    def _threads(self, model: str) -> int:
        """ONNX Runtime's intra-op threads for `model`: its config's `embedded_intra_op_threads`, else the
        client's (0: ONNX Runtime's default, a thread per core)."""
        configured = self._config(model).parameters.get(INTRA_OP_THREADS)
        return int(configured) if configured and configured.isdigit() else self._intra_op_threads

    @staticmethod
    def _open(path: Path, threads: int) -> ort.InferenceSession:
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # ORT raises its own untyped errors for corrupt or missing files
            raise BackendUnavailable(f"could not load {path}: {exc}") from exc

    async def load_model(self, model: str, versions: list[int] | None = None) -> None:
        """Serve exactly `versions` (default: what the version policy selects), sessions opened first."""
        self._configs.pop(model, None)
        self._config(model)
        wanted = versions or self.repository.served_versions(model)
        if not wanted:
            raise ModelNotFound(f"model '{model}' has no version on disk that its version policy serves")
        on_disk = self.repository.versions_on_disk(model)
        for version in wanted:
            if version not in on_disk:
                raise ModelNotFound(f"version {version} of model '{model}' is not on disk")
            await asyncio.to_thread(self._session, model, version)
        with self._lock:
            self._explicit[model] = sorted(wanted)
            self._unloaded.discard(model)
            for key in [k for k in self._sessions if k[0] == model and k[1] not in wanted]:
                del self._sessions[key]  # a run in progress keeps its own reference and finishes

    async def unload_model(self, model: str) -> None:
        with self._lock:
            self._unloaded.add(model)
            self._explicit.pop(model, None)
            for key in [k for k in self._sessions if k[0] == model]:
                del self._sessions[key]

    async def loaded_versions(self, model: str) -> list[int]:
        return sorted(v for (m, v) in self._sessions if m == model)

    async def replicas(self, model: str) -> dict[str, EmbeddedClient]:
        return {"embedded": self}  # the gateway process is the one server

    # -- inference ----------------------------------------------------------------------------

    @staticmethod
    def _run(session: ort.InferenceSession, names: list[str], inputs: Tensors) -> Tensors:
        results = session.run(names, inputs)
        return dict(zip(names, (np.asarray(r) for r in results), strict=True))

    async def infer(self, model: str, inputs: Tensors, version: int | None = None,
                    *, timeout_s: float | None = None) -> Tensors:
        config = self._config(model)
        check_inputs(config, inputs)
        resolved = self._resolve_version(model, version)
        # Take the session now: an unload after this point cannot pull it from under the call.
        session = self._sessions.get((model, resolved)) or await asyncio.to_thread(self._session, model, resolved)
        call = asyncio.to_thread(self._run, session, [t.name for t in config.outputs], inputs)
        try:
            if self._semaphore is None:
                return await asyncio.wait_for(call, timeout_s)
            async with self._semaphore:
                return await asyncio.wait_for(call, timeout_s)
        except TimeoutError as exc:
            raise DeadlineExceeded(f"model '{model}' did not answer within {timeout_s:.3f}s") from exc

    async def is_server_ready(self) -> bool:
        return self.repository.root.is_dir()

    async def is_model_ready(self, model: str, version: int | None = None) -> bool:
        try:
            self._resolve_version(model, version)
        except (ModelNotFound, ModelNotReady):
            return False
        return True

    async def model_metadata(self, model: str, version: int | None = None) -> ModelMetadata:
        config = self._config(model)
        served = self._served(model)
        if version is not None:
            self._resolve_version(model, version)
        return ModelMetadata(
            name=model, versions=tuple(served), platform=config.platform or config.backend,
            inputs=config.inputs, outputs=config.outputs, max_batch_size=config.max_batch_size,
            parameters=dict(config.parameters),
        )

    async def close(self) -> None:
        with self._lock:
            self._sessions.clear()
