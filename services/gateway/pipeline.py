"""Design-mode try-on: the shopper wears a garment printed with their content image in an artwork's style.

Reads like a recipe: check_inputs → (person mask ∥ style vector) → (pose ∥ stylize) → garment mask →
composite. Each step is a method that can be tested and timed alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np

from fittingroom.common.errors import DeadlineExceeded, InvalidInput
from fittingroom.common.inference import InferenceClient
from fittingroom.common.stage import ModelUse
from fittingroom.gateway.compose import composite
from fittingroom.gateway.garment_mask import Garment, garment_mask
from fittingroom.gateway.routing import TrafficRouter
from fittingroom.gateway.timing import StageObserver, timed
from fittingroom.pose.client import PoseEstimator
from fittingroom.pose.processing import Pose
from fittingroom.pose.spec import POSE_LANDMARK
from fittingroom.segment.client import SalientMask
from fittingroom.segment.processing import bounding_box
from fittingroom.segment.spec import U2NETP
from fittingroom.stylize.client import StyleTransfer
from fittingroom.stylize.spec import STYLE_PREDICT, STYLE_TRANSFORM

T = TypeVar("T")
__all__ = ["StageObserver"]  # re-exported: callers built observers against this module before timing.py

DESIGN_MODELS = (U2NETP.name, POSE_LANDMARK.name, STYLE_PREDICT.name, STYLE_TRANSFORM.name)


@dataclass(frozen=True)
class DesignRequest:
    person: np.ndarray
    content: np.ndarray
    artwork: np.ndarray
    garment: Garment = Garment.UPPER
    opacity: float = 0.9


@dataclass
class TryOnResult:
    """The try-on image with what produced it: per-stage milliseconds and model versions."""

    image: np.ndarray
    mode: str
    timings_ms: dict[str, float] = field(default_factory=dict)
    models: dict[str, ModelUse] = field(default_factory=dict)
    # Which way a mode made the image when it has several ("classical" = no neural try-on weights).
    path: str | None = None

    @property
    def untrained_models(self) -> list[str]:
        return sorted(name for name, use in self.models.items() if not use.trained)


class DesignPipeline:
    def __init__(self, client: InferenceClient, *, router: TrafficRouter | None = None,
                 observe: StageObserver | None = None, timeout_s: float | None = None) -> None:
        self.client = client
        self.router = router or TrafficRouter(client)
        self.observe = observe
        self.timeout_s = timeout_s
        self.masks = SalientMask(client)
        self.poses = PoseEstimator(client)
        self.styles = StyleTransfer(client)

    async def __call__(self, request: DesignRequest, *, pins: dict[str, int] | None = None) -> TryOnResult:
        """Run the whole try-on; `pins` force model versions (the version-pin header)."""
        self.check_inputs(request)
        result = TryOnResult(image=request.person, mode="design")
        result.models = await self.router.acquire(DESIGN_MODELS, pins)
        try:
            # One deadline for the whole request: per-call timeouts alone would let four stages take 4x.
            async with asyncio.timeout(self.timeout_s):
                return await self._run(request, result)
        except TimeoutError as exc:
            raise DeadlineExceeded(f"the try-on did not finish within {self.timeout_s}s "
                                   "(TRYON_REQUEST_TIMEOUT_S)") from exc
        finally:
            await self.router.release(result.models.values())

    async def _run(self, request: DesignRequest, result: TryOnResult) -> TryOnResult:
        person_mask, style_vector = await asyncio.gather(
            self._timed(result, "person_mask", U2NETP.name, self.person_mask(request, result)),
            self._timed(result, "style_vector", STYLE_PREDICT.name, self.style_vector(request, result)),
        )
        pose, design = await asyncio.gather(
            self._timed(result, "pose", POSE_LANDMARK.name, self.pose(request, person_mask, result)),
            self._timed(result, "stylize", STYLE_TRANSFORM.name, self.stylize(request, style_vector, result)),
        )
        mask = await self._timed(result, "garment_mask", "", asyncio.to_thread(
            garment_mask, request.person, person_mask, pose, request.garment))
        result.image = await self._timed(result, "composite", "", asyncio.to_thread(
            composite, request.person, design, mask, opacity=request.opacity))
        return result

    # -- steps ---------------------------------------------------------------------------------

    @staticmethod
    def check_inputs(request: DesignRequest) -> None:
        if not 0.0 <= request.opacity <= 1.0:
            raise InvalidInput(f"opacity must be between 0 and 1, got {request.opacity}", field="opacity")

    async def person_mask(self, request: DesignRequest, result: TryOnResult) -> np.ndarray:
        return await self.masks.mask(request.person, version=result.models[U2NETP.name].version,
                                     timeout_s=self.timeout_s)

    async def style_vector(self, request: DesignRequest, result: TryOnResult) -> np.ndarray:
        return await self.styles.style_vector(request.artwork, version=result.models[STYLE_PREDICT.name].version,
                                              timeout_s=self.timeout_s)

    async def pose(self, request: DesignRequest, person_mask: np.ndarray, result: TryOnResult) -> Pose:
        box = bounding_box(person_mask)
        if box is None:
            raise InvalidInput("no person found in the photo", field="person")
        return await self.poses.estimate(request.person, box, version=result.models[POSE_LANDMARK.name].version,
                                         timeout_s=self.timeout_s)

    async def stylize(self, request: DesignRequest, style_vector: np.ndarray, result: TryOnResult) -> np.ndarray:
        return await self.styles.stylize(request.content, style_vector,
                                         version=result.models[STYLE_TRANSFORM.name].version,
                                         timeout_s=self.timeout_s)

    # -- timing --------------------------------------------------------------------------------

    async def _timed(self, result: TryOnResult, stage: str, model: str, work: Awaitable[T]) -> T:
        return await timed(result, stage, model, work, self.observe)
