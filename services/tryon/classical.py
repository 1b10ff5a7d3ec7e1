"""Garment-transfer try-on with no neural try-on weights: the "classical" path.

The shopper wears a catalog garment (a product photo): check_inputs → (person mask → pose ∥ product mask →
garment landmarks → texture) → (skin ∥ waistline) → (warp → occlusion ∥ worn garment) → composite. The garment's
landmarks, found on its silhouette, are pulled onto the pose's keypoints by a thin-plate spline; what is in front
of the body (head, hair, arms, skin) stays in front; the new garment takes the folds and light of the one it covers,
and what it leaves uncovered of the old one is repainted: skin on the body (the shopper's own tone),
background beside it. Where the old garment has the new one's shape (`warp_gen.silhouette`), the new
texture is dressed into the old garment's own silhouette instead (`TryOnResult.dressing`).
Each step is a method that can be tested and timed alone; stages are timed like the design mode's.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Final

import cv2
import numpy as np

from fittingroom.common.body import LEG_HEM, Pose, body_frame
from fittingroom.common.errors import InvalidInput
from fittingroom.common.garment import Category, GarmentLandmarks
from fittingroom.common.stage import ModelUse
from fittingroom.pose.spec import POSE_DETECTION, POSE_LANDMARK
from fittingroom.segment.garment_landmarks import garment_landmarks
from fittingroom.segment.legs import leg_shapes
from fittingroom.segment.occlusion import collar_over_neck, hands, neck_over_neckline, occluders, without_specks
from fittingroom.segment.product import backdrop_pieces, product_mask, shallow_backdrop, strap_loops
from fittingroom.segment.spec import SELFIE_SEGMENTATION, U2NETP
from fittingroom.segment.waistline import above_waist, waist_rise
from fittingroom.segment.worn_garment import (
    MAIN_COLOUR_SHARE,
    MIN_COLOUR_PIXELS,
    WornGarment,
    bare_body,
    bare_torso,
    collar_under_head,
    colour_clusters,
    hair_over_collar,
    head_mask,
    held_in_front,
    lab_pixels,
    neckline_opening,
    old_collar,
    skin_mask,
    straps,
    worn_garment,
    worn_outline,
)
from fittingroom.tryon.pipeline import TryOnPipeline, leased
from fittingroom.tryon.requests import GarmentRequest
from fittingroom.tryon.result import TryOnResult
from fittingroom.tryon.timing import Timed
from fittingroom.tryon.work_size import WORK_SIDE
from fittingroom.warp_gen.arms import (
    behind_arms,
    enclosed_specks,
    fit_arms,
    sleeve_remnants,
    under_garment,
)
from fittingroom.warp_gen.belly import belly_light
from fittingroom.warp_gen.chest import chest_light
from fittingroom.warp_gen.dress import (
    dress_garment,
    front_slivers,
    paint_mask,
    repaint_uncovered,
    smooth_hem,
    smooth_outline,
    to_outline,
    under_edge,
    with_rim,
    worn_shading,
)
from fittingroom.warp_gen.fit import (
    WarpedGarment,
    beside_legs,
    covered_mask,
    fit_garment,
    flare_beside,
    hands_beside,
    hanging_room,
    hips_under_top,
    warp_garment,
)
from fittingroom.warp_gen.midriff import (
    arms_beside_midriff,
    bared_lower_garment,
    body_above_lower,
    dress_lower_garment,
)
from fittingroom.warp_gen.neck_opening import ThroughNeck, front_over_inside, through_neck, without_label
from fittingroom.warp_gen.remnants import REMNANT_REACH, cover_remnants, rim_remnants
from fittingroom.warp_gen.shoulders import draped_shoulders
from fittingroom.warp_gen.silhouette import (
    TOP_EDGE_BAND,
    compare_shapes,
    dressed_silhouette,
    inner_back,
    neckline_reach,
    past_hems,
    round_off_outline,
    worn_straps_kept,
)
from fittingroom.warp_gen.skin_fill import seam_rim
from fittingroom.warp_gen.sleeves import caps_off_body, sleeve_caps, sleeve_ends, sleeved_arms
from fittingroom.warp_gen.texture import extend_texture

# U²-NetP finds an uploaded garment's silhouette; a catalog garment brings the one stored at registration.
GARMENT_MODELS: Final = (SELFIE_SEGMENTATION.name, POSE_DETECTION.name, POSE_LANDMARK.name, U2NETP.name)
PRODUCT_MODELS: Final = (U2NETP.name,)  # what analysing a product photo runs (catalog registration)
CLASSICAL: Final = "classical"  # TryOnResult.path of this pipeline's images
MIN_SIDE = 32  # px: below this neither model nor landmark finder sees a garment or a body
MIN_PAINTED_SHARE = 0.002  # of the person photo: less painted means the garment found no place on the body
# TryOnResult.dressing: the new garment's texture in the worn garment's silhouette (their shapes match), or
# the garment as warped to the body with what it leaves of the old one repainted.
SILHOUETTE: Final = "silhouette"
WARPED: Final = "warped"
# The worn garment's own outline is anti-aliased against the photo: a one-pixel feather keeps it crisp.
SILHOUETTE_FEATHER_PX = 1
SKIN_RIM_PX = 2  # the old garment's anti-aliased edge against skin beside it, repainted with it
SPECK_SHARE = 0.01  # of the shoulder width squared: the largest piece a bared shoulder's repaint encloses and takes
# Of the photo's longer side: how far above each new trouser leg's hem the bared leg below goes on under it.
HEM_ROOM = 0.02


@dataclass(frozen=True)
class Dressed:
    image: np.ndarray
    paint: np.ndarray  # uint8 {0, 1}: where the new garment shows
    repainted: np.ndarray  # uint8 {0, 1}: old garment it left uncovered, painted over
    dressing: str  # SILHOUETTE or WARPED: how the new garment was put on
    worn: np.ndarray  # uint8 {0, 1}: the old garment to its own outline (`worn_outline`)


@dataclass(frozen=True)
class Waistline:
    """Where a lower garment goes on: `rise` px above the hip joints (`waist_rise`), and all above it (bool HxW)."""

    rise: float
    above: np.ndarray


@dataclass
class ProductAnalysis:
    """A product photo's silhouette and landmarks, computed once when a catalog garment is registered."""

    mask: np.ndarray  # uint8 {0, 1} at the photo's size
    landmarks: GarmentLandmarks
    timings_ms: dict[str, float] = field(default_factory=dict)
    models: dict[str, ModelUse] = field(default_factory=dict)


