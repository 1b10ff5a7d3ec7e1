"""The neck's base where a new garment is warped on, on a numpy-drawn shopper: a collar stands round the neck, in
front of its lower sides, the throat showing between them; hair stays in front of it; and the neck kept in front of
a new neckline ends in a smooth line, not in the worn mask's staircase."""

from __future__ import annotations

import cv2
import numpy as np
from poses import frontal_pose

from fittingroom.common import landmarks as lm
from fittingroom.common.body import Pose
from fittingroom.common.garment import Category
from fittingroom.segment.occlusion import collar_over_neck
from fittingroom.segment.worn_garment import GRABCUT_MAX_SIDE, collar_under_head, head_mask
from fittingroom.tryon.classical import ClassicalGarmentPipeline
from fittingroom.tryon.requests import GarmentRequest
from fittingroom.warp_gen.fit import GarmentFit, WarpedGarment

H, W = 400, 300  # the synthetic shopper: nose at (150, 60), shoulder joints on row 110 at x 105 and 195
BACKDROP = (235, 235, 235)
SKIN = (224, 172, 140)
TEE = (40, 50, 90)
POLO = (170, 200, 235)
HAIR = (60, 40, 30)
NECK = (135, 165)  # the neck's columns: 30 px wide, its half (15 px) inside the neck's column (20 px)


