"""In-process ONNX Runtime backend reading the model repository exactly as Triton would."""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path

import numpy as np
import onnxruntime as ort

from fittingroom.common.errors import BackendUnavailable, DeadlineExceeded, InvalidInput, ModelNotFound
from fittingroom.common.inference import ModelMetadata, Tensors
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
        self._lock = threading.Lock()
        self._semaphore = asyncio.Semaphore(max_workers) if max_workers else None

    # -- model control ------------------------------------------------------------------------

    def _config(self, model: str) -> ModelConfig:
        config = self._configs.get(model)
        if config is None:
            config = self.repository.config(model)
            self._configs[model] = config
        return config

    def _resolve_version(self, model: str, version: int | None) -> int:
        served = self.repository.served_versions(model)
        loaded = sorted((v for (m, v) in self._sessions if m == model), reverse=True)
        if version is None:
            if loaded:
                return loaded[0]
            if not served:
                raise ModelNotFound(f"model '{model}' has no version on disk that its version policy serves")
            return served[0]
        if version not in served and (model, version) not in self._sessions:
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
                session = self._open(self.repository.model_path(model, version))
                self._sessions[key] = session
                log.info("loaded model %s version %d", model, version)
        return session

    def _open(self, path: Path) -> ort.InferenceSession:
        options = ort.SessionOptions()
        options.intra_op_num_threads = self._intra_op_threads
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # ORT raises its own untyped errors for corrupt or missing files
            raise BackendUnavailable(f"could not load {path}: {exc}") from exc

    async def load_model(self, model: str, versions: list[int] | None = None) -> None:
        self._configs.pop(model, None)
        wanted = versions or self.repository.served_versions(model)
        if not wanted:
            raise ModelNotFound(f"model '{model}' has no version on disk that its version policy serves")
        for version in wanted:
            if version not in self.repository.versions_on_disk(model):
                raise ModelNotFound(f"version {version} of model '{model}' is not on disk")
            await asyncio.to_thread(self._session, model, version)

    async def unload_model(self, model: str) -> None:
        with self._lock:
            for key in [k for k in self._sessions if k[0] == model]:
                del self._sessions[key]
        self._configs.pop(model, None)

    async def loaded_versions(self, model: str) -> list[int]:
        return sorted(v for (m, v) in self._sessions if m == model)

    # -- inference ----------------------------------------------------------------------------

    def _run(self, model: str, version: int, inputs: Tensors) -> Tensors:
        config = self._config(model)
        session = self._session(model, version)
        names = [t.name for t in config.outputs]
        results = session.run(names, inputs)
        return dict(zip(names, (np.asarray(r) for r in results), strict=True))

    async def infer(self, model: str, inputs: Tensors, version: int | None = None,
                    *, timeout_s: float | None = None) -> Tensors:
        config = self._config(model)
        check_inputs(config, inputs)
        resolved = self._resolve_version(model, version)
        call = asyncio.to_thread(self._run, model, resolved, inputs)
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
        except ModelNotFound:
            return False
        return True

    async def model_metadata(self, model: str, version: int | None = None) -> ModelMetadata:
        config = self._config(model)
        served = self.repository.served_versions(model)
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
