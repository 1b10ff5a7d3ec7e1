"""The neck, collar and chest where a new garment is warped on: the old collar taken with the old garment
under a lowered head, and a bared chest lit like the skin it continues, on synthetic images."""

from __future__ import annotations

import cv2
import numpy as np
from poses import frontal_pose

from fittingroom.common import landmarks as lm
from fittingroom.common.garment import Category
from fittingroom.segment.worn_garment import (
    collar_band,
    collar_under_head,
    head_mask,
    neckline_opening,
    worn_garment_mask,
)
from fittingroom.warp_gen.chest import chest_light
from fittingroom.warp_gen.dress import LUMA, repaint_uncovered, skin_colour

H, W = 400, 300
FAIR = (236, 200, 180)
NAVY = (40, 50, 90)
BACKDROP = (235, 235, 235)
GOLD = (230, 190, 90)


def test_the_collar_band_reaches_below_the_shoulders_line_as_well_as_above_it() -> None:
    pose = frontal_pose()  # shoulders on row 110, 90 px apart
    band = collar_band(pose, (H, W))
    assert band[100, 150] and band[120, 150]  # a collar standing above it, a neckline's rib below it
    assert not band[150, 150]  # the chest is no collar


def test_a_neckline_under_a_lowered_head_is_part_of_the_worn_top() -> None:
    # The chin lowered towards the chest: the head's disc reaches below the shoulders' line, over the top's
    # neckline (left out, it stayed as a dark strip round the new garment's neckline).
    pose = frontal_pose({lm.NOSE: (150, 80)})
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.rectangle(image, (105, 100), (195, 300), NAVY, -1)
    cv2.rectangle(image, (141, 80), (159, 112), FAIR, -1)  # the neck, down to a crew neckline
    cv2.circle(image, (150, 65), 22, FAIR, -1)
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    mask = worn_garment_mask(image, person, pose, Category.UPPER)
    neckline = (head_mask(pose, (H, W)) > 0) & np.all(image == NAVY, axis=2)
    neckline[:112] = False  # below the shoulders' line, beside and under the neck
    neckline = cv2.erode(neckline.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0  # the mask's own edge aside
    assert neckline.sum() > 100
    assert (mask[neckline] > 0).mean() > 0.8
    assert (mask[np.all(image == FAIR, axis=2)] > 0).mean() < 0.01  # the neck and face stay out


def test_a_bared_chest_is_no_paler_than_the_skin_it_continues_under_a_dark_garment_with_bright_studs() -> None:
    # A black dress with gold studs: its bright specks read as light on the body, which paled a bared chest.
    h, w = 120, 100
    image = np.full((h, w, 3), BACKDROP, np.uint8)
    image[0:30, 30:70] = FAIR  # neck and upper chest show
    image[30:100, 25:75] = (20, 20, 20)
    image[30:100:6, 25:75:6] = GOLD
    body = np.zeros((h, w), np.uint8)
    body[0:110, 30:70] = 1
    skin = np.zeros((h, w), np.uint8)
    skin[0:30, 30:70] = 1
    old = np.zeros((h, w), bool)
    old[30:100, 25:75] = True
    uncovered = old.copy()
    uncovered[60:] = False  # a lower neckline: the chest above it is bared
    out = repaint_uncovered(image, uncovered, body, skin, old)
    chest = out[35:55, 40:60].reshape(-1, 3).astype(float).mean(axis=0)
    # The torso's roundness lights its middle a little (TORSO_LIGHT); the studs' light paled it by 10 %.
    assert chest @ LUMA <= np.array(FAIR) @ LUMA * 1.05


def test_the_neck_is_shaded_under_the_chin_and_the_collarbones_catch_the_light() -> None:
    light = chest_light(frontal_pose(), (H, W))  # shoulders on row 110 at x 105 and 195, the neck's axis x 150
    assert light[80, 150] < light[105, 150] - 0.05  # under the chin darker than at the neck's base
    assert light[116, 132] > 1.03 and light[116, 168] > 1.03  # along each collarbone
    assert light[119, 150] < 1.0  # the notch between them
    assert np.allclose(light[200:, :], 1.0, atol=1e-3) and np.allclose(light[:, :60], 1.0, atol=1e-3)


def test_the_shade_of_the_skin_beside_a_bared_chest_carries_a_shorter_way_than_its_hue() -> None:
    h, w = 400, 200  # the shade's reach: NEAR_SHADE_SHARE of NEAR_SKIN_REACH, 7 px here
    image = np.full((h, w, 3), BACKDROP, np.uint8)
    image[0:40, 60:140] = (150, 100, 80)  # the neck in the chin's shadow
    image[40:400, 60:140] = NAVY
    image[300:400, 0:20] = FAIR  # a lit hand far off
    skin = np.any(image != BACKDROP, axis=2) & ~np.all(image == NAVY, axis=2)
    to_skin = np.all(image == NAVY, axis=2)
    colour = skin_colour(image, skin.astype(np.uint8), to_skin)
    shade, lit = np.array((150, 100, 80)) @ LUMA, np.array(FAIR) @ LUMA
    # Some pixels below the neckline the chest is already mostly lit, not a dark band along it...
    assert colour[60, 100] @ LUMA > shade + 0.6 * (lit - shade)
    # ...while it meets the neck without a seam.
    assert colour[41, 100] @ LUMA < shade + 0.5 * (lit - shade)


def test_the_collar_under_the_heads_disc_is_taken_with_its_edge_and_nothing_else_of_the_head() -> None:
    head = head_mask(frontal_pose(), (H, W))
    outline = np.zeros((H, W), np.uint8)
    outline[100:140, 110:190] = 1  # the old top, its neckline reaching into the disc (rows up to 105)
    collar = collar_under_head(outline, head)
    assert collar[100:105, 140:160].all()  # the neckline inside the disc
    assert collar[98, 150] and not collar[94, 150]  # its anti-aliased edge, a few px beyond it, not the face
    assert not collar[60, 150]


def test_the_skin_of_an_old_v_opening_is_told_from_the_neck_by_its_width() -> None:
    pose = frontal_pose()  # shoulders on row 110, 90 px apart: a V narrower than OPENING_WIDTH (22 px)
    outline = np.zeros((H, W), np.uint8)
    outline[95:200, 100:200] = 1
    skin = np.zeros((H, W), np.uint8)
    skin[60:95, 135:165] = 1  # the neck, above a crew neckline: 30 px wide
    for row in range(95, 125):  # a V from 20 px wide narrowing to a point
        half = max(0, 10 - (row - 95) // 3)
        outline[row, 150 - half:150 + half] = 0
        skin[row, 150 - half:150 + half] = 1
    opening = neckline_opening(outline, skin, pose)
    assert opening[100:115, 147:153].all()  # the V's skin, centre and sides
    assert opening[100, 141] and opening[100, 158]
    assert not opening[:95].any()  # the neck itself: no garment on both sides
    wide = np.zeros((H, W), np.uint8)
    wide[95:200, 100:200] = 1
    wide[95:110, 130:170] = 0  # a scoop as wide as the neck: its skin stays the neck's
    assert not neckline_opening(wide, 1 - wide, pose).any()


def test_the_skin_of_a_wide_v_between_straps_is_chest_below_the_shoulders_line() -> None:
    """A slip dress's V, as wide as the neck and the straps apart, is chest below the shoulders' line (a crew-neck
    dress put on covers it); the neck above stays, and a hand held to the chest apart from the neck's skin stays
    in front."""
    pose = frontal_pose()  # shoulders on row 110, 90 px apart
    outline = np.zeros((H, W), np.uint8)
    outline[100:250, 100:200] = 1
    skin = np.zeros((H, W), np.uint8)
    skin[60:100, 135:165] = 1  # the neck
    for row in range(100, 150):  # the V: 60 px wide at the straps, to a point 40 px below the shoulders' line
        half = max(0, 30 - (row - 100) * 30 // 50)
        outline[row, 150 - half:150 + half] = 0
        skin[row, 150 - half:150 + half] = 1
    outline[170:185, 160:180] = 0  # a hand on the chest, in one piece of its own
    skin[170:185, 160:180] = 1
    opening = neckline_opening(outline, skin, pose)
    assert opening[120:140, 148:152].all() and opening[116, 135]  # the V's skin below the shoulders' line
    assert not opening[:100].any()  # the neck
    assert not opening[170:185, 160:180].any()  # the hand
