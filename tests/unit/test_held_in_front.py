"""What stays in front of the old garment on synthetic shoppers: a hand in a pocket's shade at the end of a thin, lit
forearm is skin (`skin_mask`), a bag held over the old trousers is neither garment (`held_in_front`), and neither is
taken into the old garment's outline (`worn_outline`); a leopard print's spots and a pale pink shirt are no skin."""

from __future__ import annotations

import cv2
import numpy as np
from poses import frontal_pose

from fittingroom.common import landmarks as lm
from fittingroom.common.body import Pose
from fittingroom.common.garment import Category
from fittingroom.segment.worn_garment import held_in_front, skin_mask, worn_garment_mask, worn_outline

H, W = 400, 300
SKIN = (196, 132, 100)  # the shopper's skin, as the face shows it
BACKDROP = (252, 252, 252)
TOP = (240, 240, 240)
TROUSERS = (35, 35, 35)
BAG = (205, 200, 188)  # cream: a shade of the white top's, far from the trousers' black
LEOPARD = (90, 70, 50)


def _diluted(colour: tuple[int, int, int], share: float) -> tuple[int, int, int]:
    """`colour` with `share` of its chroma given up to grey of its own luma: skin in the studio's light."""
    grey = float(np.dot(colour, (0.299, 0.587, 0.114)))
    return tuple(round(c + share * (grey - c)) for c in colour)  # type: ignore[return-value]


def _pose() -> Pose:
    """The frontal shopper with each forearm hanging down to a hand on the trousers' side."""
    return frontal_pose({lm.LEFT_ELBOW: (200, 170), lm.LEFT_WRIST: (186, 232), lm.RIGHT_ELBOW: (95, 170),
                         lm.RIGHT_WRIST: (118, 232)})


