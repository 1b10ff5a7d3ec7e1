"""Garment-transfer try-on by VITON-HD: the "neural" path, and the choice between it and the classical one.

check_inputs → (person mask → pose ∥ parsing ∥ cloth mask) → agnostic inputs (OpenPose-18 keypoints, the
person framed on the network's canvas, the cloth-agnostic person and parse) → seg (the parse of the person
wearing the garment) → gmm (the cloth warped onto it) → alias (the try-on image) → paste (back into the photo,
at its size). It makes real try-ons only with the official checkpoints (README, "Models and weights"); on
the seeded placeholders it runs end to end and paints noise, and every response lists those models as
untrained. `path=auto` takes it only when every model it uses reports trained=true. A catalog garment's stored
silhouette (U2NetP + GrabCut, made for the classical path) is not used: the cloth mask comes from u2net_cloth,
so that every model a response lists is one that ran.
"""

from __future__ import annotations

import asyncio
from enum import StrEnum
from typing import Final

import numpy as np

from fittingroom.common.errors import BackendUnavailable, InvalidInput, ModelNotFound, ModelNotReady
from fittingroom.common.inference import InferenceClient
from fittingroom.gateway.garment_mask import Garment
from fittingroom.gateway.garment_pipeline import CLASSICAL, GarmentPipeline, GarmentRequest
from fittingroom.gateway.routing import TrafficRouter
from fittingroom.gateway.timing import StageObserver
from fittingroom.gateway.tryon import TryOnPipeline, TryOnResult
from fittingroom.pose.openpose_layout import NECK, blazepose_to_openpose18, present, render_pose
from fittingroom.pose.processing import Pose
from fittingroom.pose.spec import POSE_LANDMARK
from fittingroom.segment.parsing_client import ClothMask, HumanParser
from fittingroom.segment.processing import bounding_box
from fittingroom.segment.spec import SCHP_LIP, U2NET_CLOTH, U2NETP
from fittingroom.warp_gen.client import (
    PersonFrame,
    VitonHD,
    VitonHDInputs,
    paste_alpha,
    person_frame,
    place_garment,
    vitonhd_inputs,
)
from fittingroom.warp_gen.spec import VITONHD_ALIAS, VITONHD_GMM, VITONHD_SEG

NEURAL: Final = "neural"  # TryOnResult.path of this pipeline's images
NEURAL_MODELS: Final = (U2NETP.name, POSE_LANDMARK.name, SCHP_LIP.name, U2NET_CLOTH.name, VITONHD_SEG.name,
                        VITONHD_GMM.name, VITONHD_ALIAS.name)


class GarmentPath(StrEnum):
    AUTO = "auto"
    CLASSICAL = CLASSICAL
    NEURAL = NEURAL


