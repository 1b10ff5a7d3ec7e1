"""Hair falling onto the old garment beside the neck (`worn_garment.hair_over_collar`), on synthetic images: the
repaint of the old garment leaves it as the photo has it (filled from the backdrop, it drew a pale bar where a rib
collar met long dark hair); the shirt, its collar and the skin are not hair, nor hair as dark as the top."""

from __future__ import annotations

import cv2
import numpy as np
from poses import frontal_pose

from fittingroom.segment.worn_garment import hair_over_collar, head_mask

H, W = 400, 300  # frontal_pose: nose (150, 60), shoulders 90 px apart on row 110
BACKDROP = (235, 235, 235)
FAIR = (225, 168, 138)
HAIR = (30, 22, 18)
GREY = (128, 128, 130)  # a grey tee and its rib collar


def _shopper(hair: tuple[int, int, int] = HAIR, top: tuple[int, int, int] = GREY
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(image, the worn outline as GrabCut leaves it, person mask, skin): a grey tee, long hair hanging beside the
    face down over its shoulders to row 106; the outline takes the hair's last px with the tee's edge (GrabCut's)."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    image[100:300, 95:205] = top
    image[70:110, 136:164] = FAIR  # the neck
    cv2.circle(image, (150, 60), 24, FAIR, -1)  # the face
    image[30:106, 112:128] = hair
    image[30:106, 172:188] = hair
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    outline = np.zeros((H, W), np.uint8)
    outline[100:300, 95:205] = 1
    outline[100:110, 136:164] = 0
    outline[100:103, 112:128] = outline[100:103, 172:188] = 0  # above its edge, the hair is left out
    skin = np.all(image == FAIR, axis=2).astype(np.uint8)
    return image, outline, person, skin


def test_the_hairs_tips_over_the_old_top_are_hair_with_their_rim() -> None:
    image, outline, person, skin = _shopper()
    pose = frontal_pose()
    hair = hair_over_collar(image, outline, head_mask(pose, (H, W)), person, pose, skin)
    assert hair[100:106, 113:127].all() and hair[100:106, 173:187].all()  # over the tee, in the outline or not
    assert hair[106, 113:127].all()  # the rim: a blend with the collar, not filled from the backdrop
    assert not hair[107:, :].any()  # the tee below it


def test_the_tee_the_skin_and_the_backdrop_are_no_hair() -> None:
    image, outline, person, skin = _shopper()
    pose = frontal_pose()
    hair = hair_over_collar(image, outline, head_mask(pose, (H, W)), person, pose, skin)
    rim = cv2.dilate(np.all(image == HAIR, axis=2).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    assert not hair[np.all(image == GREY, axis=2) & ~rim].any()
    assert not hair[skin > 0].any() and not hair[person == 0].any()


def test_hair_as_dark_as_the_top_it_hangs_over_is_not_told() -> None:
    # Black hair over a black top: a px's colour tells neither (COLLAR_MARGIN); the repaint goes on as before.
    image, outline, person, skin = _shopper(hair=(33, 31, 33), top=(34, 34, 38))
    pose = frontal_pose()
    hair = hair_over_collar(image, outline, head_mask(pose, (H, W)), person, pose, skin)
    assert not hair[100:106].any()


def test_short_hair_leaves_nothing_to_tell_a_shaded_neck_by() -> None:
    # No hair in the disc above the chin (cropped hair): the face's colours are skin, and a neck's shade the skin
    # mask missed, nearer them than the tee's, stayed in front of the repaint beside the old collar.
    image, outline, person, skin = _shopper()
    image[30:106, 112:128] = image[30:106, 172:188] = BACKDROP
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    image[100:110, 136:140] = (150, 105, 85)  # the neck's shaded side, not in the skin mask
    pose = frontal_pose()
    assert not hair_over_collar(image, outline, head_mask(pose, (H, W)), person, pose, skin).any()


def test_without_a_worn_outline_or_a_head_nothing_is_hair() -> None:
    image, outline, person, skin = _shopper()
    pose = frontal_pose()
    head = head_mask(pose, (H, W))
    assert not hair_over_collar(image, np.zeros_like(outline), head, person, pose, skin).any()
    assert not hair_over_collar(image, outline, np.zeros_like(head), person, pose, skin).any()
