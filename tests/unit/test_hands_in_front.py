"""A hand past its wrist stays in front of a new garment (`occlusion.hands`, `hand_zone`), on a synthetic shopper."""

from __future__ import annotations

import cv2
import numpy as np
from poses import frontal_pose

from fittingroom.common import landmarks as lm
from fittingroom.common.body import Pose, body_frame
from fittingroom.segment.occlusion import SPECK_AREA, hand_zone, hands, without_specks

H, W = 400, 300
SKIN = (224, 172, 140)
HAND = (150, 100, 75)  # the hand in its arm's shade: darker, the skin's hue
SHIRT = (40, 40, 45)  # dark, nearly grey: the trousers' side the fingers lie down
BACKDROP = 235
WRIST, FINGERTIPS = (95, 215), (108, 262)
SLIVER_END = (120, 250)


def _hand_on_the_hip() -> Pose:
    """The right arm bent, its hand on the hip: the knuckles below the wrist, the fingers on down the hip's side."""
    return frontal_pose({lm.RIGHT_ELBOW: (60, 190), lm.RIGHT_WRIST: WRIST, 18: (98, 236), 20: (106, 234),
                         17: (225, 250), 19: (222, 252)})


def _shopper() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The photo, its person mask, and the skin test's skin: the face and the forearm down to the wrist, not the hand
    in shade past it."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.circle(image, (150, 60), 35, SKIN, -1)
    cv2.rectangle(image, (100, 100), (200, 390), SHIRT, -1)
    cv2.line(image, (60, 190), WRIST, SKIN, 14)
    cv2.line(image, WRIST, FINGERTIPS, HAND, 8)
    cv2.line(image, (104, 236), SLIVER_END, HAND, 2)  # the backdrop seen between two fingers, tinted by the skin
    person = (np.abs(image.astype(int) - BACKDROP).sum(axis=2) > 0).astype(np.float32)
    skin = np.zeros((H, W), np.uint8)
    cv2.circle(skin, (150, 60), 35, 1, -1)
    cv2.line(skin, (60, 190), WRIST, 1, 14)
    return image, person, skin


def test_a_hand_on_the_hip_in_shade_is_found_down_to_its_fingers() -> None:
    """The skin test found the forearm down to the wrist; the hand past it, in shade, is the skin's hue: found to its
    fingers, not the dark trousers or the backdrop beside it, nor a sliver of the skin's tint thinner than the skin
    test's skin."""
    pose = _hand_on_the_hip()
    image, person, skin = _shopper()
    found = hands(image, skin, person, pose, pockets_in_front=False).found
    wrist, tips = np.array(WRIST), np.array(FINGERTIPS)
    for share in (0.4, 0.6, 0.8):  # down the fingers
        x, y = np.round(wrist + share * (tips - wrist)).astype(int)
        assert found[y, x] == 1
    assert found[250, 130] == 0 and found[250, 90] == 0 and found[150, 150] == 0
    assert found[SLIVER_END[1] - 3, SLIVER_END[0] - 3] == 0


def test_a_hand_past_a_long_sleeve_s_cuff_is_no_speck() -> None:
    """A hand alone in front past a long sleeve's cuff is a strip of fingers as small as the skin test's specks; a
    speck elsewhere on the garment is still dropped."""
    pose = _hand_on_the_hip()
    fingers = np.zeros((H, W), np.uint8)
    cv2.line(fingers, (102, 240), FINGERTIPS, 1, 2)
    speck = np.zeros((H, W), np.uint8)
    cv2.rectangle(speck, (150, 150), (155, 155), 1, -1)
    assert 0 < speck.sum() <= fingers.sum() < SPECK_AREA * body_frame(pose).shoulder_width ** 2
    front = fingers | speck
    kept = without_specks(front, np.ones((H, W), np.float32), pose, [zone.mask for zone in hand_zone(pose, (H, W))])
    assert kept[245, 103] == 1 and kept[153, 153] == 0


def test_a_hand_in_a_pocket_is_no_hand_seen() -> None:
    """A wrist going into a trouser pocket shows its skin down to the pocket's edge, not on to the knuckles BlazePose
    guesses inside it: no hand is seen there, and the wrist's end past a long sleeve's cuff, a small patch on the new
    top, is a speck dropped like any other (in front of new trousers, in whose pocket the hand is, it is kept)."""
    elbow, wrist = (70, 150), (100, 202)
    pose = frontal_pose({lm.RIGHT_ELBOW: elbow, lm.RIGHT_WRIST: wrist, 18: (104, 230), 20: (112, 228),
                         17: (225, 250), 19: (222, 252)})
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.circle(image, (150, 60), 35, SKIN, -1)
    cv2.rectangle(image, (95, 200), (205, 390), SHIRT, -1)  # the trousers, the hand in their pocket
    cv2.line(image, elbow, wrist, SKIN, 14)
    person = (np.abs(image.astype(int) - BACKDROP).sum(axis=2) > 0).astype(np.float32)
    skin = np.zeros((H, W), np.uint8)
    cv2.circle(skin, (150, 60), 35, 1, -1)
    cv2.line(skin, elbow, wrist, 1, 14)
    wrist_end = np.zeros((H, W), np.uint8)
    cv2.circle(wrist_end, wrist, 5, 1, -1)
    under_top = hands(image, skin, person, pose, pockets_in_front=False)
    assert not under_top.found.any() and not under_top.zones
    assert not without_specks(wrist_end, np.ones((H, W), np.float32), pose, under_top.zones).any()
    # New trousers: the hand in their pocket is in front of them.
    in_front = hands(image, skin, person, pose, pockets_in_front=True)
    assert in_front.found[wrist[1] + 3, wrist[0]] == 1
    assert (without_specks(wrist_end, np.ones((H, W), np.float32), pose, in_front.zones) == wrist_end).all()
