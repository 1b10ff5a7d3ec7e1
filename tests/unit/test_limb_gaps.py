"""Cuts across a limb in the person mask, bridged along the bone (`segment.limb_gaps`), on synthetic masks."""

from __future__ import annotations

import cv2
import numpy as np
from poses import FRONTAL, frontal_pose

from fittingroom.common import landmarks as lm
from fittingroom.segment.limb_gaps import bridged_limbs

H, W = 400, 300
ARM_WIDTH = 20  # px: the synthetic arms' and legs' width (shoulders are 90 px apart)


def _person() -> np.ndarray:
    """float32 person mask of the frontal shopper: a torso, and each limb a bar along its bones."""
    mask = np.zeros((H, W), np.uint8)
    torso = [FRONTAL[lm.LEFT_SHOULDER], FRONTAL[lm.LEFT_HIP], FRONTAL[lm.RIGHT_HIP], FRONTAL[lm.RIGHT_SHOULDER]]
    cv2.fillPoly(mask, [np.round(torso).astype(np.int32)], 1)
    for chain in ((lm.LEFT_SHOULDER, lm.LEFT_ELBOW, lm.LEFT_WRIST), (lm.RIGHT_SHOULDER, lm.RIGHT_ELBOW, lm.RIGHT_WRIST),
                  (lm.LEFT_HIP, lm.LEFT_KNEE, lm.LEFT_ANKLE), (lm.RIGHT_HIP, lm.RIGHT_KNEE, lm.RIGHT_ANKLE)):
        points = np.round([FRONTAL[i] for i in chain]).astype(np.int32)
        cv2.polylines(mask, [points], False, 1, ARM_WIDTH)
    return mask.astype(np.float32)


BACKDROP_RGB = (220, 220, 218)  # a pale studio backdrop
SLEEVE_RGB = (40, 35, 30)  # a black sleeve


def _photo(person: np.ndarray) -> np.ndarray:
    """uint8 RGB: the backdrop, with the shopper in a black top wherever `person` is."""
    photo = np.empty((H, W, 3), np.uint8)
    photo[:] = BACKDROP_RGB
    photo[person > 0] = SLEEVE_RGB
    return photo


def test_a_cut_across_a_forearm_is_bridged_and_nothing_else_changes() -> None:
    person = _person()
    cut = person.copy()
    cut[205:222, 60:110] = 0.0  # a dark cuff the selfie model left out, across the whole forearm
    bridged = bridged_limbs(cut, frontal_pose(), _photo(person))  # the photo shows the cuff the model left out
    elbow, wrist = np.array(FRONTAL[lm.RIGHT_ELBOW]), np.array(FRONTAL[lm.RIGHT_WRIST])
    for share in np.linspace(0.5, 0.75, 6):  # the bone through the cut: person again
        x, y = np.round(elbow + share * (wrist - elbow)).astype(int)
        assert bridged[y, x] >= 0.5
    # The arm's width carries across: at least most of the cut arm is back, none of the backdrop beside it.
    assert (bridged[205:222] >= 0.5).sum() >= 0.8 * (person[205:222, 60:110] > 0).sum()
    assert not (bridged[205:222] >= 0.5)[person[205:222] == 0].any()
    np.testing.assert_array_equal(bridged[:200], cut[:200])


def test_a_wedge_of_backdrop_beside_a_whole_arm_stays_out() -> None:
    # The forearm's bone runs along its inner edge (a hand on the hip): a notch of backdrop the bone crosses,
    # with the arm whole beside it, is not a cut.
    person = _person()
    person[185:215, 85:96] = 0.0  # the inner half of the right forearm, where the bone runs
    bridged = bridged_limbs(person, frontal_pose(), _photo(person))
    np.testing.assert_array_equal(bridged, person)


def test_above_a_shoulder_the_backdrop_stays_out() -> None:
    # Hair above a shoulder, the backdrop between them on the upper arm's line: the band round the bone stops
    # at the shoulder joint (the limb's root), so nothing bridges them.
    person = _person()
    person[80:92, 100:112] = 1.0  # a lock of hair, 8 px above the shoulder's outline
    bridged = bridged_limbs(person, frontal_pose({lm.RIGHT_ELBOW: (105, 175), lm.RIGHT_WRIST: (105, 235)}),
                            _photo(person))
    np.testing.assert_array_equal(bridged[:110], person[:110])


def test_no_shoulders_no_bridging() -> None:
    person = _person()
    person[205:222, 60:110] = 0.0
    np.testing.assert_array_equal(bridged_limbs(person, frontal_pose(visibility=0.1), _photo(person)), person)


def test_a_bite_into_a_forearm_that_shows_the_sleeve_is_bridged() -> None:
    # The model left out the inner edge of a black sleeve (the bone, at x ~83, stays on the person): the photo
    # shows the sleeve there, so the bite is the arm's.
    person = _person()
    photo = _photo(person)
    bitten = person.copy()
    bitten[195:215, 89:96] = 0.0
    bridged = bridged_limbs(bitten, frontal_pose(), photo)
    assert (bridged >= 0.5)[195:215, 89:96][person[195:215, 89:96] > 0].mean() >= 0.95  # the slanted edge: a px short
    assert not (bridged >= 0.5)[person == 0].any()  # nothing beside the arm


def test_a_bite_that_shows_the_backdrop_stays_out() -> None:
    # The same bite where the photo shows the backdrop (the arm really is narrower there): not the limb's colour.
    person = _person()
    bitten = person.copy()
    bitten[195:215, 89:96] = 0.0
    np.testing.assert_array_equal(bridged_limbs(bitten, frontal_pose(), _photo(bitten)), bitten)


def test_with_the_photo_a_whole_mask_is_returned_unchanged() -> None:
    person = _person()
    np.testing.assert_array_equal(bridged_limbs(person, frontal_pose(), _photo(person)), person)


def test_a_hole_inside_the_person_stays_a_hole() -> None:
    # Shade the mask left out inside the forearm, closed round by it (the crease between an arm and the body):
    # not open to the backdrop round the shopper, so not a bite, however dark (it parts the arm from the body).
    person = _person()
    holed = person.copy()
    holed[195:215, 86:90] = 0.0
    np.testing.assert_array_equal(bridged_limbs(holed, frontal_pose(), _photo(person)), holed)
