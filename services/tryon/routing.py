"""What the core needs of version routing: a protocol, so that it knows nothing of where splits are kept.

The gateway's `TrafficRouter` implements it over the shared store (canary splits, pins, draining); a
batch job may implement it over anything that picks versions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from fittingroom.common.inference import ModelMetadata
from fittingroom.common.stage import ModelUse


class VersionRouter(Protocol):
    async def acquire(self, models: Iterable[str], pins: Mapping[str, int] | None = None) -> dict[str, ModelUse]:
        """Choose and lease one version of each model (`pins` force versions); pair with `release`."""
        ...

    async def release(self, uses: Iterable[ModelUse]) -> None: ...

    async def metadata(self, model: str) -> ModelMetadata:
        """The served model's metadata (tensor shapes, parameters), possibly cached."""
        ...

    async def trained(self, model: str) -> bool:
        """Whether the model is served and every version taking its traffic is trained (per version: a canary
        may serve an untrained version beside a trained one)."""
        ...

    async def trained_versions(self, model: str) -> dict[int, bool]:
        """Whether each version taking the model's traffic is trained; empty when the model is not served."""
        ...
