"""The worn garment's outline takes a long sleeve down to its cuff beside the thighs (synthetic shopper)."""

from __future__ import annotations

import cv2
import numpy as np
from poses import frontal_pose

from fittingroom.common import landmarks as lm
from fittingroom.common.garment import Category
from fittingroom.segment.worn_garment import worn_outline

H, W = 400, 300
SKIN = (224, 172, 140)
SHIRT = (30, 30, 30)
SKIRT = (200, 160, 60)
WRISTS = {lm.LEFT_WRIST: (222, 280), lm.RIGHT_WRIST: (78, 280)}


def test_a_long_sleeves_cuff_beside_the_thighs_is_the_tops() -> None:
    pose = frontal_pose(WRISTS)  # hips at row 230: the lower garment's zone starts some 18 px below
    image = np.full((H, W, 3), 235, np.uint8)
    cv2.circle(image, (150, 60), 35, SKIN, -1)
    cv2.rectangle(image, (110, 230), (190, 330), SKIRT, -1)
    cv2.rectangle(image, (100, 100), (200, 240), SHIRT, -1)
    for shoulder, elbow, (x, y) in (((195, 110), (215, 175), WRISTS[lm.LEFT_WRIST]),
                                    ((105, 110), (85, 175), WRISTS[lm.RIGHT_WRIST])):
        cv2.circle(image, (x, y + 14), 9, SKIN, -1)  # the hand below the cuff
        cv2.line(image, shoulder, elbow, SHIRT, 22)
        cv2.line(image, elbow, (x, y + 4), SHIRT, 22)  # the sleeve, its cuff round the wrist joint
    person = (np.abs(image.astype(int) - 235).sum(axis=2) > 0).astype(np.float32)
    worn = np.all(image == SHIRT, axis=2).astype(np.uint8)
    worn[246:] = 0  # as GrabCut left it: out of the lower garment's zone
    outline = worn_outline(image, worn, person, pose, Category.UPPER)
    for x, y in WRISTS.values():
        assert outline[y - 2, x] and outline[y + 2, x]  # the cuff
        assert not outline[y + 16, x]  # not the hand
    assert not outline[300, 150]  # nor the skirt