def check_images(**images: np.ndarray) -> None:
    for name, image in images.items():
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise InvalidInput(f"'{name}' must be an RGB image", field=name)
        if min(image.shape[:2]) < MIN_SIDE:
            raise InvalidInput(f"'{name}' is {image.shape[1]}x{image.shape[0]} px; at least {MIN_SIDE} px a "
                               "side is needed", field=name)


def worn_rim(person: np.ndarray, uncovered: np.ndarray, outline: np.ndarray, person_mask: np.ndarray,
             skin: np.ndarray, keep: np.ndarray, pose: Pose) -> np.ndarray:
    """bool HxW: the old garment's thin pieces past the repaint `uncovered` toward the backdrop (`rim_remnants`),
    told by its own colours: the main colour clusters of its `outline` (`colour_clusters`; the nearest covered
    colour can be another of them: a black sleeve's white tape stripe, where the outline stopped), against the
    colours of the rest of the person (skin, hair, other clothes: a black top's rim test took the dark spots of
    leopard trousers beside it, a blond bob's tips beside a cream top, a bared arm's shaded edge below a black
    sleeve). Not only the colours far from all the rest's: on a darker photo the black tee lay 22 from the dark
    denim below it, and the pixel by pixel comparison already tells them apart."""
    on_person = person_mask > 0.5
    # The rest's colours are read out of the pieces' reach of the repaint: the pieces are on the person too, and
    # their black would be the rest's as much as the garment's.
    shoulder_width = body_frame(pose).shoulder_width
    side = 2 * int(np.ceil(max(2.0, REMNANT_REACH * shoulder_width))) + 1
    near = cv2.dilate(((outline > 0) | (uncovered > 0)).astype(np.uint8),
                      cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))) > 0
    own, rest = (outline > 0) & on_person, ~near & on_person
    if min(own.sum(), rest.sum()) < MIN_COLOUR_PIXELS:
        return np.zeros(outline.shape, bool)
    centres, shares = colour_clusters(lab_pixels(person, own))
    others, _ = colour_clusters(lab_pixels(person, rest))
    return rim_remnants(person, uncovered, centres[shares >= MAIN_COLOUR_SHARE], others, person_mask, keep,
                        shoulder_width)


