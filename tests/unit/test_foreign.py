"""What a worn garment's mask caught that is not the garment (`segment.foreign`), on synthetic images."""

from __future__ import annotations

import numpy as np
from poses import frontal_pose

from fittingroom.common import landmarks as lm
from fittingroom.common.garment import Category
from fittingroom.segment.foreign import colour_zone, cut_off, foreign_parts, hands_reach
from fittingroom.segment.worn_garment import body_region

H, W = 200, 160
BACKDROP = (240, 240, 240)
TROUSERS = (40, 50, 110)
SKIN = (200, 150, 120)
SHADED_SKIN = (170, 122, 96)  # an ankle in the hem's shade: no longer the face's chroma


def _scene() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A trouser leg over a shaded bare ankle, a skin-coloured spot printed inside it, and an arm of skin beside.

    Returns the image, the person mask, the garment mask (which caught the ankle and the spot) and the skin."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    image[20:180, 20:40] = SKIN  # an arm the skin test found
    image[20:150, 60:110] = TROUSERS
    image[80:88, 80:88] = SKIN  # a print's spot
    image[150:180, 70:100] = SHADED_SKIN  # the ankle below the hem
    person = (np.abs(image.astype(int) - BACKDROP).sum(axis=2) > 0).astype(np.float32)
    mask = np.zeros((H, W), np.uint8)
    mask[20:180, 60:110] = 1
    mask[150:180, 60:110] &= person[150:180, 60:110] > 0
    skin = np.zeros((H, W), np.uint8)
    skin[20:180, 20:40] = 1
    return image, person, mask, skin


def _core() -> np.ndarray:
    core = np.zeros((H, W), np.uint8)
    core[30:70, 65:105] = 1
    return core


def test_an_ankle_below_the_hem_is_no_garment_but_a_printed_spot_inside_it_is() -> None:
    image, person, mask, skin = _scene()
    foreign = foreign_parts(image, mask, _core(), skin, person).parts
    assert foreign[150:180, 70:100].mean() > 0.9  # the shaded ankle, though the skin test missed it
    assert not foreign[80:88, 80:88].any()  # the spot lies inside the garment: its print
    assert not foreign[20:150, 60:110].any()


def test_a_white_garment_on_a_white_wall_stays_the_garment() -> None:
    image = np.full((H, W, 3), 245, np.uint8)
    image[20:150, 60:110] = 238
    person = np.zeros((H, W), np.float32)
    person[15:155, 55:115] = 1
    mask = np.zeros((H, W), np.uint8)
    mask[20:150, 60:110] = 1
    assert not foreign_parts(image, mask, _core(), np.zeros((H, W), np.uint8), person).parts.any()


def test_a_piece_cut_off_by_what_was_removed_goes_and_a_piece_apart_before_stays() -> None:
    mask = np.zeros((H, W), np.uint8)
    mask[20:100, 60:110] = 1  # the garment, with its core
    mask[110:120, 60:110] = 1  # a shoe strap below the removed ankle
    mask[20:100, 130:150] = 1  # a sleeve past a hand, apart from the start
    removed = np.zeros((H, W), bool)
    removed[100:110, 60:110] = True
    dropped = cut_off(mask, _core(), removed)
    assert dropped[110:120, 60:110].all()
    assert not dropped[20:100].any()


def test_trousers_and_dresses_colours_are_taken_down_to_the_upper_thighs_and_a_tops_anywhere() -> None:
    pose, shape = frontal_pose(), (400, 300)
    lower = colour_zone(pose, shape, Category.LOWER)
    assert lower[240, 150] and not lower[300, 150]  # hips at row 230, knees at 310
    assert colour_zone(pose, shape, Category.DRESS)[240, 150] and not colour_zone(pose, shape, Category.DRESS)[300, 150]
    assert colour_zone(pose, shape, Category.UPPER).all()


