"""Parsing the shopper for a try-on on synthetic people: skin learnt from the face, the worn garment split
from the other one by colour, half-body photos, the bare body under the clothes."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from poses import frontal_pose

from fittingroom.common import landmarks as lm
from fittingroom.common.body import Pose
from fittingroom.common.errors import InvalidInput
from fittingroom.common.garment import Category
from fittingroom.segment.worn_garment import (
    _nearer_other,
    _neighbourhood_colour,
    _without_slivers,
    _without_strays,
    bare_body,
    head_mask,
    legs_apart,
    skin_mask,
    straps,
    worn_garment_mask,
    worn_outline,
)

H, W = 400, 300
FAIR = (236, 200, 180)  # the shopper's skin
PINK = (235, 178, 182)  # a pink shirt: inside the generic skin-chroma box, 2.1 face tolerances from this skin
JEANS = (90, 120, 170)
BACKDROP = (235, 235, 235)


def _pose() -> Pose:
    """Arms held out from the body; hips at row 240, below a high waist."""
    return frontal_pose({lm.LEFT_ELBOW: (225, 170), lm.RIGHT_ELBOW: (75, 170), lm.LEFT_WRIST: (235, 225),
                         lm.RIGHT_WRIST: (65, 225), lm.LEFT_HIP: (180, 240), lm.RIGHT_HIP: (120, 240),
                         lm.LEFT_KNEE: (178, 315), lm.RIGHT_KNEE: (122, 315), lm.LEFT_ANKLE: (176, 390),
                         lm.RIGHT_ANKLE: (124, 390)})


def _shopper(top: tuple[int, int, int], top_bottom: int = 215) -> tuple[np.ndarray, np.ndarray]:
    """Fair skin head and bare arms, a sleeveless top down to `top_bottom`, jeans from there (a high waist,
    above the hip joints at y=240) to the ankles."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.circle(image, (150, 60), 35, FAIR, -1)
    cv2.line(image, (195, 110), (225, 170), FAIR, 22)
    cv2.line(image, (225, 170), (235, 225), FAIR, 18)
    cv2.line(image, (105, 110), (75, 170), FAIR, 22)
    cv2.line(image, (75, 170), (65, 225), FAIR, 18)
    cv2.rectangle(image, (105, 100), (195, top_bottom), top, -1)
    cv2.rectangle(image, (110, top_bottom), (190, 395), JEANS, -1)
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    return image, person


def test_skin_is_learnt_from_the_face_so_a_pink_shirt_is_not_skin() -> None:
    image, person = _shopper(PINK)
    skin = skin_mask(image, _pose(), person)
    assert skin[150, 150] == 0  # the pink shirt
    assert skin[60, 150] == 1 and skin[200, 232] == 1  # the face and a forearm


def test_a_pink_sleeveless_top_is_found_whole_and_without_the_jeans_below_it() -> None:
    image, person = _shopper(PINK)
    mask = worn_garment_mask(image, person, _pose(), Category.UPPER)
    shirt = np.all(image == PINK, axis=2)
    jeans = np.all(image == JEANS, axis=2)
    assert (mask[shirt] > 0).mean() > 0.95
    assert (mask[jeans] > 0).mean() < 0.01  # the waistband between the hem and the hips stays out


def test_the_jeans_are_found_without_the_top() -> None:
    image, person = _shopper(PINK)
    mask = worn_garment_mask(image, person, _pose(), Category.LOWER)
    assert (mask[np.all(image == PINK, axis=2)] > 0).mean() < 0.01
    assert (mask[np.all(image == JEANS, axis=2)] > 0).mean() > 0.8


def test_lower_garment_on_a_half_body_photo_is_found_where_the_photo_shows_it() -> None:
    image, person = _shopper(PINK)
    cut = 300  # the photo ends above the knees (y=315): they are placed, not seen
    pose = _pose()
    pose.visibility[[lm.LEFT_KNEE, lm.RIGHT_KNEE, lm.LEFT_ANKLE, lm.RIGHT_ANKLE]] = 0.01
    mask = worn_garment_mask(image[:cut], person[:cut], pose, Category.LOWER)
    assert (mask[np.all(image[:cut] == JEANS, axis=2)] > 0).mean() > 0.8