def _shopper(hand: tuple[int, int, int] | None = None, forearm_px: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """A face, a white top (rows 100-200), black trousers below; the left forearm a strip `forearm_px` wide from the
    elbow to the wrist, and a hand in `hand`'s colour there, over the trousers."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.circle(image, (150, 60), 32, SKIN, -1)
    cv2.rectangle(image, (112, 200), (188, 395), TROUSERS, -1)
    cv2.rectangle(image, (108, 100), (192, 200), TOP, -1)
    cv2.line(image, (196, 110), (200, 170), SKIN, 12)  # the upper arm beside the top
    if forearm_px:
        cv2.line(image, (200, 170), (186, 232), SKIN, forearm_px)
    if hand is not None:
        cv2.ellipse(image, (184, 240), (6, 9), 0, 0, 360, hand, -1)
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    return image, person


def _wrist_end() -> np.ndarray:
    """The forearm strip's middle line over its last tenth, down to the wrist joint."""
    strip = np.zeros((H, W), np.uint8)
    cv2.line(strip, (188, 226), (186, 232), 1, 1)
    return strip > 0


def test_a_hand_in_a_pockets_shade_at_the_end_of_a_thin_lit_forearm_is_skin() -> None:
    image, person = _shopper(hand=_diluted(SKIN, 0.3))
    skin = skin_mask(image, _pose(), person)
    hand = np.all(image == _diluted(SKIN, 0.3), axis=2)
    assert skin[hand].mean() > 0.9
    assert skin[_wrist_end()].all()
    assert skin[np.all(image == TROUSERS, axis=2)].sum() == 0


def test_a_hand_with_no_elbow_or_wrist_to_run_a_forearm_between_is_left_to_the_face_test() -> None:
    image, person = _shopper(hand=_diluted(SKIN, 0.3))
    pose = _pose()
    pose.visibility[[lm.LEFT_ELBOW, lm.LEFT_WRIST]] = 0.0
    assert skin_mask(image, pose, person)[np.all(image == _diluted(SKIN, 0.3), axis=2)].mean() < 0.05


def test_a_hand_with_a_thick_forearm_the_opening_keeps_is_left_to_the_face_test() -> None:
    image, person = _shopper(hand=_diluted(SKIN, 0.3), forearm_px=9)
    assert skin_mask(image, _pose(), person)[np.all(image == _diluted(SKIN, 0.3), axis=2)].mean() < 0.05


def test_grey_beside_the_hand_is_no_skin() -> None:
    """Diluted to grey by more than LIT_SHARE: a hand's shade no longer, but a pale garment's colour."""
    image, person = _shopper(hand=_diluted(SKIN, 0.8))
    skin = skin_mask(image, _pose(), person)
    assert skin[np.all(image == _diluted(SKIN, 0.8), axis=2)].mean() < 0.05


def test_a_pale_pink_shirt_by_a_thin_forearms_hand_is_no_skin() -> None:
    """As pale as the hand's lit skin, but beside the forearm above the hand's zone: not joined through it."""
    image, person = _shopper(hand=_diluted(SKIN, 0.3))
    cv2.rectangle(image, (200, 190), (222, 220), _diluted(SKIN, 0.3), -1)
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    skin = skin_mask(image, _pose(), person)
    assert skin[192:218, 204:222].sum() == 0


def test_leopard_spots_under_a_forearm_are_no_skin() -> None:
    """Spots in the face's chroma along the forearm's line, where no arm runs: blobs, not a strip down a bone."""
    image, person = _shopper(forearm_px=0)
    cv2.rectangle(image, (170, 160), (215, 260), LEOPARD, -1)
    for y in range(165, 258, 7):
        for x in range(174, 214, 7):
            cv2.circle(image, (x, y), 2, SKIN, -1)
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    skin = skin_mask(image, _pose(), person)
    assert skin[160:260, 170:215].sum() == 0


def _bag_shopper() -> tuple[np.ndarray, np.ndarray]:
    """The right hand holds a cream bag at the hip: its right end lies over the trousers."""
    image, _ = _shopper()
    cv2.rectangle(image, (78, 212), (132, 246), BAG, -1)
    cv2.circle(image, (116, 228), 8, SKIN, -1)  # the hand holding it
    cv2.line(image, (104, 110), (95, 170), SKIN, 12)
    cv2.line(image, (95, 170), (116, 226), SKIN, 10)
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    return image, person


def _over_trousers(image: np.ndarray) -> np.ndarray:
    """The bag's end over the trousers (their edge is at x 112)."""
    bag = np.all(image == BAG, axis=2)
    bag[:, :112] = False
    return bag


def test_a_bag_held_over_the_trousers_is_held_in_front_of_them() -> None:
    image, person = _bag_shopper()
    worn = worn_garment_mask(image, person, _pose(), Category.LOWER)
    held = held_in_front(image, worn, person, _pose())
    assert held[_over_trousers(image)].mean() > 0.95
    assert held[np.all(image == TROUSERS, axis=2)].sum() == 0
    assert held[np.all(image == TOP, axis=2)].sum() == 0


def test_the_old_trousers_outline_stops_at_the_bag_and_the_hand() -> None:
    image, person = _bag_shopper()
    worn = worn_garment_mask(image, person, _pose(), Category.LOWER)
    outline = worn_outline(image, worn, person, _pose(), Category.LOWER)
    assert outline[_over_trousers(image)].mean() < 0.02  # at most a px GrabCut left on its edge
    hand = np.zeros((H, W), np.uint8)
    cv2.circle(hand, (116, 228), 7, 1, -1)
    assert outline[hand > 0].sum() == 0
    assert outline[np.all(image == TROUSERS, axis=2)].mean() > 0.95


def test_nothing_is_held_in_front_of_trousers_without_a_bag() -> None:
    image, person = _shopper(hand=SKIN, forearm_px=9)
    worn = worn_garment_mask(image, person, _pose(), Category.LOWER)
    assert held_in_front(image, worn, person, _pose()).sum() == 0


def test_trousers_by_a_hand_below_a_tops_hem_are_not_held_in_front_of_the_top() -> None:
    """Neither skin nor the top's colours, and in one piece with the hand, but below the top's hem: the other
    garment, beside the top, not in front of it."""
    image, person = _shopper(hand=SKIN, forearm_px=9)
    worn = worn_garment_mask(image, person, _pose(), Category.UPPER)
    assert held_in_front(image, worn, person, _pose()).sum() == 0

