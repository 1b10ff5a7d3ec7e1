"""The old garment's thin remnants along the dressed silhouette: covered by the new garment, and nothing else."""

from __future__ import annotations

import numpy as np
from poses import frontal_pose

from fittingroom.common.garment import Category
from fittingroom.warp_gen.remnants import cover_remnants

H, W = 400, 300  # the synthetic shopper's canvas: shoulders 90 px apart (REMNANT_REACH: 6 px, POCKET_REACH: 13 px)
BACKDROP = (235, 235, 235)
SKIN = (200, 150, 120)
GARMENT = (20, 20, 20)


def _scene() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(photo, silhouette, person mask, skin): a black garment over rows 100-300, cols 100-200, the backdrop
    round it, a bare arm (skin) from column 210 to 230 beside it; the silhouette is the garment's."""
    photo = np.full((H, W, 3), BACKDROP, np.uint8)
    person = np.zeros((H, W), np.float32)
    skin = np.zeros((H, W), np.uint8)
    silhouette = np.zeros((H, W), np.uint8)
    photo[100:300, 100:200] = GARMENT
    person[100:300, 100:200] = 1.0
    silhouette[100:300, 100:200] = 1
    photo[100:300, 210:230] = SKIN
    person[100:300, 210:230] = 1.0
    skin[100:300, 210:230] = 1
    return photo, silhouette, person, skin


def _covered(photo: np.ndarray, silhouette: np.ndarray, person: np.ndarray, skin: np.ndarray,
             worn: np.ndarray | None = None, category: Category = Category.UPPER) -> np.ndarray:
    worn = silhouette if worn is None else worn
    return cover_remnants(photo, silhouette, worn, person, skin, frontal_pose(), category).astype(bool)


def test_a_band_of_the_old_garment_between_the_silhouette_and_the_skin_is_covered() -> None:
    photo, silhouette, person, skin = _scene()
    # The old garment goes on to the arm (its side behind it), the worn mask stopped short of it.
    photo[150:200, 200:210] = GARMENT
    person[150:200, 200:210] = 1.0
    covered = _covered(photo, silhouette, person, skin)
    assert covered[150:200, 200:210].all()
    assert not (covered & (skin > 0)).any()  # the arm stays in front
    assert np.array_equal(covered[:, :200], silhouette[:, :200] > 0)


def test_an_anti_aliased_rim_on_the_skin_is_covered_pure_skin_is_not() -> None:
    photo, silhouette, person, skin = _scene()
    # A neck above the garment, its collar's rim a blend of the garment and the skin.
    photo[60:100, 120:180] = SKIN
    person[60:100, 120:180] = 1.0
    skin[60:98, 120:180] = 1
    photo[98:100, 120:180] = (np.array(SKIN) * 0.6 + np.array(GARMENT) * 0.4).astype(np.uint8)
    covered = _covered(photo, silhouette, person, skin)
    assert covered[98:100, 120:180].all()
    assert not covered[60:98, 120:180].any()


def test_a_notch_the_person_mask_left_in_a_dark_cuff_is_covered_the_backdrop_is_not() -> None:
    photo, silhouette, person, skin = _scene()
    # A notch in the silhouette's side, off the person mask: dark (the old cuff) at one place, the backdrop at
    # another (a gap between the arm and the body).
    silhouette[150:165, 95:100] = 0
    silhouette[150:165, 100:104] = 0
    person[150:165, 100:104] = 0.0
    silhouette[250:265, 100:104] = 0
    person[250:265, 100:104] = 0.0
    photo[250:265, 100:104] = BACKDROP
    covered = _covered(photo, silhouette, person, skin)
    assert covered[150:165, 100:104].all()
    assert not covered[250:265, 100:104].any()


def test_hair_darker_than_the_garment_beside_it_stays() -> None:
    photo, silhouette, person, skin = _scene()
    photo[100:300, 100:200] = (128, 128, 128)  # a grey tee
    photo[100:300, 96:100] = (10, 8, 6)  # a strand of black hair hanging along its side
    person[100:300, 96:100] = 1.0
    covered = _covered(photo, silhouette, person, skin)
    assert not covered[:, 96:100].any()


def test_below_a_longer_new_hem_the_other_garment_stays() -> None:
    photo, silhouette, person, skin = _scene()
    # The old top ended at row 200; the new one hangs on to row 300, over shorts (the same dark colour in the
    # photo) that go on below it to row 305, then thighs.
    worn = silhouette.copy()
    worn[200:] = 0
    photo[300:305, 100:200] = GARMENT
    person[300:340, 100:200] = 1.0
    photo[305:340, 100:200] = SKIN
    skin[305:340, 100:200] = 1
    covered = _covered(photo, silhouette, person, skin, worn)
    assert not covered[300:305, 100:200].any()
    # Where the old garment itself reaches the hem (a cuff's band above the hand), the band is covered.
    assert _covered(photo, silhouette, person, skin)[300:305, 100:200].all()


def test_a_small_hole_in_the_silhouette_is_filled_a_hand_in_front_is_not() -> None:
    photo, silhouette, person, skin = _scene()
    silhouette[140:146, 140:146] = 0  # the worn mask missed a speck of the old garment
    photo[200:230, 130:160] = SKIN  # a hand in front of the garment
    skin[200:230, 130:160] = 1
    silhouette[200:230, 130:160] = 0
    covered = _covered(photo, silhouette, person, skin)
    assert covered[140:146, 140:146].all()
    assert not covered[200:230, 130:160].any()


def test_trousers_are_left_as_they_are() -> None:
    photo, silhouette, person, skin = _scene()
    photo[150:200, 200:210] = GARMENT
    person[150:200, 200:210] = 1.0
    covered = _covered(photo, silhouette, person, skin, category=Category.LOWER)
    assert np.array_equal(covered, silhouette > 0)


def test_the_same_inputs_give_the_same_mask() -> None:
    photo, silhouette, person, skin = _scene()
    photo[150:200, 200:210] = GARMENT
    person[150:200, 200:210] = 1.0
    assert np.array_equal(_covered(photo, silhouette, person, skin), _covered(photo, silhouette, person, skin))
