"""Classical garment transfer: fit, warp, occlusion and composite on synthetic people; one run on real models.

The catalog garments are synthetic product photos drawn by `gateway/sample_garment.py`, not photographs.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from poses import FRONTAL, frontal_pose

from fittingroom.common import landmarks as lm
from fittingroom.common.body import Pose
from fittingroom.common.embedded import EmbeddedClient
from fittingroom.common.errors import DeadlineExceeded, InvalidInput
from fittingroom.common.garment import Category, GarmentLandmarks
from fittingroom.gateway.routing import TrafficRouter
from fittingroom.gateway.sample_garment import sample_garment, sample_outline
from fittingroom.segment.garment_landmarks import garment_landmarks
from fittingroom.segment.legs import leg_shapes
from fittingroom.segment.occlusion import bare_zone, occluders
from fittingroom.segment.worn_garment import skin_mask
from fittingroom.tryon.classical import (
    CLASSICAL,
    HEM_ROOM,
    SILHOUETTE,
    WARPED,
    ClassicalGarmentPipeline,
    beside_trousers,
)
from fittingroom.tryon.requests import GarmentRequest
from fittingroom.warp_gen.dress import dress_garment, paint_mask, worn_shading
from fittingroom.warp_gen.fit import GarmentFit, WarpedGarment, covered_mask, fit_garment, warp_garment

H, W = 400, 300
SKIN = (224, 172, 140)
SHIRT = (40, 90, 200)
TROUSERS = (60, 60, 60)
BACKDROP = 235


def _pose(*, forearm_across: bool = False, visible: bool = True) -> Pose:
    right_wrist = (160, 200) if forearm_across else FRONTAL[lm.RIGHT_WRIST]  # a hand resting on the stomach
    moved: dict[int, tuple[float, float]] = {lm.RIGHT_WRIST: right_wrist}
    for hand, (x, y) in (((17, 19), FRONTAL[lm.LEFT_WRIST]), ((18, 20), right_wrist)):  # just below the wrist
        moved |= {point: (x, y + 12) for point in hand}
    return frontal_pose(moved, visibility=0.99 if visible else 0.01)


def _person(pose: Pose) -> tuple[np.ndarray, np.ndarray]:
    """A cartoon shopper: skin head and arms (drawn along the pose's arms), blue shirt, grey trousers."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.circle(image, (150, 60), 35, SKIN, -1)
    cv2.rectangle(image, (100, 100), (200, 240), SHIRT, -1)
    cv2.rectangle(image, (110, 240), (190, 390), TROUSERS, -1)
    for shoulder, elbow, wrist in ((lm.LEFT_SHOULDER, lm.LEFT_ELBOW, lm.LEFT_WRIST),
                                   (lm.RIGHT_SHOULDER, lm.RIGHT_ELBOW, lm.RIGHT_WRIST)):
        chain = np.round(pose.points[[shoulder, elbow, wrist]]).astype(np.int32)
        cv2.polylines(image, [chain[1:]], False, SKIN, 22)  # bare forearm
        cv2.line(image, tuple(chain[0]), tuple(chain[1]), SKIN, 24)  # bare upper arm
    person = (np.abs(image.astype(int) - BACKDROP).sum(axis=2) > 0).astype(np.float32)
    return image, person


@pytest.fixture(scope="module")
def tshirt() -> tuple[np.ndarray, np.ndarray, GarmentLandmarks]:
    mask = sample_outline(Category.UPPER)
    return sample_garment(Category.UPPER), mask, garment_landmarks(mask, "upper")


def test_targets_use_the_body_geometry(tshirt: tuple[np.ndarray, np.ndarray, GarmentLandmarks]) -> None:
    pose = _pose()
    fit = fit_garment(tshirt[2], pose, Category.UPPER)
    target = dict(zip(fit.names, fit.target, strict=True))
    assert {"neck", "left_shoulder", "right_shoulder", "left_hem", "right_hem", "left_cuff"} <= set(target)
    # A sleeved shirt's shoulder seam sits just outside the joint, its armpit on the arm's inner edge.
    assert pose.points[lm.LEFT_SHOULDER][0] < target["left_shoulder"][0] < pose.points[lm.LEFT_SHOULDER][0] + 20
    assert pose.points[lm.RIGHT_SHOULDER][0] - 20 < target["right_shoulder"][0] < pose.points[lm.RIGHT_SHOULDER][0]
    assert target["left_armpit"][0] < pose.points[lm.LEFT_SHOULDER][0] < target["left_shoulder"][0]
    assert target["left_hem"][1] > pose.points[lm.LEFT_HIP][1]  # a shirt ends below the hips
    assert target["right_shoulder"][0] < target["neck"][0] < target["left_shoulder"][0]
    assert target["neck"][1] < pose.points[lm.LEFT_SHOULDER][1]
    # Sleeves hang along the arms: the cuff is between shoulder and elbow height, outside the torso.
    assert pose.points[lm.LEFT_SHOULDER][1] < target["left_cuff"][1] <= pose.points[lm.LEFT_ELBOW][1] + 5
    assert target["left_cuff"][0] > pose.points[lm.LEFT_SHOULDER][0]


def test_lower_and_dress_targets() -> None:
    pose = _pose()
    trousers = fit_garment(garment_landmarks(sample_outline(Category.LOWER), "lower"), pose, Category.LOWER)
    t = dict(zip(trousers.names, trousers.target, strict=True))
    assert pose.points[lm.LEFT_HIP][1] < t["crotch"][1] < pose.points[lm.LEFT_KNEE][1]
    assert t["left_waist"][0] > pose.points[lm.LEFT_HIP][0] > t["crotch"][0] > pose.points[lm.RIGHT_HIP][0]
    assert t["left_hem_outer"][0] > t["left_hem_inner"][0] > t["right_hem_inner"][0] > t["right_hem_outer"][0]
    assert t["left_hem_outer"][1] > pose.points[lm.LEFT_KNEE][1]  # long trousers reach past the knees
    dress = fit_garment(garment_landmarks(sample_outline(Category.DRESS), "dress"), pose, Category.DRESS)
    d = dict(zip(dress.names, dress.target, strict=True))
    assert d["left_hem"][1] > pose.points[lm.LEFT_KNEE][1] and "left_cuff" not in d


def test_warp_puts_the_garment_on_the_torso(tshirt: tuple[np.ndarray, np.ndarray, GarmentLandmarks]) -> None:
    image, mask, marks = tshirt
    fit = fit_garment(marks, _pose(), Category.UPPER)
    warped = warp_garment(image, mask, fit, (H, W), np.zeros(mask.shape[:2], bool))
    assert warped.image.shape == (H, W, 3) and warped.alpha.shape == (H, W)
    assert warped.alpha[130:230, 115:185].min() > 0.99  # the whole torso is covered
    assert warped.alpha[:40].max() == 0 and warped.alpha[330:].max() == 0  # not the face, not the legs
    # The fabric is the product's: navy or ochre stripes, not the black border of the sampling.
    torso = warped.image[140:220, 130:170].reshape(-1, 3).astype(int)
    assert np.abs(torso.mean(axis=0) - image[mask > 0].reshape(-1, 3).mean(axis=0)).max() < 40


def test_arm_across_the_body_and_head_stay_in_front(tshirt: tuple[np.ndarray, np.ndarray, GarmentLandmarks]) -> None:
    pose = _pose(forearm_across=True)
    image, person = _person(pose)
    cv2.circle(image, (150, 150), 8, SKIN, -1)  # a skin-coloured print on the shirt: cloth, not skin
    fit = fit_garment(tshirt[2], pose, Category.UPPER)
    front = occluders(image, person, pose, covered_mask(fit, (H, W)), fit.body)
    assert front[60, 150] == 1  # face
    forearm = np.round((pose.points[lm.RIGHT_ELBOW] + pose.points[lm.RIGHT_WRIST]) / 2).astype(int)
    assert front[forearm[1], forearm[0]] == 1  # the forearm crossing the shirt
    assert front[150, 150] == 0  # the print is garment
    assert front[140, 185] == 0  # plain shirt
    assert front[person == 0].sum() == 0  # never the background


def test_the_skin_found_once_is_what_the_occluders_and_the_composite_find_themselves(
        tshirt: tuple[np.ndarray, np.ndarray, GarmentLandmarks]) -> None:
    pose = _pose(forearm_across=True)
    image, person = _person(pose)
    request = GarmentRequest(image, image, Category.UPPER)
    skin = ClassicalGarmentPipeline.skin(request, person, pose)
    assert np.array_equal(skin, skin_mask(image, pose, person)) and skin.any()
    assert not skin.flags.writeable  # shared by the stages' threads: none may change it
    fit = fit_garment(tshirt[2], pose, Category.UPPER)
    covered = covered_mask(fit, (H, W))
    found = occluders(image, person, pose, covered, fit.body)
    assert np.array_equal(occluders(image, person, pose, covered, fit.body, skin), found)
    told = occluders(image, person, pose, covered, fit.body, np.zeros_like(skin))  # no skin: read, not found again
    assert (told <= found).all() and told.sum() < found.sum()
    worn = np.all(image == SHIRT, axis=2).astype(np.uint8)
    warped = _warped(worn, (240, 200, 0))
    front = np.zeros((H, W), np.uint8)
    shared = ClassicalGarmentPipeline.composite(request, person, pose, warped, front, worn, skin=skin)
    alone = ClassicalGarmentPipeline.composite(request, person, pose, warped, front, worn)
    assert np.array_equal(shared.image, alone.image) and np.array_equal(shared.worn, alone.worn)


def test_composite_changes_only_the_painted_garment() -> None:
    person = np.random.default_rng(0).integers(0, 255, (60, 80, 3), dtype=np.uint8)
    garment = np.full_like(person, 200)
    alpha = np.zeros((60, 80), np.float32)
    alpha[10:50, 20:60] = 1.0
    front = np.zeros((60, 80), np.uint8)
    front[25:35, 35:45] = 1  # an arm in front
    paint = paint_mask(alpha, np.ones((60, 80), np.float32), front)
    out = dress_garment(person, garment, paint, worn_shading(person, np.zeros((60, 80), np.uint8)))
    assert np.array_equal(out[paint == 0], person[paint == 0])
    assert np.abs(out[14:20, 25:55].astype(int) - 200).max() <= 1  # deep inside: the garment, flat light


def _fold_depth(level: int, fold: int) -> float:
    """How much darker worn_shading makes the shaded half of an old garment of grey `level`."""
    worn = np.zeros((60, 60), np.uint8)
    worn[5:55, 5:55] = 1
    person = np.full((60, 60, 3), level, np.uint8)
    person[:, 30:] = fold
    light = worn_shading(person, worn)
    return float(light[30, 15] - light[30, 45])


def test_a_dark_old_garments_contrast_is_not_carried_at_full_strength() -> None:
    # The same relative fold (half as bright) on a mid-grey garment and on a black one: trusted less on black.
    assert _fold_depth(30, 15) < 0.5 * _fold_depth(120, 60)


def test_worn_shading_carries_the_old_garments_folds() -> None:
    person = np.full((60, 60, 3), 120, np.uint8)
    person[:, 30:] = 60  # a fold's shadow on the right half of the old garment
    worn = np.zeros((60, 60), np.uint8)
    worn[5:55, 5:55] = 1
    light = worn_shading(person, worn)
    assert light[30, 15] > light[30, 45]  # the fold darkens the new garment too
    assert worn_shading(person, np.zeros_like(worn)).min() == 1.0


def test_a_pose_without_shoulders_is_refused(tshirt: tuple[np.ndarray, np.ndarray, GarmentLandmarks]) -> None:
    with pytest.raises(InvalidInput, match="shoulders") as error:
        fit_garment(tshirt[2], _pose(visible=False), Category.UPPER)
    assert error.value.field == "person"


def test_check_inputs_names_the_field() -> None:
    person = np.zeros((100, 100, 3), np.uint8)
    with pytest.raises(InvalidInput) as error:
        ClassicalGarmentPipeline.check_inputs(GarmentRequest(person, np.zeros((10, 100, 3), np.uint8)))
    assert error.value.field == "garment"


@pytest.mark.slow
async def test_classical_tryon_on_the_sample_person(embedded: EmbeddedClient, person: np.ndarray) -> None:
    observed: list[tuple[str, str, str]] = []
    pipeline = ClassicalGarmentPipeline(embedded, TrafficRouter(embedded), observe=lambda stage, model, _v, outcome, _s:
                                        observed.append((stage, model, outcome)))
    result = await pipeline(GarmentRequest(person, sample_garment(Category.UPPER), Category.UPPER))
    assert result.mode == "garment" and result.path == CLASSICAL
    assert result.image.shape == person.shape and result.image.dtype == np.uint8
    # A top looks for the shopper's waistline too: a regular-length one goes down over the lower garment's top.
    stages = {"person_mask", "garment_mask", "pose", "limb_gaps", "garment_landmarks", "garment_texture", "skin",
              "waistline", "warp", "occlusion", "worn_garment", "composite"}
    assert set(result.timings_ms) == stages
    assert {stage for stage, _, outcome in observed if outcome == "ok"} == stages
    assert ("pose", "pose_landmark", "ok") in observed and ("garment_mask", "u2netp", "ok") in observed
    assert ("person_mask", "selfie_segmentation", "ok") in observed
    assert set(result.models) == {"selfie_segmentation", "u2netp", "pose_detection", "pose_landmark"}
    assert not result.untrained_models
    assert set(result.layers) == {"worn_garment", "garment", "repainted", "warped"}
    assert {"left_shoulder", "right_shoulder"} <= set(result.fit_targets) and result.shoulder_width
    changed = np.any(result.image != person, axis=2)
    assert changed[300:400, 120:240].mean() > 0.8  # the suit's chest now wears the shirt
    assert not changed[60:140, 190:270].any()  # the face is untouched
    assert not changed[:, 440:].any() and not changed[:40].any()  # so is the background
    with pytest.raises(InvalidInput) as error:
        await pipeline(GarmentRequest(person, np.full((200, 200, 3), 250, np.uint8)))
    assert error.value.field == "garment"
    with pytest.raises(DeadlineExceeded):
        await ClassicalGarmentPipeline(embedded, TrafficRouter(embedded), timeout_s=0.001)(
            GarmentRequest(person, sample_garment(Category.UPPER)))


def _mottled(seed: int = 0) -> np.ndarray:
    """A stonewashed grey garment: blotches of ±30 grey levels a few pixels across."""
    noise = np.random.default_rng(seed).normal(0, 1, (30, 30)).astype(np.float32)
    blotches = cv2.resize(noise, (120, 120), interpolation=cv2.INTER_CUBIC)
    grey = np.clip(110 + 30 * blotches / blotches.std(), 0, 255).astype(np.uint8)
    return np.repeat(grey[..., None], 3, axis=2)


def test_a_washed_or_printed_old_garment_does_not_smear_a_white_one() -> None:
    worn = np.zeros((120, 120), np.uint8)
    worn[10:110, 10:110] = 1
    light = worn_shading(_mottled(), worn)
    white = dress_garment(_mottled(), np.full((120, 120, 3), 255, np.uint8), worn, light)
    inside = white[20:100, 20:100, 0].astype(float)
    relative = _mottled()[20:100, 20:100, 0].astype(float) / 110
    assert inside.std() < 0.5 * 255 * relative.std()  # far less mottled than a full transfer
    assert np.median(inside) > 220  # white stays white, not grey


def test_a_plain_old_garments_fold_is_carried_at_full_depth() -> None:
    # A plain garment with one broad fold: all of it is light, none of it is print.
    worn = np.zeros((120, 120), np.uint8)
    worn[10:110, 10:110] = 1
    person = np.full((120, 120, 3), 160, np.uint8)
    person[:, 60:] = 110
    light = worn_shading(person, worn)
    assert light[60, 30] - light[60, 90] > 0.2


def _warped(alpha: np.ndarray, colour: tuple[int, int, int]) -> WarpedGarment:
    """A new garment already warped onto the person: flat `colour` where `alpha` is 1."""
    image = np.zeros((H, W, 3), np.uint8)
    image[alpha > 0] = colour
    fit = GarmentFit(names=(), source=np.zeros((0, 2)), target=np.zeros((0, 2)), body=np.zeros((0, 2)), limbs=())
    return WarpedGarment(image=image, alpha=alpha.astype(np.float32), fit=fit, laid=np.zeros(alpha.shape[:2], np.uint8))


def test_a_garment_of_the_worn_ones_shape_is_dressed_into_its_silhouette_else_warped() -> None:
    pose = _pose()
    image, person = _person(pose)
    worn = np.all(image == SHIRT, axis=2).astype(np.uint8)  # a sleeveless shirt, shoulders to y=240
    front = np.zeros((H, W), np.uint8)
    request = GarmentRequest(image, image, Category.UPPER)
    same = np.zeros((H, W), np.uint8)
    same[100:236, 103:197] = 1  # the same cut, a few pixels short of the worn outline
    dressed = ClassicalGarmentPipeline.composite(request, person, pose, _warped(same, (240, 200, 0)), front, worn)
    assert dressed.dressing == SILHOUETTE
    assert (dressed.paint >= worn).all()  # the worn outline, to its last pixel
    assert dressed.paint[200:, :95].sum() == 0  # not the forearm beside it, which the new garment never reached
    assert np.abs(dressed.image[238, 150].astype(int) - (240, 200, 0)).max() < 60  # the gap takes the new cloth
    assert dressed.repainted.sum() < 0.01 * worn.sum()  # only the old rim against the backdrop, as backdrop
    crop = np.zeros((H, W), np.uint8)
    crop[100:170, 100:200] = 1  # a crop top: bares what the shirt covered
    dressed = ClassicalGarmentPipeline.composite(request, person, pose, _warped(crop, (240, 200, 0)), front, worn)
    assert dressed.dressing == WARPED
    assert dressed.repainted[200, 150] == 1 and np.abs(dressed.image[200, 150].astype(int) - SHIRT).max() > 60


def test_the_neck_stays_in_front_but_the_tops_of_the_shoulders_are_the_new_garments() -> None:
    pose = _pose()  # shoulders at y=110, x 105..195: 90 px apart
    zone = bare_zone(pose, np.zeros((H, W), np.uint8))
    assert zone[95, 150] == 1 and zone[112, 150] == 1  # the neck, down to a crew neckline's dip
    assert zone[105, 120] == 0 and zone[105, 180] == 0  # shoulder tops beside it: a tee covers them


def test_the_necks_base_is_placed_from_the_shoulders_top_not_the_joints() -> None:
    """BlazePose's shoulder joints sit low in the deltoid: a neck reaching a crew neckline's depth below them
    kept a camisole shopper's chest in front of a tee."""
    pose = _pose()  # joints at y=110, 90 px apart
    person = np.zeros((H, W), np.float32)
    person[85:, 80:220] = 1  # the shoulders' top 25 px above the joints
    cv2.circle(person, (150, 50), 40, 1.0, -1)
    zone = bare_zone(pose, np.zeros((H, W), np.uint8), person)
    assert zone[90, 150] == 1  # the neck above the shoulders' top
    assert zone[104, 150] == 0  # the chest below a crew neckline's depth under that top
    assert bare_zone(pose, np.zeros((H, W), np.uint8))[104, 150] == 1  # without the outline: PAD above the joints


def test_beside_new_trousers_is_background_and_below_their_hem_is_skin() -> None:
    """Rows below the hips that the new trousers reach are no thigh beside them; below their hem, bare legs."""
    paint = np.zeros((400, 300), np.uint8)
    paint[240:300, 120:180] = 1  # shorts over long trousers
    legs = np.zeros((2, 400, 300), np.uint8)
    beside = beside_trousers(paint, frontal_pose(), legs)
    assert beside[250:300].all()
    assert not beside[300:].any() and not beside[:230].any()


def test_beside_narrow_new_trousers_the_legs_hips_are_background() -> None:
    """The legs start above the hip joints (their hips): beside narrow new trousers, over their whole height, they are
    background (a sliver of skin beside the new waist on wide old trousers' place)."""
    pose = frontal_pose()
    worn = np.zeros((400, 300), np.uint8)
    worn[200:390, 90:210] = 1  # wide trousers
    legs = leg_shapes(pose, (400, 300), worn.astype(np.float32), worn)
    paint = np.zeros((400, 300), np.uint8)
    paint[200:380, 112:188] = 1  # narrow trousers, narrower than the hips
    beside = beside_trousers(paint, pose, legs).astype(bool)
    hips = (legs > 0).any(axis=0) & (paint == 0)
    hips[round(max(pose.point(lm.LEFT_HIP)[1], pose.point(lm.RIGHT_HIP)[1])):] = False
    assert hips.any() and (beside | ~hips).all()


def test_below_each_legs_own_hem_is_skin_when_the_hems_slant() -> None:
    """One short leg's hem lower than the other's: below the higher hem that leg is bare, though the other's rows
    go on (its whole width beside a slanted pair of shorts was taken for background)."""
    pose = frontal_pose()
    legs = leg_shapes(pose, (400, 300))
    paint = np.zeros((400, 300), np.uint8)
    paint[240:290, 100:150] = 1  # the right leg (smaller columns) ends higher
    paint[240:310, 150:200] = 1
    beside = beside_trousers(paint, pose, legs).astype(bool)
    right, left = (legs[0] > 0, legs[1] > 0) if legs[0][300].nonzero()[0].mean() < 150 else (legs[1] > 0, legs[0] > 0)
    assert not (beside[295:305] & right[295:305]).any()  # below the right leg's hem: its bared thigh
    assert (beside[295:305] & left[295:305]).any() or not left[295:305].any()
    assert (beside[250:270] & right[250:270]).any()
    # Just above its hem, under the shorts, the leg goes on (no outline to round the bared leg's top off at).
    room = round(HEM_ROOM * 400)
    assert not (beside[290 - room + 1:290] & right[290 - room + 1:290]).any()
    assert (beside[290 - room - 3:290 - room] & right[290 - room - 3:290 - room]).any()
