"""How the worn garment grows to its own outline (`worn_outline`) in colours its mask's core holds, on synthetic
images."""

from __future__ import annotations

import cv2
import numpy as np
from poses import frontal_pose

from fittingroom.common.garment import Category
from fittingroom.segment.worn_garment import worn_outline

WALL = (232, 232, 232)
SKIN = (200, 150, 120)


def test_a_white_garment_on_a_pale_wall_grows_to_its_corner_but_not_onto_the_wall_beside_it() -> None:
    """A white tee on a pale wall: the corner its mask left is the tee, the wall the person mask took between
    an arm and the body is not."""
    wall, white, skin = WALL, (250, 250, 250), SKIN
    image = np.full((400, 300, 3), wall, np.uint8)
    cv2.circle(image, (150, 60), 35, skin, -1)
    image[110:230, 60:90] = skin
    image[110:230, 210:240] = skin
    image[100:240, 100:200] = white
    image[150:200, 130:170] = (30, 30, 30)  # a print, which the wall does not have
    person = np.zeros((400, 300), np.float32)
    person[(np.abs(image.astype(int) - wall).sum(axis=2) > 0)] = 1
    person[110:230, 90:100] = 1  # the person mask's blur between the arm and the body
    worn = np.zeros((400, 300), np.uint8)
    worn[100:240, 100:200] = 1
    worn[100:130, 100:125] = 0  # the corner the mask left
    outline = worn_outline(image, worn, person, frontal_pose(), Category.UPPER)
    assert outline[106:130, 106:125].all()
    assert not outline[150:200, 90:96].any()



def _collar_under_the_head(hair: tuple[int, int, int]) -> np.ndarray:
    """A navy tee whose rib beside the neck lies under the head's disc (the worn mask leaves that disc out),
    the hair on top of the head in `hair`: the outline grown from it."""
    navy = (30, 40, 90)
    image = np.full((400, 300, 3), WALL, np.uint8)
    image[100:240, 100:200] = navy
    image[92:100, 118:182] = navy  # the neckline's rib round the neck's base
    image[60:100, 136:164] = SKIN  # the neck
    cv2.circle(image, (150, 60), 30, SKIN, -1)
    cv2.ellipse(image, (150, 38), (32, 16), 0, 180, 360, hair, -1)
    person = (np.abs(image.astype(int) - WALL).sum(axis=2) > 0).astype(np.float32)
    disc = np.zeros((400, 300), np.uint8)
    cv2.circle(disc, (150, 60), 45, 1, -1)
    worn = np.zeros((400, 300), np.uint8)
    worn[100:240, 100:200] = 1
    worn &= 1 - disc
    return worn_outline(image, worn, person, frontal_pose(), Category.UPPER)


def test_a_neckline_rib_under_the_heads_disc_is_the_garments_unless_the_hair_has_its_colour() -> None:
    """Left out, the rib's ends stood as dark tips beside a lower new neckline; taken under dark hair of the same
    colour, strands over the shoulders would be repainted."""
    assert _collar_under_the_head((210, 180, 100))[95:99, 128:133].all()  # blond hair
    assert not _collar_under_the_head((30, 40, 90))[95:99, 128:133].any()  # hair the tee's navy


def test_a_dark_garments_lighter_shade_is_grown_but_not_a_minor_colour_of_another_hue() -> None:
    """Black trousers' light at a pocket is a minor colour of their own chroma: the strip GrabCut left in it is
    theirs. A minor colour of another hue (blond hair over a shoulder) is not grown through."""
    image = np.full((400, 300, 3), WALL, np.uint8)
    cv2.circle(image, (150, 60), 35, SKIN, -1)
    image[100:240, 100:200] = (40, 40, 40)
    image[100:240, 100:130] = (20, 20, 20)
    image[100:240, 185:200] = (78, 78, 78)  # the light on the garment's side
    image[200:240, 200:210] = (84, 84, 84)  # ... and the strip its mask left
    image[150:165, 140:170] = (60, 48, 20)  # a dark-yellow patch on it, a minor colour of its core
    image[160:230, 90:100] = (60, 48, 20)  # ... and something of that colour beside it
    person = (np.abs(image.astype(int) - WALL).sum(axis=2) > 0).astype(np.float32)
    worn = np.zeros((400, 300), np.uint8)
    worn[100:240, 100:200] = 1
    outline = worn_outline(image, worn, person, frontal_pose(), Category.UPPER)
    assert outline[200:238, 200:208].all()
    assert not outline[160:230, 90:97].any()


def test_wide_trousers_pooling_past_the_ankles_are_grown_to_their_hem_but_not_onto_the_shoes() -> None:
    """The trousers' region ends just past the ankle joints (row 385): a hem falling lower is grown back in the
    trousers' own colour, the shoes below it in another are not."""
    image = np.full((420, 300, 3), WALL, np.uint8)
    cv2.circle(image, (150, 60), 35, SKIN, -1)
    image[100:240, 100:200] = (40, 90, 200)
    image[240:405, 105:195] = (60, 60, 60)
    image[405:415, 100:200] = (150, 30, 30)  # shoes
    person = (np.abs(image.astype(int) - WALL).sum(axis=2) > 0).astype(np.float32)
    worn = np.zeros((420, 300), np.uint8)
    worn[240:393, 105:195] = 1
    outline = worn_outline(image, worn, person, frontal_pose(), Category.LOWER)
    assert outline[393:405, 110:190].all()
    assert not outline[408:, :].any()