def beside_trousers(paint: np.ndarray, pose: Pose, legs: np.ndarray) -> np.ndarray:
    """uint8 {0, 1}: below the hips, the rows that the new trousers reach: an old trouser leg wider than the new
    one, left beside it, is background there (a thigh is inside any trouser leg); below the new hem (shorts
    over long trousers) the legs are bare skin. On each leg (`legs`, `leg_shapes`) the rows its own hem reaches: a
    slanting or curved hem (one leg's lower than the other's, a skirt's sides below its middle) reached lower
    elsewhere, and took a strip of the bared thigh below the hem for background. Under the new garment just above its
    hem (HEM_ROOM) the leg goes on: the bared leg below is not rounded off there (a strip of backdrop parted it from
    the hem); no higher, where the new garment's anti-aliased sides took the skin's colour for a fringe."""
    frame = body_frame(pose)
    hips = max(round(max(float(frame.left_hip[1]), float(frame.right_hip[1]))), 0)
    rows = np.zeros(paint.shape[:2], np.uint8)
    reached = np.nonzero((paint > 0).any(axis=1))[0]
    rows[reached[reached >= hips]] = 1
    on_legs = (legs > 0).any(axis=0)
    rows[on_legs] = 0
    for leg in legs > 0:
        # From the leg's top, its hip above the hip joint (`legs.HIP_RISE`): from the hip joints, narrow trousers over
        # wide ones left the legs' hips beside their waist, a sliver of skin where the old trousers were. The leg's
        # own pixels only: the whole rows took a hand on the hip beside the new waist for backdrop.
        top = min(hips, int(np.argmax(leg.any(axis=1))))
        own = np.nonzero(((paint > 0) & leg).any(axis=1))[0]
        own = own[own >= top]
        if len(own):
            rows[top:own[-1] + 1][leg[top:own[-1] + 1]] = 1
            room = slice(max(own[-1] + 1 - round(HEM_ROOM * max(paint.shape[:2])), top), own[-1] + 1)
            rows[room][leg[room] & (paint[room] > 0)] = 0
    return rows