def _shopper() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The photo (head, neck, a crew-neck tee from the shoulders' top on), its person mask and its skin."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.circle(image, (150, 60), 30, SKIN, -1)
    image[80:107, NECK[0]:NECK[1] + 1] = SKIN  # the neck, down to the tee's crew neckline on row 107
    tee = np.zeros((H, W), np.uint8)
    cv2.rectangle(tee, (100, 100), (200, 300), 1, -1)
    tee[100:107, NECK[0]:NECK[1] + 1] = 0
    image[tee > 0] = TEE
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    return image, person, np.all(image == SKIN, axis=2).astype(np.uint8)


def _polo() -> np.ndarray:
    """A polo warped onto the shopper: its body from the shoulders down and its collar standing round the neck,
    up to row 85 (the back of the collar, seen above the neck's base)."""
    alpha = np.zeros((H, W), np.float32)
    cv2.rectangle(alpha, (100, 100), (200, 300), 1.0, -1)
    cv2.rectangle(alpha, (128, 85), (172, 100), 1.0, -1)
    return alpha


def test_a_collar_stands_in_front_of_the_necks_lower_sides_with_the_throat_between() -> None:
    pose = frontal_pose()  # no person mask: the shoulders' top PAD (11 px) above the joints, on row 99
    _, _, skin = _shopper()
    collar = collar_over_neck(_polo(), skin, pose)
    assert collar[104, NECK[0] + 5] and collar[104, NECK[1] - 5]  # the neck's lower sides: behind the collar
    assert collar[104, 150]  # below the shoulders' top the collar closes, above a crew neckline
    assert not collar[95, 148:153].any()  # the throat: a V between the collar's sides
    assert collar[95, NECK[0] + 5] and collar[95, NECK[1] - 5]
    assert not collar[84:90, 145:156].any()  # higher up the neck: its own, in front of the collar's back
    assert not collar[:80].any()  # nor the chin or the face
    assert not (collar & (_polo() < 0.5)).any()  # only where the collar is


def test_hair_and_an_earring_before_the_neck_stay_in_front_of_the_collar() -> None:
    pose = frontal_pose()
    image, _, _ = _shopper()
    image[85:107, 137:144] = HAIR  # a strand hanging in front of the neck's right side, 7 px wide
    cv2.circle(image, (160, 96), 3, (200, 200, 210), -1)  # an earring's hoop hanging low
    skin = np.all(image == SKIN, axis=2).astype(np.uint8)
    collar = collar_over_neck(_polo(), skin, pose)
    assert not collar[90:105, 140].any()  # the strand's middle: no skin of the neck's
    assert collar[104, NECK[1] - 5]  # the neck's skin beside it is still behind the collar
    assert not collar[96, 160]  # the hoop's middle


def test_the_neck_kept_above_a_worn_outline_solved_at_grabcuts_scale_ends_in_a_smooth_line() -> None:
    """The worn mask is solved at GRABCUT_MAX_SIDE and scaled up: its neckline climbs in steps of a few px, which the
    neck kept in front above it carried into a new collar's top (a ragged dark rim)."""
    scale = max(H, W) / GRABCUT_MAX_SIDE  # 2.5 px a step
    small = np.zeros((round(H / scale), round(W / scale)), np.uint8)
    ys, xs = np.mgrid[:small.shape[0], :small.shape[1]]
    small[ys >= 34 + 0.3 * (xs - 60)] = 1  # a neckline climbing across the neck, one row in three columns
    outline = cv2.resize(small, (W, H), interpolation=cv2.INTER_NEAREST)
    collar = collar_under_head(outline, head_mask(frontal_pose(), (H, W)))
    columns = np.arange(130, 171)
    top = np.array([np.flatnonzero(collar[:, x]).min() for x in columns], np.float64)
    straight = np.polyval(np.polyfit(columns, top, 1), columns)
    assert np.abs(top - straight).max() <= 1.0  # a straight line, to the pixel
    stepped = cv2.dilate(((outline > 0) & (head_mask(frontal_pose(), (H, W)) > 0)).astype(np.uint8),
                         np.ones((7, 7), np.uint8)) > 0  # the staircase, as it was taken
    top = np.array([np.flatnonzero(stepped[:, x]).min() for x in columns], np.float64)
    assert np.abs(top - np.polyval(np.polyfit(columns, top, 1), columns)).max() > 1.0


def _warped(alpha: np.ndarray, colour: tuple[int, int, int], pose: Pose) -> WarpedGarment:
    """A garment already warped onto the person: flat `colour` where `alpha` is 1, its shoulders on the joints'."""
    image = np.zeros((H, W, 3), np.uint8)
    image[alpha > 0.5] = colour
    shoulders = np.array([pose.points[12], pose.points[11]], np.float64)  # right, left
    fit = GarmentFit(names=("right_shoulder", "left_shoulder"), source=shoulders, target=shoulders,
                     body=np.zeros((0, 2)), limbs=())
    return WarpedGarment(image=image, alpha=alpha, fit=fit, laid=np.zeros(alpha.shape, np.uint8))


def test_a_polo_over_a_crew_neck_tee_stands_round_the_neck_and_a_tee_leaves_it_as_it_was() -> None:
    pose = frontal_pose()
    image, person, _ = _shopper()
    worn = np.all(image == TEE, axis=2).astype(np.uint8)
    request = GarmentRequest(image, image, Category.UPPER)
    front = np.all(image == SKIN, axis=2).astype(np.uint8)  # head and neck
    polo = ClassicalGarmentPipeline.composite(request, person, pose, _warped(_polo(), POLO, pose), front, worn)
    assert polo.dressing == "warped"
    assert (np.abs(polo.image[104, [NECK[0] + 5, NECK[1] - 5]].astype(int) - POLO).max(axis=1) < 40).all()
    assert np.abs(polo.image[95, 150].astype(int) - SKIN).max() < 20  # the throat
    assert np.abs(polo.image[84, NECK[0] + 5].astype(int) - SKIN).max() < 20  # the neck above the collar
    tee = _polo()
    tee[85:100] = 0  # no collar: the neck's skin stays in front, as before
    dressed = ClassicalGarmentPipeline.composite(request, person, pose, _warped(tee, POLO, pose), front, worn)
    assert np.abs(dressed.image[104, NECK[0] + 5].astype(int) - SKIN).max() < 20


def test_a_thin_rib_end_beside_the_neck_is_taken_with_the_old_collar_as_it_is() -> None:
    """Rounding the outline's staircase would take a rib's thin end (3 px wide): left in front of the neck, it stood
    as a dark tip beside a new collar."""
    outline = np.zeros((H, W), np.uint8)
    outline[100:, 100:200] = 1
    outline[92:100, 170:173] = 1  # the rib's end, rising beside the neck
    collar = collar_under_head(outline, head_mask(frontal_pose(), (H, W)))
    assert collar[92:100, 169:174].all()  # with a px of its rim


def test_hair_tips_in_the_skins_chroma_beside_the_neck_stay_in_front_of_the_collar() -> None:
    """Brown hair passes the skin test: its tips hanging beside the neck, past the neck's column (20 px each side of
    the midline here), are no neck's skin and stay in front of a collar standing there."""
    _, _, skin = _shopper()
    skin[92:107, 118:128] = 1  # the tips, taken for skin, beside the neck's left side (x 135..165)
    alpha = np.zeros((H, W), np.float32)
    cv2.rectangle(alpha, (110, 85), (190, 300), 1.0, -1)  # a collar standing broad round the neck
    collar = collar_over_neck(alpha, skin, frontal_pose())
    assert not collar[92:107, 118:128].any()
    assert collar[104, 140]  # the neck's own side still goes behind it


def test_the_chin_of_a_head_lowered_towards_the_chest_stays_in_front_of_the_collar() -> None:
    _, _, skin = _shopper()
    skin[60:107, NECK[0]:NECK[1] + 1] = 1  # the chin come down to the collar's height, skin down to the neckline
    upright = collar_over_neck(_polo(), skin, frontal_pose())
    assert upright[90:100].any()  # the collar wraps the neck up to row ~90 with the head upright
    lowered = collar_over_neck(_polo(), skin, frontal_pose({lm.NOSE: (150, 80)}))
    assert not lowered[:106].any()  # its rim 0.3 shoulder widths (27 px) below the nose, under the chin
    assert lowered[108, NECK[0] + 5]  # still in front of the neck's base, its rim's px
