"""The old garment's thin pieces just past the warped path's repaint, toward the backdrop: repainted with it when
they are the old garment's own colours (not the colour next to them), and nothing else (hair, a hand, a shadow)."""

from __future__ import annotations

import cv2
import numpy as np
from poses import frontal_pose

from fittingroom.tryon.classical import worn_rim
from fittingroom.warp_gen.remnants import rim_remnants

H, W = 400, 300  # shoulders 90 px apart (REMNANT_REACH: 6 px)
SHOULDERS = 90.0
BACKDROP = (235, 235, 235)
BLACK = (25, 25, 25)
STRIPE = (230, 230, 230)  # a white tape stripe along the old sleeve's edge
SKIN = (200, 150, 120)
HAIR = (120, 80, 50)
SHADOW = (150, 150, 150)


def _lab(*colours: tuple[int, int, int]) -> np.ndarray:
    return cv2.cvtColor(np.array([colours], np.uint8), cv2.COLOR_RGB2LAB)[0].astype(np.float32)


def _scene() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(photo, repaint, person mask, outline): a black sleeve over rows 100-300, cols 100-200, a white stripe
    along its left edge (cols 100-103) where the worn outline (and the repaint, its rim included) stops, the
    black band beyond it (cols 97-99, person mask 0.7) and its anti-aliased edge (col 96: grey, 0.35), the
    backdrop beyond."""
    photo = np.full((H, W, 3), BACKDROP, np.uint8)
    person = np.zeros((H, W), np.float32)
    photo[100:300, 97:200] = BLACK
    photo[100:300, 100:104] = STRIPE
    photo[100:300, 96] = (130, 130, 130)
    person[100:300, 100:200] = 1.0
    person[100:300, 97:100] = 0.7
    person[100:300, 96] = 0.35
    repaint = np.zeros((H, W), np.uint8)
    repaint[100:300, 100:200] = 1
    outline = repaint.copy()
    return photo, repaint, person, outline


def test_the_black_band_past_a_stripe_where_the_repaint_stops_is_repainted() -> None:
    photo, repaint, person, _ = _scene()
    found = rim_remnants(photo, repaint, _lab(BLACK), _lab(SKIN, HAIR), person, np.zeros((H, W), bool), SHOULDERS)
    assert found[110:290, 96:100].all()  # the band and its grey edge
    assert not found[:, :96].any() and not found[:, 100:].any()  # the backdrop, and nothing of the repaint


def test_hair_a_hand_and_a_shadow_beside_the_repaint_stay() -> None:
    photo, repaint, person, _ = _scene()
    photo[100:300, 96:100] = BACKDROP
    person[100:300, 96:100] = 0.0
    photo[120:160, 97:100] = HAIR  # a brown strand past the repaint
    person[120:160, 97:100] = 0.7
    photo[180:220, 97:100] = BLACK  # a black glove in front (kept)
    person[180:220, 97:100] = 1.0
    keep = np.zeros((H, W), bool)
    keep[180:220, 90:100] = True
    # A shadow cast on the backdrop, off the person mask (its pixel beside the mask's half would go: no colour
    # tells it from the garment's anti-aliased edge there).
    photo[240:280, 94:99] = SHADOW
    found = rim_remnants(photo, repaint, _lab(BLACK), _lab(SKIN, HAIR), person, keep, SHOULDERS)
    assert not found.any()


def test_a_black_strand_beside_a_black_garment_stays_when_the_person_has_black_hair() -> None:
    photo, repaint, person, _ = _scene()
    # The band's colours are hair's as much as the garment's: a tie is the hair's.
    found = rim_remnants(photo, repaint, _lab(BLACK), _lab(SKIN, BLACK), person, np.zeros((H, W), bool),
                         SHOULDERS)
    assert not found.any()


def test_a_dark_piece_not_joined_to_the_repaint_stays() -> None:
    photo, repaint, person, _ = _scene()
    photo[100:300, 96:100] = BACKDROP
    person[100:300, 96:100] = 0.0
    photo[150:170, 95:97] = BLACK  # 3 px off the repaint, backdrop between
    person[150:170, 95:97] = 0.7
    found = rim_remnants(photo, repaint, _lab(BLACK), _lab(SKIN, HAIR), person, np.zeros((H, W), bool), SHOULDERS)
    assert not found.any()


def test_worn_rim_tells_the_band_by_the_old_garments_own_colours() -> None:
    photo, repaint, person, outline = _scene()
    photo[300:400, 110:190] = (60, 80, 140)  # blue jeans below the top: the rest of the person
    person[300:400, 110:190] = 1.0
    photo[30:100, 130:170] = SKIN  # a face
    person[30:100, 130:170] = 1.0
    skin = np.zeros((H, W), np.uint8)
    skin[30:100, 130:170] = 1
    found = worn_rim(photo, repaint, outline, person, skin, np.zeros((H, W), bool), frontal_pose())
    assert found[110:290, 96:100].all()
    assert not found[:, :96].any() and not found[300:].any()