def test_a_collar_standing_round_the_neck_under_the_chin_is_part_of_the_shirt() -> None:
    image, _ = _shopper(PINK)
    cv2.rectangle(image, (141, 90), (159, 110), FAIR, -1)  # the neck
    collar = np.zeros((H, W), np.uint8)
    cv2.fillPoly(collar, [np.array([(122, 110), (128, 97), (140, 97), (140, 110)], np.int32)], 1)
    cv2.fillPoly(collar, [np.array([(178, 110), (172, 97), (160, 97), (160, 110)], np.int32)], 1)
    image[collar > 0] = PINK  # inside the head's disc, which is never the garment elsewhere
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    mask = worn_garment_mask(image, person, _pose(), Category.UPPER)
    inner = cv2.erode(collar, np.ones((3, 3), np.uint8)) > 0  # the person mask's own edge aside
    assert (mask[inner] > 0).mean() > 0.8
    assert (mask[np.all(image == FAIR, axis=2)] > 0).mean() < 0.01  # neck, face and arms stay out


def test_bare_body_holds_torso_and_legs_but_not_the_scene_beside_them() -> None:
    """The arms and shoulders are fitted to the photo (test_arms.py)."""
    body = bare_body(_pose(), (H, W))
    assert body[170, 150] and body[350, 177]  # chest, shin
    assert not body[170, 30] and not body[350, 150] and not body[80, 110]  # beside the arm and head, between shins


@pytest.mark.parametrize("visibility", [0.01, 0.99])  # the pose model may be sure of hips it cannot see
def test_lower_garment_on_a_photo_that_ends_above_the_hips_is_a_clear_error(visibility: float) -> None:
    image, person = _shopper(PINK)
    pose = _pose()
    pose.visibility[23:] = visibility  # hips (y=240), knees and ankles below the photo's edge
    with pytest.raises(InvalidInput, match="must show the hips for a lower garment"):
        worn_garment_mask(image[:200], person[:200], pose, Category.LOWER)


def test_lower_garment_on_a_photo_that_ends_at_the_hips_is_a_clear_error() -> None:
    image, person = _shopper(PINK)
    with pytest.raises(InvalidInput, match="no lower garment found"):
        worn_garment_mask(image[:250], person[:250], _pose(), Category.LOWER)


def _dressed(legs: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """A black midi dress to y=330 (below the knees at 315), and below it two legs apart, in `legs` colour:
    bare skin, or black tights the colour of the dress."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.circle(image, (150, 60), 35, FAIR, -1)
    cv2.line(image, (178, 330), (176, 385), legs, 20)
    cv2.line(image, (122, 330), (124, 385), legs, 20)
    cv2.rectangle(image, (105, 100), (195, 330), (25, 25, 25), -1)
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    return image, person


@pytest.mark.parametrize("legs", [FAIR, (25, 25, 25)], ids=["bare", "tights"])
def test_a_long_dress_is_found_to_its_hem_and_the_legs_below_it_are_not_the_dress(
        legs: tuple[int, int, int]) -> None:
    image, person = _dressed(legs)
    mask = worn_garment_mask(image, person, _pose(), Category.DRESS)
    assert mask[320, 150] == 1  # below the knees: the dress goes on
    assert mask[360:380, 170:186].sum() == 0 and mask[360:380, 114:130].sum() == 0  # the shins, bare or in tights
    assert legs_apart(person, _pose()) is not None


def test_a_collar_standing_above_the_shoulders_is_part_of_the_shirt_and_the_neck_is_not() -> None:
    image, person = _shopper(PINK)
    image[88:101, 112:132] = PINK  # the collar's two wings beside the neck, above the shoulder line (y=110)
    image[88:101, 168:188] = PINK
    image[88:101, 135:165] = FAIR  # the neck between them
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    mask = worn_garment_mask(image, person, _pose(), Category.UPPER)
    assert mask[95, 118] == 1 and mask[95, 182] == 1
    assert mask[95, 150] == 0


def test_the_same_photo_gives_the_same_mask_call_after_call() -> None:
    image, person = _shopper(PINK)
    first = worn_garment_mask(image, person, _pose(), Category.UPPER)
    cv2.randu(np.zeros((10, 10), np.float32), 0, 1)  # OpenCV's random generator moved on in between
    assert np.array_equal(first, worn_garment_mask(image, person, _pose(), Category.UPPER))


def test_a_spotted_skirt_whose_spots_are_the_tops_colour_stays_out_of_the_top() -> None:
    black, tan = (20, 20, 20), (190, 150, 90)
    image, person = _shopper(black)
    skirt = np.all(image == JEANS, axis=2)
    image[skirt] = tan
    for y in range(220, 395, 9):  # leopard spots: the black of the top, a pattern's repeat apart
        for x in range(114 + (y // 9) % 2 * 4, 190, 9):
            cv2.circle(image, (x, y), 3, black, -1)
    mask = worn_garment_mask(image, person, _pose(), Category.UPPER)
    assert (mask[skirt] > 0).mean() < 0.02
    assert (mask[110:210, 110:190] > 0).mean() > 0.95


def test_a_fine_print_in_a_tees_logo_colours_is_the_other_garments() -> None:
    """A white tee with a black logo edged in grey over trousers in a fine black, grey and white print: the
    print's neighbourhood colour (grey) is the logo edge's, a minor colour of the tee and a main one of the print;
    the trousers' top is theirs, and the tee's white beside its logo stays the tee's."""
    white, grey, black = (240, 240, 240), (130, 130, 130), (25, 25, 25)
    image = np.full((H, W, 3), white, np.uint8)
    cv2.rectangle(image, (120, 60), (180, 110), grey, -1)  # the logo's edge
    cv2.rectangle(image, (126, 66), (174, 104), black, -1)  # the logo: with its edge, under a tenth of the tee
    rows, cols = np.mgrid[200:H, 0:W]
    image[200:] = np.array([black, grey, white], np.uint8)[(rows + cols) % 3]  # the trousers from row 200
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB).astype(np.float32)
    candidates = np.zeros((H, W), bool)
    candidates[150:260, 20:280] = True  # the tee's hem and the trousers' top: the garments' border zone
    own = np.zeros((H, W), bool)
    own[:150] = True
    other = np.zeros((H, W), bool)
    other[300:] = True
    theirs = _nearer_other(_neighbourhood_colour(lab), candidates, lab[own], lab[other])
    assert theirs[215:260, 30:270].mean() > 0.95
    assert not theirs[150:185].any()


