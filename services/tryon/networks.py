"""Garment-transfer try-on by a trained try-on network: VITON-HD (`path=neural`) or DAFlow (`path=daflow`).

Both start the same way: person mask → pose ∥ parsing ∥ cloth mask, then the agnostic inputs (OpenPose-18
keypoints, the person framed on the network's canvas, the cloth-agnostic person and parse, the skeleton
image, the cloth placed on the canvas). VITON-HD then runs seg (the parse of the person wearing the garment)
→ gmm (the cloth warped onto it) → alias (the try-on image); DAFlow draws the try-on in one network at
256x192. Either result is pasted back into the photo, at its size, only where the network paints by design.

They make real try-ons only with the official checkpoints (README, "Models and weights"); on the seeded
placeholders they run end to end and paint noise, and every response lists those models as untrained.
A catalog garment brings its silhouette, computed at registration (U2NetP + GrabCut): the cloth-mask model
is then skipped, and not listed among the models the response names.
"""

from __future__ import annotations

import asyncio
import secrets
from functools import cached_property
from typing import ClassVar, Final

import numpy as np

from fittingroom.common.body import Pose
from fittingroom.common.errors import InvalidInput
from fittingroom.common.garment import Category
from fittingroom.common.inference import InferenceClient
from fittingroom.pose.openpose_layout import NECK, blazepose_to_openpose18, present, render_pose
from fittingroom.pose.spec import POSE_DETECTION, POSE_LANDMARK
from fittingroom.segment.parsing_client import GARMENT_GREY, ClothMask, HumanParser
from fittingroom.segment.processing import bounding_box
from fittingroom.segment.spec import SCHP_LIP, SELFIE_SEGMENTATION, U2NET_CLOTH
from fittingroom.tryon.classical import check_images
from fittingroom.tryon.pipeline import TryOnPipeline
from fittingroom.tryon.requests import SEED_LIMIT, GarmentRequest, GeneratorNoise
from fittingroom.tryon.result import TryOnResult
from fittingroom.tryon.routing import VersionRouter
from fittingroom.tryon.timing import StageObserver
from fittingroom.warp_gen.client import (
    DAFlow,
    PersonFrame,
    VitonHD,
    VitonHDInputs,
    agnostic_canvas,
    daflow_alpha,
    paste_alpha,
    person_frame,
    place_garment,
    vitonhd_inputs,
    vitonhd_noise,
    white_backdrop,
)
from fittingroom.warp_gen.spec import DAFLOW, VITONHD_ALIAS, VITONHD_GMM, VITONHD_SEG

# TryOnResult.path of VITON-HD's images: the API's name for this path since before DAFlow (also neural) came.
VITONHD_PATH: Final = "neural"
DAFLOW_PATH: Final = "daflow"  # TryOnResult.path of DAFlow's images
# What both networks need besides themselves: person mask, pose, parsing, and the cloth mask of an upload.
AGNOSTIC_MODELS: Final = (SELFIE_SEGMENTATION.name, POSE_DETECTION.name, POSE_LANDMARK.name, SCHP_LIP.name,
                          U2NET_CLOTH.name)
VITONHD_MODELS: Final = (*AGNOSTIC_MODELS, VITONHD_SEG.name, VITONHD_GMM.name, VITONHD_ALIAS.name)
DAFLOW_MODELS: Final = (*AGNOSTIC_MODELS, DAFLOW.name)


