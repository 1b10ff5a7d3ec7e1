"""The old collar the worn outline missed inside the head's disc (`worn_garment.old_collar`), on synthetic images: a
shirt collar's points standing up beside the neck under the hair are taken with the outline; hair (even as dark as
the top it hangs over), the face and what is not in one piece with the outline are not."""

from __future__ import annotations

import cv2
import numpy as np
from poses import frontal_pose

from fittingroom.segment.worn_garment import head_mask, old_collar

H, W = 400, 300  # frontal_pose: nose (150, 60), shoulders 90 px apart on row 110
BACKDROP = (235, 235, 235)
FAIR = (225, 168, 138)
HAIR = (70, 50, 35)
PINK = (236, 198, 194)
SHADED_PINK = (204, 170, 166)  # the collar in the hair's shadow: darker, the same hue


def _shopper() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(image, the worn outline as GrabCut leaves it, person mask): a pink shirt, its collar's points standing up
    beside the neck (the right one in the hair's shadow), dark hair down to the shoulders over the shirt."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    image[100:300, 95:205] = PINK
    image[70:110, 136:164] = FAIR  # the neck
    cv2.circle(image, (150, 60), 24, FAIR, -1)  # the face
    cv2.fillPoly(image, [np.array([(164, 100), (166, 91), (172, 100)])], PINK)  # the collar's left point
    cv2.fillPoly(image, [np.array([(128, 100), (134, 91), (136, 100)])], SHADED_PINK)  # ... its right one
    image[30:104, 112:128] = HAIR  # hair hanging beside the face, its tips over the shirt
    image[30:104, 172:188] = HAIR
    cv2.circle(image, (120, 92), 2, PINK, -1)  # a pink bead in the hair, clear of the shirt
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    outline = np.zeros((H, W), np.uint8)
    outline[100:300, 95:205] = 1
    outline[100:104, 112:128] = outline[100:104, 172:188] = 0  # the hair's tips are no shirt
    return image, outline, person


def test_the_collars_points_beside_the_neck_are_taken_lit_or_in_the_hairs_shadow() -> None:
    image, outline, person = _shopper()
    pose = frontal_pose()
    collar = old_collar(image, outline, head_mask(pose, (H, W)), person, pose)
    left = np.all(image == PINK, axis=2) & (outline == 0)
    left[:, :150] = False
    right = np.all(image == SHADED_PINK, axis=2) & (outline == 0)
    assert collar[left].mean() > 0.9 and collar[right].mean() > 0.9


def test_hair_the_face_and_a_pink_bead_clear_of_the_shirt_are_no_collar() -> None:
    image, outline, person = _shopper()
    pose = frontal_pose()
    collar = old_collar(image, outline, head_mask(pose, (H, W)), person, pose)
    assert not collar[np.all(image == HAIR, axis=2)].any()
    assert not collar[np.all(image == FAIR, axis=2)].any()
    assert not collar[88:97, 116:125].any()  # the bead: the shirt's colour, parted from it by hair
    assert not collar[outline > 0].any()  # only what the outline missed


def test_with_its_rim_the_collar_takes_a_px_round_it_and_no_more() -> None:
    image, outline, person = _shopper()
    pose = frontal_pose()
    head = head_mask(pose, (H, W))
    collar, rimmed = (old_collar(image, outline, head, person, pose, rim=rim) for rim in (False, True))
    ring = (cv2.dilate(collar.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0) & ~collar & (person > 0.5) & (head > 0)
    assert rimmed[collar].all() and rimmed[ring].mean() > 0.9
    assert rimmed[outline > 0].any()  # the outline's px beside it too, which the repaint's smoothing rounds off
    assert not (rimmed & ~collar & ~ring).any()


def test_nothing_is_taken_above_the_chin_or_beyond_the_reach_of_the_outline() -> None:
    image, outline, person = _shopper()
    image[70:84, 164:170] = PINK  # a pink collar standing up past the chin (a turtleneck's, say, or a scarf)
    pose = frontal_pose()
    collar = old_collar(image, outline, head_mask(pose, (H, W)), person, pose)
    assert not collar[:83].any()  # CHIN_DROP below the nose (row 60 + 22.5)
    assert not collar[:89].any()  # COLLAR_REACH (10.8 px) above the outline's top (row 100)


def test_without_a_worn_outline_or_a_head_nothing_is_a_collar() -> None:
    image, outline, person = _shopper()
    pose = frontal_pose()
    head = head_mask(pose, (H, W))
    assert not old_collar(image, np.zeros_like(outline), head, person, pose).any()
    assert not old_collar(image, outline, np.zeros_like(head), person, pose).any()


def test_hair_as_dark_as_the_top_it_hangs_over_is_left_to_the_head() -> None:
    # Black hair over a black top, its tips past the outline: a px's colour tells neither (COLLAR_MARGIN), and
    # taken as the collar, the tips were repainted.
    rng = np.random.default_rng(1)
    top, hair = (34, 34, 38), (33, 31, 33)
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    image[100:300, 95:205] = top
    image[70:110, 136:164] = FAIR
    cv2.circle(image, (150, 60), 24, FAIR, -1)
    image[30:106, 112:130] = hair
    image[30:106, 170:188] = hair
    image = np.clip(image + rng.normal(0, 6, image.shape), 0, 255).astype(np.uint8)
    person = np.ones((H, W), np.float32)
    person[:, :112] = person[:, 188:] = 0.0
    outline = np.zeros((H, W), np.uint8)
    outline[100:300, 95:205] = 1
    outline[100:106, 112:130] = outline[100:106, 170:188] = outline[100:110, 136:164] = 0
    pose = frontal_pose()
    collar = old_collar(image, outline, head_mask(pose, (H, W)), person, pose)
    assert collar[30:106, 112:130].sum() + collar[30:106, 170:188].sum() <= 2
