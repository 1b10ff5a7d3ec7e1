"""A full-length photo's arm hanging against the body, a few px wide: it stays in front of a loose new top
(`occlusion.occluders`, `occlusion.hanging_arms`). Synthetic masks on the frontal pose, drawn here."""

from __future__ import annotations

import cv2
import numpy as np
from poses import frontal_pose

from fittingroom.segment.occlusion import occluders

H, W = 400, 300
TORSO = ((105, 110), (214, 330))  # reaching the wearer's left forearm: the arm hangs against the body


def _forearm_x(y: int) -> int:
    """The left forearm's bone, elbow (215, 175) to wrist (220, 235), at row `y`."""
    return round(215 + (y - 175) * 5 / 60)


def _shopper() -> tuple[np.ndarray, np.ndarray]:
    """The person mask and the skin test's answer: a 4 px forearm down the torso's side and a hand at its end. The
    person mask reaches 1 px past the skin on the arm's outer side (its anti-aliased edge fails the skin test)."""
    skin = np.zeros((H, W), np.uint8)
    person = np.zeros((H, W), np.float32)
    cv2.rectangle(person, *TORSO, 1.0, -1)
    for y in range(175, 236):
        x = _forearm_x(y)
        skin[y, x - 1:x + 3] = 1
        person[y, TORSO[1][0]:x + 4] = 1.0  # no backdrop between the arm and the body
    cv2.circle(skin, (221, 240), 7, 1, -1)
    cv2.circle(person, (221, 240), 8, 1.0, -1)
    return person, skin


def test_a_thin_arm_against_the_body_stays_in_front_out_to_its_edge() -> None:
    person, skin = _shopper()
    covered = np.zeros((H, W), np.uint8)
    cv2.rectangle(covered, *TORSO, 1, -1)
    body = np.array([(105, 110), (195, 110), (180, 230), (120, 230)], np.float64)
    front = occluders(np.zeros((H, W, 3), np.uint8), person, frontal_pose(), covered, body, skin)
    rows = range(185, 226)
    assert all(front[y, _forearm_x(y)] for y in rows)  # the forearm, not only the hand at its end
    assert all(front[y, _forearm_x(y) + 3] for y in rows)  # its outer edge, where no garment may peep out
    assert not front[200, 200:_forearm_x(200) - 2].any()  # the torso beside it stays the garment's
    assert front[240, 221]  # the hand