class TryOnNetworkPipeline(TryOnPipeline[GarmentRequest]):
    """The steps both try-on networks share; subclasses name the generator and implement `generate`."""

    mode = "garment"
    generator: ClassVar[str]  # the model whose `agnostic` input sets the canvas

    def __init__(self, client: InferenceClient, router: VersionRouter, *, observe: StageObserver | None = None,
                 timeout_s: float | None = None) -> None:
        super().__init__(client, router, observe=observe, timeout_s=timeout_s)
        self.parser = HumanParser(client)
        self.cloth = ClothMask(client)

    def models_for(self, request: GarmentRequest) -> tuple[str, ...]:
        return self.used_models(catalog_mask=request.product_mask is not None)

    def used_models(self, *, catalog_mask: bool) -> tuple[str, ...]:
        """The models a request runs: all but the cloth-mask model when the garment brings its own mask."""
        return tuple(m for m in self.models if not (catalog_mask and m == U2NET_CLOTH.name))

    async def trained(self, *, catalog_mask: bool) -> bool:
        """Whether every model such a request runs is served and its config says trained=true."""
        return all(await asyncio.gather(*map(self.router.trained, self.used_models(catalog_mask=catalog_mask))))

    async def _run(self, request: GarmentRequest, result: TryOnResult) -> TryOnResult:
        (person_mask, pose), labels, cloth_mask, canvas = await asyncio.gather(
            self.person_and_pose(request, result),
            self._timed(result, "parsing", SCHP_LIP.name, self.parser.parse(
                request.person, version=result.models[SCHP_LIP.name].version, timeout_s=self.timeout_s)),
            self.cloth_mask(request, result),
            self.canvas())
        inputs, frame = await self._timed(result, "agnostic", "", asyncio.to_thread(
            self.agnostic_inputs, request, person_mask, pose, labels, cloth_mask, canvas))
        generated, alpha = await self.generate(request, inputs, result)
        result.image = await self._timed(result, "paste", "", asyncio.to_thread(
            frame.paste, request.person, generated, alpha))
        return result

    # -- steps ---------------------------------------------------------------------------------

    @staticmethod
    def check_inputs(request: GarmentRequest) -> None:
        check_images(person=request.person, garment=request.garment)
        if request.seed is not None and not 0 <= request.seed < SEED_LIMIT:
            raise InvalidInput(f"seed must be in [0, {SEED_LIMIT}), got {request.seed}", field="seed")
        # Both networks were trained on tops only (VITON and VITON-HD have no trousers or dresses).
        if request.category is not Category.UPPER:
            raise InvalidInput(f"the try-on networks put on upper-body garments only; use path=classical for a "
                               f"{request.category} garment", field="category")

    async def cloth_mask(self, request: GarmentRequest, result: TryOnResult) -> np.ndarray:
        """The garment's grey-level mask: the catalog's stored silhouette, else the cloth-segmentation model's."""
        if request.product_mask is not None:
            return request.product_mask * np.uint8(GARMENT_GREY)
        return await self._timed(result, "cloth_mask", U2NET_CLOTH.name, self.cloth.mask(
            request.garment, version=result.models[U2NET_CLOTH.name].version, timeout_s=self.timeout_s))

    async def canvas(self) -> tuple[int, int]:
        """The (height, width) the generator is served at: the canvas the person is framed on. One config
        serves every version of a model, so the router's cached metadata says it: no backend call per request."""
        return agnostic_canvas(await self.router.metadata(self.generator))

    async def generate(self, request: GarmentRequest, inputs: VitonHDInputs,
                       result: TryOnResult) -> tuple[np.ndarray, np.ndarray]:
        """The try-on on the canvas (RGB uint8) and where to paste it ([H, W] in [0, 1])."""
        raise NotImplementedError

    def placed_cloth(self, garment: np.ndarray, mask: np.ndarray,
                     canvas: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """The product photo and its mask on the canvas, as the network's training photos show them."""
        return place_garment(garment, mask, canvas)

    def agnostic_inputs(self, request: GarmentRequest, person_mask: np.ndarray, pose: Pose, labels: np.ndarray,
                        cloth_mask: np.ndarray, canvas: tuple[int, int]) -> tuple[VitonHDInputs, PersonFrame]:
        """The person framed on the canvas with its parse, keypoints and skeleton; the cloth placed on it."""
        box = bounding_box(person_mask)
        if box is None:  # the pose step has refused such a photo already; this keeps the types honest
            raise InvalidInput("no person found in the photo", field="person")
        keypoints = blazepose_to_openpose18(pose.points, pose.visibility)
        # Centred on the neck, when there is one: the person box also holds whatever the person holds.
        frame = person_frame(box, canvas, keypoints[NECK, 0] if present(keypoints, NECK) else None)
        keypoints = frame.keypoints(keypoints)
        cloth, mask = self.placed_cloth(request.garment, cloth_mask, canvas)
        inputs = vitonhd_inputs(frame.image(request.person), frame.labels(labels), keypoints,
                                render_pose(keypoints, *canvas), cloth, mask)
        return inputs, frame


class VitonHDPipeline(TryOnNetworkPipeline):
    """VITON-HD: segmentation → GMM warp → ALIAS generator, at the size the served version was exported at
    (512x384 by default, not the official size; 1024x768 in the GPU profile), with the generator's noise
    drawn from the request's seed (the official inference path; `noise=off` leaves it out)."""

    models = VITONHD_MODELS
    path = VITONHD_PATH
    generator = VITONHD_ALIAS.name

    @cached_property
    def vitonhd(self) -> VitonHD:
        return VitonHD(self.client)

    async def generate(self, request: GarmentRequest, inputs: VitonHDInputs,
                       result: TryOnResult) -> tuple[np.ndarray, np.ndarray]:
        def version(model: str) -> int:
            return result.models[model].version

        # Both networks' random inputs come from one seed, which the result reports: it reproduces the image.
        result.seed = secrets.randbelow(SEED_LIMIT) if request.seed is None else request.seed
        canvas = (inputs.agnostic.shape[2], inputs.agnostic.shape[3])
        alias_noise = request.noise is GeneratorNoise.ON
        noise = await asyncio.to_thread(vitonhd_noise, result.seed, canvas, alias_noise=alias_noise)
        parse = await self._timed(result, "seg", VITONHD_SEG.name, self.vitonhd.segment(
            inputs, noise, version=version(VITONHD_SEG.name), timeout_s=self.timeout_s))
        warped = await self._timed(result, "gmm", VITONHD_GMM.name, self.vitonhd.warp(
            inputs, parse, version=version(VITONHD_GMM.name), timeout_s=self.timeout_s))
        generated = await self._timed(result, "alias", VITONHD_ALIAS.name, self.vitonhd.generate(
            inputs, parse, warped, noise, version=version(VITONHD_ALIAS.name), timeout_s=self.timeout_s))
        return generated, paste_alpha(inputs, parse)


class DAFlowPipeline(TryOnNetworkPipeline):
    """DAFlow: one network from the agnostic person, the skeleton image and the cloth, at 256x192."""

    models = DAFLOW_MODELS
    path = DAFLOW_PATH
    generator = DAFLOW.name

    @cached_property
    def daflow(self) -> DAFlow:
        return DAFlow(self.client)

    def placed_cloth(self, garment: np.ndarray, mask: np.ndarray,
                     canvas: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        # DAFlow takes no cloth mask: the product photo's own background would be drawn on the shopper.
        cloth, placed = place_garment(garment, mask, canvas)
        return white_backdrop(cloth, placed), placed

    async def generate(self, request: GarmentRequest, inputs: VitonHDInputs,
                       result: TryOnResult) -> tuple[np.ndarray, np.ndarray]:
        generated = await self._timed(result, "daflow", DAFLOW.name, self.daflow.generate(
            inputs, version=result.models[DAFLOW.name].version, timeout_s=self.timeout_s))
        return generated, daflow_alpha(inputs)
