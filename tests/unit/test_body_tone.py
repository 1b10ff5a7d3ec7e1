"""The tone of repainted skin is the body's own (neck, shoulders, arms), not the face's with hair taken for skin."""

from __future__ import annotations

import numpy as np

from fittingroom.warp_gen.dress import body_skin, skin_colour

H, W = 200, 160
BODY = (196, 140, 110)  # the shoulders' and arms' skin
FACE = (214, 168, 140)  # the lit face
BLOND = (236, 214, 160)  # fair hair the skin mask took for skin


def _shopper() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Face and hair in the head's disc (rows 0-60), bare arms at the sides below it; the chest between them is
    what is repainted."""
    image = np.zeros((H, W, 3), np.uint8)
    skin = np.zeros((H, W), bool)
    head = np.zeros((H, W), np.uint8)
    head[:60, 40:120] = 1
    image[:60, 40:120], skin[:60, 40:120] = FACE, True
    image[:60, 40:60], image[:60, 100:120] = BLOND, BLOND
    image[60:, :30], image[60:, 130:] = BODY, BODY
    skin[60:, :30], skin[60:, 130:] = True, True
    return image, skin, head


def test_the_body_skin_is_the_skin_outside_the_head_where_enough_shows() -> None:
    _, skin, head = _shopper()
    body = body_skin(skin, head)
    assert body.sum() == (skin & (head == 0)).sum()
    assert np.array_equal(body_skin(skin, None), skin)
    little = skin & (head > 0)
    little[100:102, 0:2] = True  # a speck of body skin: too little for a tone of its own
    assert np.array_equal(body_skin(little, head), little)


def test_a_repainted_chest_far_from_skin_takes_the_bodys_tone_not_the_face_and_hair() -> None:
    image, skin, head = _shopper()
    to_skin = np.zeros((H, W), bool)
    to_skin[60:, 30:130] = True  # the old garment's torso, bared
    with_head = skin_colour(image, skin, to_skin, head)[190, 80]
    without = skin_colour(image, skin, to_skin)[190, 80]
    assert np.abs(with_head - np.array(BODY)).max() < np.abs(without - np.array(BODY)).max()
    assert with_head[2] < without[2]  # less of the hair's and lit face's yellow-white
