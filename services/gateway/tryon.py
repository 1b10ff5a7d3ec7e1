"""What every try-on pipeline shares: the result type, version leases, one deadline, timed stages, and
the person steps (mask, pose) that both modes start from."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import ClassVar, Generic, Protocol, TypeVar

import numpy as np

from fittingroom.common.errors import DeadlineExceeded, InvalidInput
from fittingroom.common.inference import InferenceClient
from fittingroom.common.stage import ModelUse
from fittingroom.gateway.routing import TrafficRouter
from fittingroom.gateway.timing import StageObserver, timed
from fittingroom.pose.client import PoseEstimator
from fittingroom.pose.processing import Pose
from fittingroom.pose.spec import POSE_LANDMARK
from fittingroom.segment.client import SalientMask
from fittingroom.segment.processing import bounding_box
from fittingroom.segment.spec import U2NETP

T = TypeVar("T")


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


class HasPerson(Protocol):
    @property
    def person(self) -> np.ndarray: ...


R = TypeVar("R", bound=HasPerson)


class TryOnPipeline(Generic[R]):
    """Subclasses name their mode and models and implement `check_inputs` and `_run`."""

    mode: ClassVar[str]
    models: ClassVar[tuple[str, ...]]
    path: ClassVar[str | None] = None

    def __init__(self, client: InferenceClient, *, router: TrafficRouter | None = None,
                 observe: StageObserver | None = None, timeout_s: float | None = None) -> None:
        self.client = client
        self.router = router or TrafficRouter(client)
        self.observe = observe
        self.timeout_s = timeout_s
        self.masks = SalientMask(client)
        self.poses = PoseEstimator(client)

    async def __call__(self, request: R, *, pins: dict[str, int] | None = None) -> TryOnResult:
        """Run the whole try-on; `pins` force model versions (the version-pin header)."""
        self.check_inputs(request)
        result = TryOnResult(image=request.person, mode=self.mode, path=self.path)
        result.models = await self.router.acquire(self.models_for(request), pins)
        try:
            # One deadline for the whole request: per-call timeouts alone would let every stage take it all.
            async with asyncio.timeout(self.timeout_s):
                return await self._run(request, result)
        except TimeoutError as exc:
            raise DeadlineExceeded(f"the try-on did not finish within {self.timeout_s}s "
                                   "(TRYON_REQUEST_TIMEOUT_S)") from exc
        finally:
            await self.router.release(result.models.values())

    def models_for(self, request: R) -> tuple[str, ...]:
        """The models this request runs: all of `models` unless a subclass can skip some."""
        return self.models

    def check_inputs(self, request: R) -> None:
        raise NotImplementedError

    async def _run(self, request: R, result: TryOnResult) -> TryOnResult:
        raise NotImplementedError

    async def _timed(self, result: TryOnResult, stage: str, model: str, work: Awaitable[T]) -> T:
        return await timed(result, stage, model, work, self.observe)

    # -- the person steps both modes share -------------------------------------------------------

    async def person_mask(self, request: R, result: TryOnResult) -> np.ndarray:
        return await self.masks.mask(request.person, version=result.models[U2NETP.name].version,
                                     timeout_s=self.timeout_s)

    async def pose(self, request: R, person_mask: np.ndarray, result: TryOnResult) -> Pose:
        box = bounding_box(person_mask)
        if box is None:
            raise InvalidInput("no person found in the photo", field="person")
        return await self.poses.estimate(request.person, box, version=result.models[POSE_LANDMARK.name].version,
                                         timeout_s=self.timeout_s)

    async def person_and_pose(self, request: R, result: TryOnResult) -> tuple[np.ndarray, Pose]:
        """Person mask, then the pose on it, each timed: the garment paths run both beside their other steps."""
        mask = await self._timed(result, "person_mask", U2NETP.name, self.person_mask(request, result))
        pose = await self._timed(result, "pose", POSE_LANDMARK.name, self.pose(request, mask, result))
        return mask, pose