def test_a_trouser_legs_region_ends_square_just_past_the_ankle() -> None:
    pose = frontal_pose({lm.LEFT_HIP: (180, 200), lm.RIGHT_HIP: (120, 200), lm.LEFT_KNEE: (178, 270),
                         lm.RIGHT_KNEE: (122, 270), lm.LEFT_ANKLE: (176, 340), lm.RIGHT_ANKLE: (124, 340)})
    region = body_region(pose, (400, 300), Category.LOWER)
    assert region[345, 124] and region[345, 176]  # a full-length hem just past the ankle joint
    assert not region[360:, :].any()  # a round end reached half a leg's width (33 px) below it: the shoes


def test_skin_the_sure_core_caught_is_still_no_garment() -> None:
    """The skin test missed a chest above a camisole's edge, inside the garment's sure core: that minor colour of
    the core is the skin's, and the shoulder beside it in that colour goes."""
    image, person, mask, skin = _scene()
    image[20:24, 60:110] = SHADED_SKIN  # the chest above the edge, in the core
    core = _core()
    core[20:24, 60:110] = 1
    foreign = foreign_parts(image, mask, core, skin, person).parts
    assert foreign[20:24, 60:110].mean() > 0.9
    assert foreign[150:180, 70:100].mean() > 0.9
    assert not foreign[40:150, 60:110].any()


def test_a_bag_held_against_dark_trousers_goes_but_a_white_top_keeps_its_shades() -> None:
    """A pale bag held at the hip: a minor colour of the trousers' sure core near a hand, in the backdrop's
    colours, is the bag's. The same rule on a white top (its main colour the backdrop's) would take its shades."""
    image, person, mask, skin = _scene()
    bag = (225, 220, 210)
    image[60:66, 60:110] = bag  # the bag's edge inside the sure core
    image[100:120, 60:80] = bag  # ... and its corner over the trousers' edge, which GrabCut kept
    core = _core()
    held = np.zeros((H, W), bool)
    held[50:130, 50:120] = True
    foreign = foreign_parts(image, mask, core, skin, person, held=held).parts
    assert foreign[100:120, 60:80].mean() > 0.9
    assert not foreign[70:100, 80:110].any()
    assert not foreign_parts(image, mask, core, skin, person).parts[100:120, 60:80].any()  # no hand there: a trim


def test_hands_reach_round_the_wrists_the_pose_sees() -> None:
    reach = hands_reach(frontal_pose(), (400, 300))
    assert reach[235, 220] and reach[235, 80] and not reach[60, 150]


def test_a_nude_tops_shade_at_its_edge_stays_the_garment() -> None:
    """A top in the skin's own colours: its shaded side, a minor colour of its core near the skin's, is its own."""
    image, person, mask, skin = _scene()
    image[20:150, 60:110] = (215, 170, 140)
    image[20:150, 100:110] = (197, 148, 118)  # the shaded side, in the skin's colour, reaching the mask's edge
    core = _core()
    core[30:70, 100:105] = 1
    assert not foreign_parts(image, mask, core, skin, person).parts[20:150, 60:110].any()


def test_of_what_is_no_garment_the_skin_is_told_from_the_backdrops_colours() -> None:
    """The shaded ankle the skin test missed is skin (a repaint reads it as the shopper's visible skin); a white
    shoe's edge caught at the hem is no garment, but no skin either."""
    image, person, mask, skin = _scene()
    image[130:150, 95:110] = (236, 236, 236)  # the shoe's edge, in the backdrop's colours, at the mask's edge
    person[130:150, 95:110] = 1
    foreign = foreign_parts(image, mask, _core(), skin, person)
    assert foreign.parts[130:150, 95:110].mean() > 0.9 and foreign.parts[150:180, 70:100].mean() > 0.9
    assert foreign.skin[150:180, 70:100].mean() > 0.9
    assert not foreign.skin[130:150, 95:110].any()
    assert not (foreign.skin & ~foreign.parts).any()
