"""Garment-transfer try-on with no neural try-on weights: the "classical" path.

The shopper wears a catalog garment (a product photo): check_inputs → (person mask → pose ∥ garment mask →
garment landmarks) → (warp → occlusion ∥ worn garment) → composite. The garment's landmarks, found on its
silhouette, are pulled onto the pose's keypoints by a thin-plate spline; what is in front of the body
(head, hair, arms, skin) stays in front; the new garment takes the folds and light of the one it covers.
Each step is a method that can be tested and timed alone; stages are timed like the design mode's.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Final, TypeVar

import numpy as np

from fittingroom.common.errors import InvalidInput
from fittingroom.gateway.garment_compose import dress_garment, paint_mask, worn_shading
from fittingroom.gateway.garment_fit import GarmentFit, WarpedGarment, covered_mask, fit_garment, warp_garment
from fittingroom.gateway.garment_mask import Garment, garment_mask
from fittingroom.gateway.occlusion import occluders
from fittingroom.gateway.tryon import TryOnPipeline, TryOnResult
from fittingroom.pose.processing import Pose
from fittingroom.pose.spec import POSE_LANDMARK
from fittingroom.segment.garment_landmarks import GarmentLandmarks, garment_landmarks
from fittingroom.segment.product import product_mask
from fittingroom.segment.spec import U2NETP

T = TypeVar("T")

GARMENT_MODELS: Final = (U2NETP.name, POSE_LANDMARK.name)
CLASSICAL: Final = "classical"  # TryOnResult.path of this pipeline's images
MIN_SIDE = 32  # px: below this neither model nor landmark finder sees a garment or a body
MIN_PAINTED_SHARE = 0.002  # of the person photo: less painted means the garment found no place on the body


@dataclass(frozen=True)
class GarmentRequest:
    person: np.ndarray  # RGB uint8: the shopper, front-facing
    garment: np.ndarray  # RGB uint8: the catalog photo, the garment upright on a plain background
    category: Garment = Garment.UPPER
    # Computed once when a catalog garment is registered; a request with an uploaded garment has neither.
    garment_mask: np.ndarray | None = None
    landmarks: GarmentLandmarks | None = None


class GarmentPipeline(TryOnPipeline[GarmentRequest]):
    mode = "garment"
    models = GARMENT_MODELS
    path = CLASSICAL

    async def _run(self, request: GarmentRequest, result: TryOnResult) -> TryOnResult:
        (person_mask, pose), (product, marks) = await asyncio.gather(
            self.person_and_pose(request, result), self._garment(request, result))
        worn, (warped, front) = await asyncio.gather(
            self._timed(result, "worn_garment", "", asyncio.to_thread(self.worn_garment, request, person_mask, pose)),
            self._placed(request, result, person_mask, pose, product, marks))
        result.image = await self._timed(result, "composite", "", asyncio.to_thread(
            self.composite, request, person_mask, warped, front, worn))
        return result

    async def _garment(self, request: GarmentRequest, result: TryOnResult) -> tuple[np.ndarray, GarmentLandmarks]:
        mask = request.garment_mask
        if mask is None:
            mask = await self._timed(result, "garment_mask", U2NETP.name, self.garment_mask(request, result))
        marks = request.landmarks
        if marks is None:
            marks = await self._timed(result, "garment_landmarks", "", asyncio.to_thread(
                garment_landmarks, mask, request.category.value))
        return mask, marks

    async def _placed(self, request: GarmentRequest, result: TryOnResult, person_mask: np.ndarray, pose: Pose,
                      product: np.ndarray, marks: GarmentLandmarks) -> tuple[WarpedGarment, np.ndarray]:
        warped = await self._timed(result, "warp", "", asyncio.to_thread(self.warp, request, pose, product, marks))
        front = await self._timed(result, "occlusion", "", asyncio.to_thread(
            self.occlusion, request, person_mask, pose, warped.fit))
        return warped, front

    # -- steps ---------------------------------------------------------------------------------

    @staticmethod
    def check_inputs(request: GarmentRequest) -> None:
        for name, image in (("person", request.person), ("garment", request.garment)):
            if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
                raise InvalidInput(f"'{name}' must be an RGB image", field=name)
            if min(image.shape[:2]) < MIN_SIDE:
                raise InvalidInput(f"'{name}' is {image.shape[1]}x{image.shape[0]} px; at least {MIN_SIDE} px a "
                                   "side is needed", field=name)
        if not isinstance(request.category, Garment):
            raise InvalidInput(f"category must be one of {[g.value for g in Garment]}", field="category")

    async def garment_mask(self, request: GarmentRequest, result: TryOnResult) -> np.ndarray:
        """The garment's silhouette in its photo: the salient-object model, sharpened by GrabCut."""
        salient = await self.masks.mask(request.garment, version=result.models[U2NETP.name].version,
                                        timeout_s=self.timeout_s)
        return await asyncio.to_thread(product_mask, request.garment, salient)

    @staticmethod
    def warp(request: GarmentRequest, pose: Pose, product: np.ndarray, marks: GarmentLandmarks) -> WarpedGarment:
        fit = fit_garment(marks, pose, request.category)
        return warp_garment(request.garment, product, fit, request.person.shape[:2])

    @staticmethod
    def worn_garment(request: GarmentRequest, person_mask: np.ndarray, pose: Pose) -> np.ndarray:
        """The shopper's own garment of this class (design mode's mask), whose shading the new one takes.

        Not finding one is no error: over bare skin, say, the new garment keeps its product-photo light.
        """
        try:
            return garment_mask(request.person, person_mask, pose, request.category)
        except InvalidInput:
            return np.zeros(request.person.shape[:2], np.uint8)

    @staticmethod
    def occlusion(request: GarmentRequest, person_mask: np.ndarray, pose: Pose, fit: GarmentFit) -> np.ndarray:
        covered = covered_mask(fit, request.person.shape[:2])
        return occluders(request.person, person_mask, pose, covered, fit.body)

    @staticmethod
    def composite(request: GarmentRequest, person_mask: np.ndarray, warped: WarpedGarment, front: np.ndarray,
                  worn: np.ndarray) -> np.ndarray:
        paint = paint_mask(warped.alpha, person_mask, front)
        if paint.sum() < MIN_PAINTED_SHARE * paint.size:
            raise InvalidInput(f"the {request.category} garment found no place on the person; use a front-facing "
                               "photo that shows the body it is worn on", field="person")
        return dress_garment(request.person, warped.image, paint, worn_shading(request.person, worn), worn)