class NeuralGarmentPipeline(TryOnPipeline[GarmentRequest]):
    mode = "garment"
    models = NEURAL_MODELS
    path = NEURAL

    def __init__(self, client: InferenceClient, *, router: TrafficRouter | None = None,
                 observe: StageObserver | None = None, timeout_s: float | None = None) -> None:
        super().__init__(client, router=router, observe=observe, timeout_s=timeout_s)
        self.parser = HumanParser(client)
        self.cloth = ClothMask(client)
        self.vitonhd = VitonHD(client)

    async def _run(self, request: GarmentRequest, result: TryOnResult) -> TryOnResult:
        def version(model: str) -> int:
            return result.models[model].version

        (person_mask, pose), labels, cloth_mask, canvas = await asyncio.gather(
            self.person_and_pose(request, result),
            self._timed(result, "parsing", SCHP_LIP.name, self.parser.parse(
                request.person, version=version(SCHP_LIP.name), timeout_s=self.timeout_s)),
            self._timed(result, "cloth_mask", U2NET_CLOTH.name, self.cloth.mask(
                request.garment, version=version(U2NET_CLOTH.name), timeout_s=self.timeout_s)),
            self.vitonhd.canvas(version(VITONHD_ALIAS.name)))
        inputs, frame = await self._timed(result, "agnostic", "", asyncio.to_thread(
            self.agnostic_inputs, request, person_mask, pose, labels, cloth_mask, canvas))
        parse = await self._timed(result, "seg", VITONHD_SEG.name, self.vitonhd.segment(
            inputs, version=version(VITONHD_SEG.name), timeout_s=self.timeout_s))
        warped = await self._timed(result, "gmm", VITONHD_GMM.name, self.vitonhd.warp(
            inputs, parse, version=version(VITONHD_GMM.name), timeout_s=self.timeout_s))
        generated = await self._timed(result, "alias", VITONHD_ALIAS.name, self.vitonhd.generate(
            inputs, parse, warped, version=version(VITONHD_ALIAS.name), timeout_s=self.timeout_s))
        result.image = await self._timed(result, "paste", "", asyncio.to_thread(
            self.paste, request, frame, inputs, parse, generated))
        return result

    # -- steps ---------------------------------------------------------------------------------

    @staticmethod
    def check_inputs(request: GarmentRequest) -> None:
        GarmentPipeline.check_inputs(request)
        # VITON-HD was trained on tops only (its dataset has no trousers or dresses).
        if request.category is not Garment.UPPER:
            raise InvalidInput(f"the neural path puts on upper-body garments only; use path=classical for a "
                               f"{request.category} garment", field="category")

    @staticmethod
    def agnostic_inputs(request: GarmentRequest, person_mask: np.ndarray, pose: Pose, labels: np.ndarray,
                        cloth_mask: np.ndarray, canvas: tuple[int, int]) -> tuple[VitonHDInputs, PersonFrame]:
        """The person framed on the canvas with its parse, keypoints and skeleton; the cloth placed on it."""
        box = bounding_box(person_mask)
        if box is None:  # the pose step has refused such a photo already; this keeps the types honest
            raise InvalidInput("no person found in the photo", field="person")
        keypoints = blazepose_to_openpose18(pose.points, pose.visibility)
        # Centred on the neck, when there is one: the person box also holds whatever the person holds.
        frame = person_frame(box, canvas, keypoints[NECK, 0] if present(keypoints, NECK) else None)
        keypoints = frame.keypoints(keypoints)
        cloth, mask = place_garment(request.garment, cloth_mask, canvas)
        inputs = vitonhd_inputs(frame.image(request.person), frame.labels(labels), keypoints,
                                render_pose(keypoints, *canvas), cloth, mask)
        return inputs, frame

    @staticmethod
    def paste(request: GarmentRequest, frame: PersonFrame, inputs: VitonHDInputs, parse: np.ndarray,
              generated: np.ndarray) -> np.ndarray:
        return frame.paste(request.person, generated, paste_alpha(inputs, parse))


async def neural_trained(client: InferenceClient) -> bool:
    """Whether every model of the neural path is served and its config says trained=true."""
    try:
        metadata = await asyncio.gather(*(client.model_metadata(model) for model in NEURAL_MODELS))
    except (ModelNotFound, ModelNotReady, BackendUnavailable):
        return False  # a model that cannot say it is trained is not taken on trust
    return all(m.trained for m in metadata)


async def choose_garment_pipeline(path: GarmentPath, category: Garment, *, classical: GarmentPipeline,
                                  neural: NeuralGarmentPipeline) -> TryOnPipeline[GarmentRequest]:
    """The pipeline for `path`; `auto` is neural for a top when its models are all trained, else classical.

    An explicit `neural` runs even on untrained placeholders: the response then lists them as untrained.
    """
    if path is GarmentPath.CLASSICAL:
        return classical
    if path is GarmentPath.NEURAL or (category is Garment.UPPER and await neural_trained(neural.client)):
        return neural
    return classical