def test_skin_lit_otherwise_than_the_face_is_skin_beside_the_arm_but_not_as_a_patch_on_the_garment() -> None:
    image, person = _shopper(JEANS)
    lit = (240, 196, 168)  # the fair skin's chroma drifted by about one face tolerance (a shoulder in the light)
    cv2.circle(image, (205, 125), 8, lit, -1)  # on the arm, by the shoulder
    cv2.circle(image, (150, 160), 8, lit, -1)  # a patch of that colour in the middle of the top
    skin = skin_mask(image, _pose(), person)
    assert skin[125, 205] == 1
    assert skin[160, 150] == 0


def test_a_collar_in_the_skins_chroma_standing_round_the_neck_is_part_of_the_shirt() -> None:
    rose, collar = (220, 170, 170), (216, 172, 162)  # the collar, lit otherwise, within the face's chroma
    image, person = _shopper(rose)
    image[88:101, 118:136] = collar  # the collar's wings round the neck, under the head's disc
    image[88:101, 164:182] = collar
    image[88:101, 136:164] = FAIR  # the neck between them
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    assert skin_mask(image, _pose(), person)[95, 130] == 1  # skin by its chroma alone
    mask = worn_garment_mask(image, person, _pose(), Category.UPPER)
    assert mask[95, 130] == 1 and mask[95, 170] == 1
    assert mask[95, 150] == 0


def test_the_neck_in_a_nude_tops_colours_is_not_its_collar() -> None:
    image, person = _shopper(PINK)  # within DISTINCT_COLOURS of the face: the neck may share its colours
    image[88:101, 118:182] = (228, 181, 171)  # the neck in shade, near the top's colour, within the skin's chroma
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    mask = worn_garment_mask(image, person, _pose(), Category.UPPER)
    assert mask[88:101, 136:164].sum() == 0



