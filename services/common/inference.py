"""The one interface through which the gateway talks to models, whatever serves them.

Two implementations pass the same contract tests: `EmbeddedClient` (ONNX Runtime in process, over
`model_repository/`) and the Triton gRPC client. Inputs and outputs are plain numpy arrays keyed by
the tensor names in each model's config.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from fittingroom.common.tensors import TensorSpec

Tensors = dict[str, np.ndarray]


@dataclass(frozen=True)
class ModelMetadata:
    name: str
    versions: tuple[int, ...]
    platform: str
    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]
    max_batch_size: int
    parameters: dict[str, str]

    @property
    def trained(self) -> bool:
        return self.parameters.get("trained", "false") == "true"


@runtime_checkable
class InferenceClient(Protocol):
    """Run models by name; `version=None` means the highest version that is ready."""

    async def infer(self, model: str, inputs: Tensors, version: int | None = None,
                    *, timeout_s: float | None = None) -> Tensors: ...

    async def is_server_ready(self) -> bool: ...

    async def is_model_ready(self, model: str, version: int | None = None) -> bool: ...

    async def model_metadata(self, model: str, version: int | None = None) -> ModelMetadata: ...

    async def close(self) -> None: ...


@runtime_checkable
class Replica(InferenceClient, Protocol):
    """One server of a model: run it, and load or unload its versions (Triton's explicit model control)."""

    async def load_model(self, model: str, versions: list[int] | None = None) -> None: ...

    async def unload_model(self, model: str) -> None: ...

    async def loaded_versions(self, model: str) -> list[int]: ...


@runtime_checkable
class ModelControl(Protocol):
    """Load and unload model versions at run time, on every replica that serves a model."""

    async def replicas(self, model: str) -> Mapping[str, Replica]:
        """Each server of `model` by its address, found now (a group of replicas grows and shrinks)."""
        ...
