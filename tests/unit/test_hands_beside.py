"""A hand hanging beside the garment: what of it, and of the arm's outer side, the garment hangs behind
(`fit.hands_beside`). Synthetic masks and poses, drawn here."""

from __future__ import annotations

import cv2
import numpy as np
from poses import frontal_pose

from fittingroom.common import landmarks as lm
from fittingroom.common.garment import Category
from fittingroom.warp_gen.fit import GarmentFit, hands_beside, hanging_room

H, W = 400, 300


def _dress_fit(limbs: tuple[tuple[np.ndarray, float], ...] = ()) -> GarmentFit:
    """A sleeveless dress's fit on the frontal pose: the torso between the joints, no sleeves unless given."""
    body = np.array([(105, 110), (195, 110), (180, 230), (120, 230)], np.float64)
    return GarmentFit(names=(), source=np.zeros((0, 2)), target=np.zeros((0, 2)), body=body, limbs=limbs)


def _worn() -> np.ndarray:
    """The old dress: the torso and hips, reaching under the left hand's fingertips on its lower left side."""
    worn = np.zeros((H, W), np.uint8)
    cv2.rectangle(worn, (110, 110), (205, 330), 1, -1)
    cv2.rectangle(worn, (205, 262), (216, 330), 1, -1)
    return worn


def test_the_hand_and_the_arm_s_outer_side_are_what_the_garment_hangs_behind() -> None:
    """The forearm (elbow 215,175 to wrist 220,235) hangs beside the dress; its hand runs on to row 277."""
    beside = hands_beside(_dress_fit(), frontal_pose(), _worn(), Category.DRESS)
    assert beside[200, 224] == 1  # the forearm's outer side, its rim half backdrop
    assert beside[255, 222] == 1 and beside[270, 224] == 1  # the hand, however shaded
    assert beside[200, 234] == 1  # past the rim, where the garment's room is grown by its feather
    assert beside[200, 210] == 0  # between the forearm and the waist: the garment hangs across the gap there
    assert beside[232, 214] == 0 and beside[240, 214] == 0  # inward of the wrist and the heel of the hand
    assert beside[270, 214] == 0  # the old dress under the fingertips: the new one is dressed there
    assert beside[300, 150] == 0 and beside[150, 150] == 0  # the body
    assert beside[200, 76] == 1 and beside[200, 90] == 0  # the other arm: its outer side is to the left


def test_a_forearm_the_garment_sleeves_is_not_left_out() -> None:
    sleeve = (np.array([(215.0, 175.0), (220.0, 235.0)]), 30.0)
    beside = hands_beside(_dress_fit((sleeve,)), frontal_pose(), _worn(), Category.DRESS)
    assert beside[200, 224] == 0  # the long sleeve covers the forearm
    assert beside[265, 224] == 1  # past the cuff, the hand still hangs in front


def test_an_arm_whose_wrist_is_not_seen_leaves_nothing_out() -> None:
    pose = frontal_pose()
    pose.visibility[lm.LEFT_WRIST] = 0.0
    pose.visibility[lm.RIGHT_WRIST] = 0.0
    assert not hands_beside(_dress_fit(), pose, _worn(), Category.DRESS).any()


def test_the_room_less_the_hands_has_no_loop_round_a_hand() -> None:
    """A person mask with a hand beside the hips: the room a garment may take, less the hands it hangs behind,
    reaches no farther out than the body beside the hand (no pocket flap round the hand)."""
    person = np.zeros((H, W), np.float32)
    cv2.rectangle(person, (110, 40), (205, 390), 1.0, -1)
    cv2.line(person, (215, 175), (220, 235), 1.0, 10)  # the forearm, touching the side
    cv2.ellipse(person, (222, 256), (6, 20), 0, 0, 360, 1.0, -1)  # the hand
    hands = hands_beside(_dress_fit(), frontal_pose(), _worn(), Category.DRESS)
    room = hanging_room(person, frontal_pose(), _dress_fit()) & (1 - hands)
    for row in range(248, 280, 4):  # past the heel of the hand
        assert np.flatnonzero(room[row]).max() <= 216  # the body's side (the old dress under the fingertips)


def test_a_top_leaves_nothing_out() -> None:
    """A top ends about the wrists: its sides beside a bared arm are the arms' own handling."""
    assert not hands_beside(_dress_fit(), frontal_pose(), _worn(), Category.UPPER).any()


def test_a_hand_in_a_pocket_is_left_to_the_garment() -> None:
    """A forearm turned in to a pocket: the new garment's side goes in over the hand as the old one's did
    (left out, what the worn garment's mask missed beside the wrist showed as a blotch of the old print, and
    the side stood straight along the forearm)."""
    pose = frontal_pose({lm.LEFT_WRIST: (190, 230)})  # from the elbow at 215,175: 24 degrees in
    beside = hands_beside(_dress_fit(), pose, _worn(), Category.DRESS)
    assert not beside[:, 150:].any()
    assert beside[200, 76] == 1  # the other hand hangs beside the garment
