"""A top's outline meets a lower garment along a smooth line: a print's spots in the top's colours below it are
the lower garment's, not bites of the top; the top's own hem hanging lower over a plain one is the top's
(synthetic shopper)."""

from __future__ import annotations

import cv2
import numpy as np
from poses import frontal_pose

from fittingroom.common.garment import Category
from fittingroom.segment.worn_garment import worn_outline

H, W = 400, 300
BACKDROP = 235
SKIN = (224, 172, 140)
TOP = (25, 25, 25)
SKIRT = (90, 140, 200)
HEM = 215  # the top's straight bottom edge, over a high-waisted skirt (hips at row 230, torso 120 px)
SPOTS = (122, 140, 160, 178)  # a leopard print's dark spots, in the top's black, right below the waistband


def _shopper(hem: np.ndarray, spots: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The photo, its person mask and the top's worn mask (as GrabCut leaves it: to its hem, `hem` per column)."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.circle(image, (150, 60), 35, SKIN, -1)
    cv2.rectangle(image, (105, HEM - 10), (195, 330), SKIRT, -1)
    if spots:
        for y in range(HEM + 22, 330, 16):  # the print all over the skirt
            for x in range(113, 195, 16):
                cv2.ellipse(image, (x + (y // 16 % 2) * 8, y), (5, 4), 0, 0, 360, TOP, -1)
    cv2.rectangle(image, (100, 100), (200, HEM), TOP, -1)
    xs = np.arange(W)
    image[(np.arange(H)[:, None] <= hem[None]) & (xs >= 100) & (xs <= 200)] = TOP
    if spots:
        for x in SPOTS:
            cv2.ellipse(image, (x, int(hem[x]) + 4), (5, 4), 0, 0, 360, TOP, -1)
    person = (np.abs(image.astype(int) - BACKDROP).sum(axis=2) > 0).astype(np.float32)
    worn = np.zeros((H, W), np.uint8)
    worn[100:HEM + 1, 100:201] = 1
    return image, person, worn


def _outline(image: np.ndarray, person: np.ndarray, worn: np.ndarray) -> np.ndarray:
    skin = np.all(image == SKIN, axis=2).astype(np.uint8)  # the face only (the skin test's, on this flat drawing)
    return worn_outline(image, worn, person, frontal_pose(), Category.UPPER, skin=skin)


def test_a_prints_spots_at_the_lower_garments_top_are_not_the_tops() -> None:
    image, person, worn = _shopper(np.full(W, HEM))
    outline = _outline(image, person, worn)
    for x in SPOTS:
        assert not outline[HEM + 4:HEM + 9, x - 2:x + 3].any()  # the spot stays the skirt's
    assert outline[HEM - 1, 105:196].all()  # the top down to its hem
    assert not outline[250:].any()


def test_a_hems_wide_curve_over_the_lower_garment_stays_the_tops() -> None:
    # A blouse's hem hanging 8 px lower over 40 px of the middle (wider than a print's spot) is the top's own.
    hem = np.full(W, HEM)
    hem[130:171] = HEM + 8
    image, person, worn = _shopper(hem)
    worn[HEM:HEM + 9, 130:171] = 1
    outline = _outline(image, person, worn)
    assert outline[HEM + 7, 132:169].all()


def test_a_hem_hanging_lower_over_a_plain_lower_garment_stays_the_tops() -> None:
    # 10 px of the hem 6 px lower, over a skirt with no print in the top's colour: the top's own, however narrow.
    hem = np.full(W, HEM)
    hem[145:155] = HEM + 6
    image, person, worn = _shopper(hem, spots=False)
    worn[HEM:HEM + 7, 145:155] = 1
    outline = _outline(image, person, worn)
    assert outline[HEM + 5, 146:154].all()