def test_specks_of_the_mask_away_from_the_garment_are_dropped() -> None:
    """The anti-aliased edge of dark trousers against the backdrop can have a grey tee's colour: pieces of a few
    pixels there are no part of the tee (repainted with the backdrop, each bit into the hips). A speck beside the
    garment (its rib's end) and a large piece away from it (a sleeve beyond an arm in front) stay."""
    mask = np.zeros((H, W), np.uint8)
    mask[100:215, 105:195] = 1  # the tee
    mask[260:263, 108:111] = 1  # a speck at the trousers' edge
    mask[217:220, 150:153] = 1  # a speck just below the hem
    mask[120:160, 230:250] = 1  # a sleeve beyond an arm
    kept = _without_strays(mask, shoulder_width=100.0)
    assert not kept[260:263, 108:111].any()
    assert np.array_equal(np.delete(kept, np.s_[260:263], axis=0), np.delete(mask, np.s_[260:263], axis=0))


def test_slivers_of_the_mask_apart_from_the_garment_are_dropped() -> None:
    """An arm's shaded rim, a px or two wide along it, is taken for garment: apart from the garment it is no part of
    it (repainted as backdrop, a white notch in the arm). A strap three px wide apart from it stays, and so do the
    garment's own thin parts that join it and a sleeve's edge beyond its white stripe, along no skin."""
    mask = np.zeros((H, W), np.uint8)
    mask[100:215, 105:195] = 1  # the dress
    skin = np.zeros((H, W), np.uint8)
    skin[110:180, 82:92] = 1  # an arm beside it
    mask[110:180, 80:82] = 1  # the arm's rim, 2 px wide
    mask[60:100, 120:122] = 1  # a thin strap joining the dress
    skin[40:90, 210:220] = 1
    mask[40:90, 220:223] = 1  # a strap 3 px wide, apart from it, beside the skin
    mask[100:200, 200:202] = 1  # a sleeve's edge beyond its white stripe (x 195..200)
    kept = _without_slivers(mask, skin)
    assert not kept[110:180, 80:82].any()
    mask[110:180, 80:82] = 0
    assert np.array_equal(kept, mask)


def test_a_camisoles_thin_straps_are_found_but_not_a_crease_beside_it_nor_hair() -> None:
    """Straps two px wide rise from a camisole's top edge over the bare shoulders, in skin's chroma where they blend
    into it: found with their rim. A dark crease down the arm's side beside it starts below its top; a lock of
    hair over the neck lies under the head's disc: neither is a strap."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.circle(image, (150, 60), 35, FAIR, -1)
    cv2.rectangle(image, (95, 95), (205, 260), FAIR, -1)  # shoulders, chest and arms, bare
    cv2.rectangle(image, (110, 150), (190, 230), (20, 20, 24), -1)  # the camisole
    for x in (118, 182):
        cv2.line(image, (x, 150), (x, 100), (40, 34, 32), 2)  # its straps
    cv2.line(image, (108, 170), (108, 240), (90, 70, 60), 2)  # a crease down the arm's side
    cv2.line(image, (160, 80), (162, 110), (40, 34, 32), 2)  # a lock of hair over the neck
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    skin = np.all(image == FAIR, axis=2).astype(np.uint8)
    camisole = np.all(image == (20, 20, 24), axis=2).astype(np.uint8)
    found = straps(image, camisole, skin, person, _pose(), head_mask(_pose(), (H, W))) > 0
    assert found[105:145, 117:120].all() and found[105:145, 181:184].all()
    assert not found[175:240, 106:110].any()
    assert not found[80:95, 158:165].any()


def test_a_necklines_thin_rib_ends_beside_the_neck_are_the_tops_outline() -> None:
    """A navy tee's rib ends, 2 px thin, run up beside the neck under the head's disc: part of the tee's outline
    (the opening that clears the garment's colours of specks dropped them, and they stood as dark tips beside a
    new collar)."""
    navy = (30, 34, 60)
    image, _ = _shopper(navy)
    cv2.ellipse(image, (150, 45), (38, 22), 0, 180, 360, (210, 180, 110), -1)  # blond hair
    cv2.rectangle(image, (141, 90), (159, 100), FAIR, -1)  # the neck
    for x in (139, 159):
        image[92:100, x:x + 2] = navy  # the rib's ends beside it
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    pose = _pose()
    worn = worn_garment_mask(image, person, pose, Category.UPPER)
    worn[:100] = 0  # as GrabCut's smoothing leaves them out of the worn mask on a photo
    outline = worn_outline(image, worn, person, pose, Category.UPPER)
    assert outline[93:99, 139:141].all() and outline[93:99, 159:161].all()
    assert not outline[92:99, 144:156].any()  # the neck stays out