class ClassicalGarmentPipeline(TryOnPipeline[GarmentRequest]):
    mode = "garment"
    models = GARMENT_MODELS
    path = CLASSICAL
    work_side = WORK_SIDE

    def models_for(self, request: GarmentRequest) -> tuple[str, ...]:
        if request.product_mask is not None:
            return tuple(m for m in self.models if m != U2NETP.name)
        return self.models

    async def _run(self, request: GarmentRequest, result: TryOnResult) -> TryOnResult:
        (person_mask, pose), (product, marks, texture) = await asyncio.gather(
            self.person_and_pose(request, result), self._garment(request, result))
        # The worn garment's mask, the occluders and the composite each leave out or keep the same skin: found once.
        skin, waist = await asyncio.gather(
            self._timed(result, "skin", "", asyncio.to_thread(self.skin, request, person_mask, pose)),
            self._waistline(request, result, person_mask, pose))
        above = waist.above if waist is not None and request.category is Category.LOWER else None
        worn, (warped, front) = await asyncio.gather(
            self._timed(result, "worn_garment", "", asyncio.to_thread(
                self.worn_garment, request, person_mask, pose, skin)),
            self._placed(request, result, person_mask, pose, product, marks, texture, waist.rise if waist else None,
                         above, skin))
        dressed = await self._timed(result, "composite", "", asyncio.to_thread(
            self.composite, request, person_mask, pose, warped, front, worn.mask, above, skin, worn.skin))
        result.image = dressed.image
        result.dressing = dressed.dressing
        result.layers = {"worn_garment": dressed.worn, "garment": dressed.paint, "repainted": dressed.repainted,
                         "warped": (warped.alpha > 0.5).astype(np.uint8)}
        result.fit_targets = {n: (float(x), float(y)) for n, (x, y) in zip(warped.fit.names, warped.fit.target,
                                                                          strict=True)}
        result.shoulder_width = body_frame(pose).shoulder_width
        return result

    async def analyze_product(self, garment: np.ndarray, category: Category) -> ProductAnalysis:
        """The silhouette and landmarks of a product photo, under the same leases, deadline and stage timing
        as a try-on (catalog registration runs this once per garment)."""
        check_images(garment=garment)
        async with leased(self.router, PRODUCT_MODELS, None, self.timeout_s) as uses:
            analysis = ProductAnalysis(mask=np.zeros(0, np.uint8), landmarks=GarmentLandmarks(category),
                                       models=uses)
            analysis.mask, analysis.landmarks = await self._product(garment, category, analysis)
            return analysis

    async def _product(self, garment: np.ndarray, category: Category, result: Timed, mask: np.ndarray | None = None,
                       marks: GarmentLandmarks | None = None) -> tuple[np.ndarray, GarmentLandmarks]:
        """The product photo's silhouette and landmarks: those given (a catalog garment's), else computed."""
        if mask is None:
            mask = await self._timed(result, "garment_mask", U2NETP.name, self.product_mask(garment, result))
        if marks is None:
            marks = await self._timed(result, "garment_landmarks", "", asyncio.to_thread(
                garment_landmarks, mask, category))
        return mask, marks

    async def _garment(self, request: GarmentRequest, result: TryOnResult
                       ) -> tuple[np.ndarray, GarmentLandmarks, tuple[np.ndarray, np.ndarray]]:
        """The product photo's silhouette and landmarks (`_product`) and the texture it is dressed with, with the
        backdrop on its outline (`texture`): they need no shopper, so they are worked out while the person's mask
        and pose are."""
        product, marks = await self._product(request.garment, request.category, result, request.product_mask,
                                             request.landmarks)
        texture = await self._timed(result, "garment_texture", "", asyncio.to_thread(
            self.texture, request.garment, product))
        return product, marks, texture

    async def _waistline(self, request: GarmentRequest, result: TryOnResult, person_mask: np.ndarray, pose: Pose
                         ) -> Waistline | None:
        """A new lower garment goes in where the old one does; a regular-length top goes down over its top (no
        waistline for a dress)."""
        if request.category is Category.DRESS:
            return None
        return await self._timed(result, "waistline", "", asyncio.to_thread(
            self.waistline, request, person_mask, pose))

    async def _placed(self, request: GarmentRequest, result: TryOnResult, person_mask: np.ndarray, pose: Pose,
                      product: np.ndarray, marks: GarmentLandmarks, texture: tuple[np.ndarray, np.ndarray],
                      rise: float | None, above: np.ndarray | None, skin: np.ndarray
                      ) -> tuple[WarpedGarment, np.ndarray]:
        warped = await self._timed(result, "warp", "", asyncio.to_thread(
            self.warp, request, pose, product, marks, person_mask, rise, texture))
        front = await self._timed(result, "occlusion", "", asyncio.to_thread(
            self.occlusion, request, person_mask, pose, warped, above, skin))
        return warped, front

    # -- steps ---------------------------------------------------------------------------------

    @staticmethod
    def check_inputs(request: GarmentRequest) -> None:
        check_images(person=request.person, garment=request.garment)
        if not isinstance(request.category, Category):
            raise InvalidInput(f"category must be one of {[c.value for c in Category]}", field="category")

    async def product_mask(self, garment: np.ndarray, result: Timed) -> np.ndarray:
        """The garment's silhouette in its photo: the salient-object model, sharpened by GrabCut."""
        salient = await self.masks.mask(garment, version=result.models[U2NETP.name].version, timeout_s=self.timeout_s)
        return await asyncio.to_thread(product_mask, garment, salient)

    @staticmethod
    def texture(garment: np.ndarray, product: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The product photo as it is dressed: the backdrop seen through a strap's loop on it (`strap_loops`, inside
        the silhouette `product`) is the strap's, whose colours go on across it. And the backdrop's colour on its
        outline (`shallow_backdrop`), which a sleeve laid on its own does not carry from its armpit (`warp`)."""
        pieces = backdrop_pieces(garment, product)
        loops = strap_loops(pieces)
        return (extend_texture(garment, product > 0, loops, loops) if loops.any() else garment,
                shallow_backdrop(pieces))

    @staticmethod
    def warp(request: GarmentRequest, pose: Pose, product: np.ndarray, marks: GarmentLandmarks,
             person_mask: np.ndarray | None = None, rise: float | None = None,
             texture: tuple[np.ndarray, np.ndarray] | None = None) -> WarpedGarment:
        """The garment pulled onto the body; a lower garment's waistband `rise` px above the hip joints (the
        shopper's own waistline, `waist_rise`), where the photo shows one, and a top that would end just above
        that line over it. `texture`: the product photo as it is dressed and the backdrop on its outline
        (`texture`), worked out when not given."""
        # A top's or a dress's body covers the torso at least; a top's below the hip joints the hips too.
        torso = bare_torso(pose, request.person.shape[:2])
        if person_mask is not None and request.category is Category.UPPER:
            torso |= hips_under_top(person_mask, pose)
        fit = fit_garment(marks, pose, request.category, product, torso, person_mask, rise)
        garment, backdrop = ClassicalGarmentPipeline.texture(request.garment, product) if texture is None else texture
        return warp_garment(garment, product, fit, request.person.shape[:2], backdrop)

    @staticmethod
    def skin(request: GarmentRequest, person_mask: np.ndarray, pose: Pose) -> np.ndarray:
        """The shopper's skin (`skin_mask`), read-only: the worn garment's mask and the occluders read it at once, in
        their threads, and the composite after them."""
        skin = skin_mask(request.person, pose, person_mask)
        skin.flags.writeable = False
        return skin

    @staticmethod
    def waistline(request: GarmentRequest, person_mask: np.ndarray, pose: Pose) -> Waistline | None:
        """The shopper's own waistline, where the photo shows one (`waist_rise`), and all that lies above it."""
        rise = waist_rise(request.person, person_mask, pose)
        return None if rise is None else Waistline(rise, above_waist(rise, pose, request.person.shape[:2]))

    @staticmethod
    def worn_garment(request: GarmentRequest, person_mask: np.ndarray, pose: Pose,
                     skin: np.ndarray | None = None) -> WornGarment:
        """The shopper's own garment of this category (design mode's mask), whose shading the new one takes, and the
        skin its colours found that `skin` missed; `skin`: the shopper's (`skin_mask`), worked out when not given.

        Not finding one is no error: over bare skin, say, the new garment keeps its product-photo light.
        """
        try:
            return worn_garment(request.person, person_mask, pose, request.category, skin)
        except InvalidInput:
            shape = request.person.shape[:2]
            return WornGarment(np.zeros(shape, np.uint8), np.zeros(shape, bool))

    @staticmethod
    def occlusion(request: GarmentRequest, person_mask: np.ndarray, pose: Pose, warped: WarpedGarment,
                  above_waistline: np.ndarray | None = None, skin: np.ndarray | None = None) -> np.ndarray:
        """What stays in front of the `warped` garment: not the arms inside its sleeves laid on their own, nor the
        skin test's specks lying on it (arm skin seen past an old garment's side punched holes through it); all
        the person above a lower garment's waistline (`Waistline.above`: the top over it, or the bare midriff).
        `skin`: the shopper's (`skin_mask`), worked out when not given."""
        fit = warped.fit
        shape = request.person.shape[:2]
        covered = covered_mask(fit, shape)
        skin = skin_mask(request.person, pose, person_mask) if skin is None else skin
        front = occluders(request.person, person_mask, pose, covered, fit.body, skin)
        # A hand past its wrist stays in front of the garment it lies on (`hands`): on the hip, the garment's body or a
        # long sleeve's cuff covered it. Off the garment it is left to the repaint, which takes it for the body's skin.
        seen = hands(request.person, skin, person_mask, pose, pockets_in_front=request.category is Category.LOWER)
        front |= seen.found & (warped.alpha > 0.5)
        front = np.asarray(front & (1 - sleeved_arms(fit.sleeves, shape, warped.laid)), np.uint8)
        if above_waistline is not None:
            front |= (above_waistline & (person_mask > 0.5)).astype(np.uint8)
        return without_specks(front, warped.alpha, pose, seen.zones)

    @staticmethod
    def composite(request: GarmentRequest, person_mask: np.ndarray, pose: Pose, warped: WarpedGarment,
                  front: np.ndarray, worn: np.ndarray, above_waistline: np.ndarray | None = None,
                  skin: np.ndarray | None = None, missed_skin: np.ndarray | None = None) -> Dressed:
        """The new garment dressed onto the shopper (`dressing`): into the worn garment's own silhouette when
        their shapes match (going on past its hem when longer), else as warped to the body, over the photo
        with the old garment it leaves uncovered repainted (skin on the body, background beside it). Above a
        lower garment's waistline (`Waistline.above`) nothing is the old garment: a top's hem it grew into was
        repainted as skin. `skin`: the shopper's (`skin_mask`), worked out when not given; `missed_skin`: what it
        missed that the worn garment's colours found (`WornGarment.skin`)."""
        # The old garment's light needs nothing else the composite works out: it is read on a second thread while the
        # outline and shapes are (about 50 ms of the composite's 300 at 512 px on two cores, off its critical path).
        # Both threads only read `person` and `worn`.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="worn-light") as shading:
            light = shading.submit(worn_shading, request.person, worn)
            return ClassicalGarmentPipeline._dress(request, person_mask, pose, warped, front, worn, above_waistline,
                                                   skin, missed_skin, light)

    @staticmethod
    def _dress(request: GarmentRequest, person_mask: np.ndarray, pose: Pose, warped: WarpedGarment,
               front: np.ndarray, worn: np.ndarray, above_waistline: np.ndarray | None, skin: np.ndarray | None,
               missed_skin: np.ndarray | None, shading: Future[np.ndarray]) -> Dressed:
        """`composite`, with the old garment's light (`worn_shading`) being worked out on another thread."""
        skin = skin_mask(request.person, pose, person_mask) if skin is None else skin
        held = held_in_front(request.person, worn, person_mask, pose, skin)
        front = front | held  # a bag held over the old garment stays in front of the new one
        paint = paint_mask(warped.alpha, person_mask, front)
        if paint.sum() < MIN_PAINTED_SHARE * paint.size:
            raise InvalidInput(f"the {request.category} garment found no place on the person; use a front-facing "
                               "photo that shows the body it is worn on", field="person")
        person = request.person
        # Shapes are compared on the garment's body (GrabCut's); the new one covers, or the repaint clears, all
        # of it to its outline: wide legs and loose sides left out showed as strips beside the new garment.
        outline = worn_outline(person, worn, person_mask, pose, request.category, held, skin) if worn.any() else worn
        if above_waistline is not None:
            outline = outline & ~above_waistline
        # Its sleeves are read with no arm in front of them: forearms in front cut a long sleeve to a short one.
        head = head_mask(pose, person.shape[:2])
        unoccluded = paint_mask(warped.alpha, person_mask, head)
        # The inside of its back, seen through the neck opening of the product photo, is hidden when worn: left in, a
        # deep V's lining filled the V, the neckline compared as high as a crew neck's, and the V was dressed into a
        # crew-neck tee's outline as a panel of lining.
        through = through_neck(warped.image, warped.alpha, pose, request.category, by_hue=True)
        shown = ~through.hidden
        shapes = compare_shapes(worn, paint & shown, pose, request.category, unoccluded & shown,
                                warped) if worn.any() else None
        light = shading.result()
        if shapes is not None and shapes.matches:
            # The old collar the outline missed in the head's disc (`old_collar`) is the old garment's shape too: the
            # new one is dressed into it (left, a rib's grey specks stood along the new neckline's sides).
            outline = outline | old_collar(person, outline, head, person_mask, pose).astype(np.uint8)
            return ClassicalGarmentPipeline.dress_silhouette(request, person_mask, pose, warped, front, outline,
                                                             paint, skin, light, head)
        return ClassicalGarmentPipeline.dress_warped(request, person_mask, pose, warped, front, outline, skin,
                                                     light, head, through, collar=shapes is not None and shapes.collar,
                                                     missed_skin=missed_skin)

    @staticmethod
    def dress_silhouette(request: GarmentRequest, person_mask: np.ndarray, pose: Pose, warped: WarpedGarment,
                         front: np.ndarray, outline: np.ndarray, paint: np.ndarray, skin: np.ndarray,
                         light: np.ndarray, head: np.ndarray) -> Dressed:
        """The new garment's texture in the worn garment's outline, which already leaves out skin, hair and
        the head (`head`: its disc, `head_mask`): what is in front of it stays."""
        person = request.person
        # Past the old hem the new garment hangs across the gap between the legs and flares beside them, as on the
        # warped path; past a trouser leg's hem, longer new legs hang on as warped (`past_hems`: the outline's strip
        # down a shaded ankle there is no trouser leg).
        hems = past_hems(outline, pose) if request.category is Category.LOWER else None
        if hems is not None:
            outline = np.asarray(outline & ~hems[0], np.uint8)
        room = hanging_room(person_mask, pose, warped.fit) | flare_beside(warped.alpha, person_mask, outline, pose,
                                                                           warped.fit, request.category)
        hanging = paint_mask(warped.alpha, room if hems is None else room | hems[1], front)
        silhouette = dressed_silhouette(outline, paint, hanging, pose, request.category,
                                        None if hems is None else hems[1])
        silhouette = cover_remnants(person, silhouette, outline, person_mask, skin, pose, request.category)
        # A camisole's thin straps are the old garment too (its outline has none): the new one's where it hangs from
        # them, else repainted from the skin beside them (`worn_straps_kept`).
        worn_straps = np.zeros_like(silhouette) if request.category is Category.LOWER else straps(
            person, outline, skin, person_mask, pose, head)
        kept = worn_straps_kept(worn_straps, warped.alpha, outline, pose)
        silhouette = silhouette | kept.astype(np.uint8)
        base, dressed = round_off_outline(person, silhouette, person_mask, skin, worn_straps & ~kept)
        inside_back = inner_back(hanging, warped.image, pose, request.category, warped.alpha)
        # Its own neckline lower than the old one's goes up to it (`NECKLINE_SPAN`).
        texture = extend_texture(warped.image, hanging, dressed, inside_back,
                                 neckline_reach(dressed.shape, pose, request.category),
                                 round(TOP_EDGE_BAND * body_frame(pose).shoulder_width))
        image = dress_garment(base, texture, dressed, light, feather_px=SILHOUETTE_FEATHER_PX)
        repainted = ((base != person).any(axis=2) & (dressed == 0)).astype(np.uint8)
        return Dressed(image=image, paint=dressed, repainted=repainted, dressing=SILHOUETTE, worn=outline)

    @staticmethod
    def dress_warped(request: GarmentRequest, person_mask: np.ndarray, pose: Pose, warped: WarpedGarment,
                     front: np.ndarray, outline: np.ndarray, skin: np.ndarray, light: np.ndarray,
                     head: np.ndarray, through: ThroughNeck, collar: bool = False,
                     missed_skin: np.ndarray | None = None) -> Dressed:
        """The garment as warped to the body, over the photo with what it leaves uncovered of the old one
        (`outline`) repainted: arms, legs, midriff and chest as the photo shows them, the backdrop beside; `head`
        is the head's disc (`head_mask`); `through`: the inside of its back seen through its neck opening
        (`through_neck`); `collar`: the new garment has a collar and the old one none; `missed_skin`: skin `skin`
        missed (`WornGarment.skin`), which the repainted skin goes on from too."""
        person = request.person
        # The worn garment's mask is solved at a fraction of the size: its staircase would outline the repaint.
        worn_smooth = smooth_outline(outline)
        # Arms in front of the body still wear the old sleeves there: those become bare arms too.
        bare = skin & (person_mask > 0.5)
        # The arms, a camisole's straps and the hair over the old collar need no more than its outline and the skin:
        # they are found on a second thread while the new garment is laid on the shoulders (about 30 ms at 512 px
        # off the composite's critical path on two cores). Both threads only read what they share.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="arms") as aside:
            # An arm the old garment sleeved shows no skin to keep it in front (`occluders`): past where the new
            # garment's sleeve ends it hangs in front of its side (which the fit lays behind a hanging arm), or is left
            # a strip.
            fitted = aside.submit(fit_arms, pose, person, person_mask, bare, worn_smooth)
            worn_straps = None if request.category is Category.LOWER else aside.submit(
                straps, person, outline, bare, person_mask, pose, head)
            hair = aside.submit(hair_over_collar, person, outline, head, person_mask, pose, bare)
            # The old collar round the neck is garment, not head, though the head's disc reaches over it: kept in
            # front, its tips stood round the new neckline, and its anti-aliased edge as a dark line along it. Nor is
            # the skin of its V below the shoulders the neck's: kept in front, it cut a notch into a higher new
            # neckline. Nor the collar the outline missed in the disc (`old_collar`: a collar's points under the hair,
            # a rib's specks), repainted with its rim; not made outline (the arms' neck side then read the neck as
            # going on under it, and drew the shoulder narrower: a notch of backdrop beside the neck).
            opening = neckline_opening(outline, front & (1 - head), pose) | old_collar(person, outline, head,
                                                                                         person_mask, pose, rim=True)
            front = front & ~(collar_under_head(outline, head) | opening)
            if collar:  # standing round the neck, in front of its lower sides
                front = front & ~collar_over_neck(warped.alpha, skin, pose, person_mask)
            skin = bare
            # The inside of its back (`through`: seen through the neck opening of the product photo) is hidden when
            # worn (first: a shoulder draped up from it took its grey).
            inside_back = through.hidden
            garment, alpha = front_over_inside(warped.image, warped.alpha, inside_back), warped.alpha * ~inside_back
            if request.category is not Category.LOWER and not inside_back.any():  # where no inside back was told from
                garment = without_label(garment, alpha > 0.5, pose)  # the front, its label still shows
            if not collar and request.category is not Category.LOWER:  # the neck in front down to a crew neckline's U
                front, neck = neck_over_neckline(front, alpha, outline, pose, person_mask)
            else:
                neck = np.zeros(front.shape, bool)
            if request.category is not Category.LOWER:  # lying on the shoulders up to their outline
                garment, alpha = draped_shoulders(garment, alpha, person_mask,
                                                  ((skin > 0) | (outline > 0)) & (front == 0), pose, person)
        arms = fitted.result()
        fit = warped.fit
        # A garment hanging past the old hem shows its own outline off the person (`flare_beside`), a skirt's flare;
        # a hand beside it (shaded or not) stays in front of the dress, but the flare is the skirt's own outline,
        # round the hand and up to its anti-aliased rim (left out by the hand's band, it stepped out below the
        # fingertips; left out to the person mask, a line of backdrop outlined the hand).
        flare = flare_beside(alpha, person_mask, outline, pose, fit, request.category)
        front = front | (hands_beside(fit, pose, outline, request.category) & (1 - to_outline(flare)))
        bared_arms = arms.bared(worn_smooth, sleeve_ends(fit.sleeves, fit.names, fit.target))
        # The warped garment hangs across the narrow gaps of the silhouette: a hem across the legs (`hanging_room`);
        # its side across the gap between the waist and a bared arm it hangs behind (`behind_arms`).
        room = to_outline(hanging_room(person_mask, pose, fit) | flare
                          | behind_arms(person_mask, bared_arms, body_frame(pose).shoulder_width))
        paint = paint_mask(smooth_hem(alpha, room), room, front | bared_arms)
        # Legs a shorter dress or trousers bare: each as wide as the photo shows it below the old one, parting where
        # those do (below a top are trousers, not legs).
        legs = None if request.category is Category.UPPER else leg_shapes(pose, person.shape[:2], person_mask,
                                                                          outline, person)
        within = bare_body(pose, person.shape[:2], legs)
        # Over a loose old top (the person mask's shoulder a dropped shoulder's or a boxy sleeve's, `Arm.loose`) a laid
        # sleeve's cap filled that outline, square beside the arm down to the old sleeve's hem, then stepped in to the
        # arm: shoulder pads (00121's boxy tee under drawn long-sleeved tees, a velvet wrap, a polo). It goes no farther
        # than the body's outline (the arms' and shoulders' as `fit_arms` draws them, the torso), as over a fitted top
        # the person mask stops it; the old garment beyond is repainted as the backdrop. A full sleeve (ruffles, a
        # puff) stands off the arm by its own volume, and keeps it.
        caps, beside = sleeve_caps(fit.sleeves, warped.laid, {side for side, arm in zip(("left", "right"), arms.arms,
                                                                                       strict=True) if arm.loose})
        # The old garment with its rim (`with_rim`): a trim the worn garment's mask left out (the tape along 00121's
        # shoulder seams), left painted over a cut cap, stood as a tab over the shoulder.
        off_body = caps_off_body(paint, with_rim(worn_smooth, keep=skin > 0), arms.mask() | (within > 0), caps,
                                 beside) if caps.any() else None
        if off_body is not None:
            paint &= ~off_body
        paint &= ~front_slivers(paint, ((front > 0) & (skin > 0)) | bared_arms, person_mask)
        uncovered = with_rim(worn_smooth & (paint == 0), keep=(paint > 0) | (skin > 0) | (front > 0))
        if off_body is not None:  # the old garment there, its trim too
            uncovered |= off_body
        uncovered |= sleeve_remnants(person, bared_arms, worn_smooth, skin, arms.on_person) & (paint == 0)
        # The new garment's anti-aliased edge blends it with what lies under it there: skin, not the old garment; beside
        # a bared arm, the arm it hangs behind (not the skirt it hung over: that drew a patterned line along the arm).
        edge = (paint > 0) & ~under_edge(paint)
        behind = under_garment(paint, edge, bared_arms, arms.on_person)
        uncovered |= behind | (bared_arms & (skin == 0)) | (worn_smooth & edge)
        # The old V's skin left bare is repainted with the chest round it: kept, its collar's pale rim outlined it; the
        # old collar the neck's U brings in front, with the neck.
        uncovered |= (opening | neck) & (paint == 0)
        if worn_straps is not None:  # a camisole's thin straps, with the old garment they hold up
            uncovered |= (worn_straps.result() > 0) & (paint == 0)
        # The arms and shoulders as the photo shows them, never where it shows the backdrop (between arm and body).
        arm_mask = arms.mask() | behind
        uncovered |= enclosed_specks(uncovered, arm_mask & (paint == 0) & (front == 0),
                                     SPECK_SHARE * body_frame(pose).shoulder_width ** 2, SKIN_RIM_PX)
        if legs is not None:
            uncovered |= (legs == LEG_HEM).any(axis=0) & (paint == 0)  # the old hem's edge and shadow on them
        # Beside a trouser leg narrower than the old one is background, not a thigh.
        body = (within | arm_mask) & (1 - beside_legs(warped.fit, warped.alpha))
        if request.category is Category.LOWER and legs is not None:
            body &= 1 - beside_trousers(paint, pose, legs)
        # The background is filled from the backdrop and skin only: from the shopper's other clothes (jeans below a
        # top's side) it drew a dark strip between an arm and the new garment.
        clothes = (outline > 0) | (paint > 0) | ((person_mask > 0.5) & (skin == 0))
        # Nor from an arm or other skin: between an arm and the body the backdrop shows, not a haze of skin.
        clothes |= arm_mask | (skin > 0)
        if legs is not None:  # nor from the legs: the backdrop between and beside them is not skin
            clothes |= (legs > 0).any(axis=0)
        # A shorter top bares the lower garment's top too, up to its waistband: not skin.
        lower = None
        if request.category is Category.UPPER:
            torso = bare_torso(pose, person.shape[:2])
            # Between an arm and the bared waist is the backdrop, where the loose old top hung.
            body &= ~arms_beside_midriff(arms, skin, worn_smooth, paint, torso)
            lower = bared_lower_garment(person, person_mask, skin, outline, paint, uncovered, torso, pose)
            if lower is None or lower.top_shown:  # the midriff meets the lower garment's top, as broad as it is there
                body |= body_above_lower(person, uncovered, person_mask > 0.5, skin > 0, (outline > 0) | (paint > 0),
                                         torso, pose)
            if lower is not None:
                body &= ~lower.below_waistband
        uncovered |= seam_rim(uncovered, body, skin, legs)  # the old garment's edge and shadow on skin beside it
        if request.category is not Category.LOWER:  # below trousers' hems a shoe's dark straps took a dark hem's colour
            uncovered |= worn_rim(person, uncovered, outline, person_mask, skin, (paint > 0) | (front > 0) | (skin > 0),
                                   pose)
        uncovered &= ~hair.result()  # hair stays hair, not backdrop (`hair_over_collar`)
        base = repaint_uncovered(person, uncovered, body, skin, clothes,
                                 cover=paint | lower.mask if lower is not None else paint, arms=arms, legs=legs,
                                 chest=chest_light(pose, person.shape[:2]) * belly_light(pose, person.shape[:2]),
                                 head=head, missed=missed_skin)
        base = dress_lower_garment(base, lower)
        # The garment's rim on its photo is a blend with the product's backdrop: where it lies on the body (a
        # hem on the trousers, a V neckline) or where the paint reaches past it, it drew a pale line.
        # Not along the inside back behind a rib collar: the rib there is the garment's own edge, no blend (taken as
        # one, the Vans tee's purple rib, a few px wide, was mirrored over from the lilac front below it, in teeth).
        # Along a neckline with no rib, the inside's blend with the front is (a V's teal lining showed at its tip).
        core = (alpha > 0.5) | inside_back if through.rib > 0 else alpha > 0.5
        garment = extend_texture(garment, core, paint)
        image = dress_garment(base, garment, paint, light)
        return Dressed(image=image, paint=paint, repainted=uncovered.astype(np.uint8), dressing=WARPED, worn=outline)
