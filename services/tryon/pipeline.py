"""What every try-on pipeline shares: version leases, one deadline, timed stages, and the person steps
(mask, pose) that all modes start from."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import ClassVar, Generic, Protocol, Self, TypeVar

import numpy as np

from fittingroom.common.body import Pose
from fittingroom.common.errors import DeadlineExceeded, InvalidInput, ModelNotFound
from fittingroom.common.inference import InferenceClient
from fittingroom.common.stage import ModelUse
from fittingroom.pose.client import PoseEstimator
from fittingroom.pose.detector import PersonDetector
from fittingroom.pose.spec import POSE_DETECTION, POSE_LANDMARK
from fittingroom.segment.client import PersonMask, SalientMask
from fittingroom.segment.limb_gaps import bridged_limbs
from fittingroom.segment.processing import bounding_box
from fittingroom.segment.spec import SELFIE_SEGMENTATION
from fittingroom.tryon.result import TryOnResult
from fittingroom.tryon.routing import VersionRouter
from fittingroom.tryon.timing import StageObserver, Timed, timed
from fittingroom.tryon.work_size import onto_photo, working_copy

T = TypeVar("T")


class HasPerson(Protocol):
    @property
    def person(self) -> np.ndarray: ...

    def with_person(self, person: np.ndarray) -> Self: ...


R = TypeVar("R", bound=HasPerson)


@asynccontextmanager
async def leased(router: VersionRouter, models: Iterable[str], pins: Mapping[str, int] | None,
                 timeout_s: float | None) -> AsyncIterator[dict[str, ModelUse]]:
    """The versions of `models` leased for the block, which must finish within `timeout_s` (one deadline
    for the whole request: per-call timeouts alone would let every stage take it all)."""
    uses = await router.acquire(models, pins)
    try:
        async with asyncio.timeout(timeout_s):
            yield uses
    except TimeoutError as exc:
        raise DeadlineExceeded(f"the try-on did not finish within {timeout_s}s (TRYON_REQUEST_TIMEOUT_S)") from exc
    finally:
        await router.release(uses.values())


class TryOnPipeline(Generic[R]):
    """Subclasses name their mode and models and implement `check_inputs` and `_run`."""

    mode: ClassVar[str]
    models: ClassVar[tuple[str, ...]]
    path: ClassVar[str | None] = None
    # px: a photo with a longer side is tried on at this size and the result laid back onto it (`work_size`);
    # None: always at the photo's own size.
    work_side: ClassVar[int | None] = None

    def __init__(self, client: InferenceClient, router: VersionRouter, *, observe: StageObserver | None = None,
                 timeout_s: float | None = None) -> None:
        self.client = client
        self.router = router
        self.observe = observe
        self.timeout_s = timeout_s
        self.masks = SalientMask(client)  # garments' silhouettes in their product photos
        self.people = PersonMask(client)  # the shopper's silhouette: a few ms, where U²-NetP takes 240
        self.poses = PoseEstimator(client)
        self.detector = PersonDetector(client)

    @property
    def name(self) -> str:
        """The path's name in readiness reports: the mode, and the way when the mode has several."""
        return self.mode if self.path is None else f"{self.mode}_{self.path}"

    async def __call__(self, request: R, *, pins: Mapping[str, int] | None = None) -> TryOnResult:
        """Run the whole try-on; `pins` force model versions (the version-pin header)."""
        self.check_inputs(request)
        photo = request.person
        if self.work_side is not None and max(photo.shape[:2]) > self.work_side:
            request = request.with_person(await asyncio.to_thread(working_copy, photo, self.work_side))
        result = TryOnResult(image=request.person, mode=self.mode, path=self.path)
        try:
            async with leased(self.router, self.models_for(request), pins, self.timeout_s) as uses:
                result.models = uses
                result = await self._run(request, result)
                if request.person is not photo:
                    result = await self._timed(result, "onto_photo", "", asyncio.to_thread(
                        onto_photo, result, photo, request.person))
                return result
        except ModelNotFound as exc:  # say why the model was needed: the path that runs it
            raise ModelNotFound(f"{self.name} path: {exc.message}") from exc

    def models_for(self, request: R) -> tuple[str, ...]:
        """The models this request runs: all of `models` unless a subclass can skip some."""
        return self.models

    def check_inputs(self, request: R) -> None:
        raise NotImplementedError

    async def _run(self, request: R, result: TryOnResult) -> TryOnResult:
        raise NotImplementedError

    async def _timed(self, result: Timed, stage: str, model: str, work: Awaitable[T]) -> T:
        return await timed(result, stage, model, work, self.observe)

    # -- the person steps every mode shares ------------------------------------------------------

    async def person_mask(self, request: R, result: TryOnResult) -> np.ndarray:
        return await self.people.mask(request.person, version=result.models[SELFIE_SEGMENTATION.name].version,
                                      timeout_s=self.timeout_s)

    async def pose(self, request: R, person_mask: np.ndarray, result: TryOnResult) -> Pose:
        """Landmarks on the square MediaPipe's detector draws around the whole body (hip centre, body circle),
        the crop the landmark model was trained on: it reaches past a half-body photo's edge, where a crop
        of the person mask would squeeze the whole body into the visible half (hips placed at the chest)."""
        if bounding_box(person_mask) is None:
            raise InvalidInput("no person found in the photo", field="person")
        found = await self.detector.detect(request.person, version=result.models[POSE_DETECTION.name].version,
                                           timeout_s=self.timeout_s)
        box = found.body_square() if found is not None else bounding_box(person_mask)
        assert box is not None
        return await self.poses.estimate(request.person, box, version=result.models[POSE_LANDMARK.name].version,
                                         timeout_s=self.timeout_s)

    async def person_and_pose(self, request: R, result: TryOnResult) -> tuple[np.ndarray, Pose]:
        """Person mask, then the pose on it, each timed: the garment paths run both beside their other steps. The
        mask is bridged along the limbs the pose sees (`bridged_limbs`): a dark cuff it cut out of an arm stayed
        as a band across the repainted arm, a bite out of a black sleeve's side as a dark speck beside it."""
        mask = await self._timed(result, "person_mask", SELFIE_SEGMENTATION.name, self.person_mask(request, result))
        pose = await self._timed(result, "pose", POSE_LANDMARK.name, self.pose(request, mask, result))
        bridged = asyncio.to_thread(bridged_limbs, mask, pose, request.person)
        return await self._timed(result, "limb_gaps", "", bridged), pose
