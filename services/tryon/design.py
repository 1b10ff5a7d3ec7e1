"""Design-mode try-on: the shopper wears a garment printed with their content image in an artwork's style.

Reads like a recipe: check_inputs → (person mask ∥ style vector) → (pose → garment mask → garment edge ∥ stylize)
→ composite. Each step is a method that can be tested and timed alone.
"""

from __future__ import annotations

import asyncio

import numpy as np

from fittingroom.common.body import Pose
from fittingroom.common.errors import InvalidInput
from fittingroom.common.inference import InferenceClient
from fittingroom.pose.spec import POSE_DETECTION, POSE_LANDMARK
from fittingroom.segment.spec import SELFIE_SEGMENTATION
from fittingroom.segment.worn_garment import skin_mask, worn_garment_mask, worn_outline
from fittingroom.stylize.client import StyleTransfer
from fittingroom.stylize.spec import STYLE_PREDICT, STYLE_TRANSFORM
from fittingroom.tryon.pipeline import TryOnPipeline
from fittingroom.tryon.requests import DesignRequest
from fittingroom.tryon.result import TryOnResult
from fittingroom.tryon.routing import VersionRouter
from fittingroom.tryon.timing import StageObserver
from fittingroom.tryon.work_size import WORK_SIDE
from fittingroom.warp_gen.compose import composite
from fittingroom.warp_gen.dress import worn_shading
from fittingroom.warp_gen.edge_matte import EdgeMatte, edge_matte

DESIGN_MODELS = (SELFIE_SEGMENTATION.name, POSE_DETECTION.name, POSE_LANDMARK.name, STYLE_PREDICT.name,
                 STYLE_TRANSFORM.name)


class DesignPipeline(TryOnPipeline[DesignRequest]):
    mode = "design"
    models = DESIGN_MODELS
    work_side = WORK_SIDE

    def __init__(self, client: InferenceClient, router: VersionRouter, *, observe: StageObserver | None = None,
                 timeout_s: float | None = None) -> None:
        super().__init__(client, router, observe=observe, timeout_s=timeout_s)
        self.styles = StyleTransfer(client)

    async def _run(self, request: DesignRequest, result: TryOnResult) -> TryOnResult:
        person_mask, style_vector = await asyncio.gather(
            self._timed(result, "person_mask", SELFIE_SEGMENTATION.name, self.person_mask(request, result)),
            self._timed(result, "style_vector", STYLE_PREDICT.name, self.style_vector(request, result)),
        )
        # The garment's mask and edge need the pose, not the design: they are found while the design is stylized,
        # which outlasts the pose (at 512 px the pose took 74 ms, the stylizing 129, the mask 140 after both).
        (mask, edge), design = await asyncio.gather(
            self._garment(request, person_mask, result),
            self._timed(result, "stylize", STYLE_TRANSFORM.name, self.stylize(request, style_vector, result)),
        )
        result.image = await self._timed(result, "composite", "", asyncio.to_thread(
            self.composite, request, design, mask, edge))
        # The old garment as its edge's colours draw it, and the design where it is printed (to that edge).
        result.layers = {"worn_garment": edge.garment.astype(np.uint8), "garment": edge.coverage}
        return result

    async def _garment(self, request: DesignRequest, person_mask: np.ndarray, result: TryOnResult
                       ) -> tuple[np.ndarray, EdgeMatte]:
        """The pose, then the worn garment's mask (`garment_mask`) and its edge (`edge_matte`), each timed."""
        pose = await self._timed(result, "pose", POSE_LANDMARK.name, self.pose(request, person_mask, result))
        mask = await self._timed(result, "garment_mask", "", asyncio.to_thread(
            self.garment_mask, request, person_mask, pose))
        edge = await self._timed(result, "garment_edge", "", asyncio.to_thread(edge_matte, request.person, mask))
        return mask, edge

    # -- steps ---------------------------------------------------------------------------------

    @staticmethod
    def garment_mask(request: DesignRequest, person_mask: np.ndarray, pose: Pose) -> np.ndarray:
        """The worn garment to its own outline: GrabCut's mask leaves out what its smoothing drops (a wide
        trouser leg's outer edge, a loose top's side), which kept the old print in strips beside the design. Both
        leave out the same skin: found once."""
        skin = skin_mask(request.person, pose, person_mask)
        worn = worn_garment_mask(request.person, person_mask, pose, request.category, skin)
        return worn_outline(request.person, worn, person_mask, pose, request.category, skin=skin)

    @staticmethod
    def composite(request: DesignRequest, design: np.ndarray, mask: np.ndarray,
                  edge: EdgeMatte | None = None) -> np.ndarray:
        """The design printed on the worn garment, in its folds and light: the garment's own print, wash and
        mottle are not light (a patterned trouser's chevrons showed through the design), so the light is
        taken as the classical path takes it (`worn_shading`). The design reaches the garment's true edge,
        its anti-aliased outline unmixed (`edge_matte`): faded out inside the mask, the old garment showed as
        a rim all along the design's outline."""
        return composite(request.person, design, mask, opacity=request.opacity,
                         light=worn_shading(request.person, mask, strength=1.0),
                         edge=edge if edge is not None else edge_matte(request.person, mask))

    @staticmethod
    def check_inputs(request: DesignRequest) -> None:
        if not 0.0 <= request.opacity <= 1.0:
            raise InvalidInput(f"opacity must be between 0 and 1, got {request.opacity}", field="opacity")

    async def style_vector(self, request: DesignRequest, result: TryOnResult) -> np.ndarray:
        return await self.styles.style_vector(request.artwork, version=result.models[STYLE_PREDICT.name].version,
                                              timeout_s=self.timeout_s)

    async def stylize(self, request: DesignRequest, style_vector: np.ndarray, result: TryOnResult) -> np.ndarray:
        return await self.styles.stylize(request.content, style_vector,
                                         version=result.models[STYLE_TRANSFORM.name].version,
                                         timeout_s=self.timeout_s)
