"""A sleeve laid on its own (`sleeve_fit`) on an arm wider than the sleeve's photo carried to the body, its bone off
the arm's middle: the end's corners and the elbow's edges go out to the arm's edges on the person mask (its skin
showed as a strip beside the sleeve), but not into the torso the mask runs on into. Synthetic sleeve and arm."""

from __future__ import annotations

import cv2
import numpy as np

from fittingroom.warp_gen.sleeves import sleeve_fit

# On its photo a straight sleeve 40 px wide hanging down: shoulder point, armpit, cuff (the wearer's left sleeve,
# whose shoulder point is on the photo's right, as worn on an arm whose top side is to the right).
SILHOUETTE = np.zeros((200, 200), np.uint8)
SILHOUETTE[20:181, 60:101] = 1
GARMENT = (np.array([100.0, 20.0]), np.array([60.0, 20.0]), np.array([80.0, 180.0]))
SCALE = 0.5  # the sleeve 20 px wide worn: 10 px to each side of the bone
LEAST = 10.0
REACH = 30.0
OUTWARD = np.array([1.0, 0.0])
SEAM = np.array([160.0, 45.0])
H, W = 300, 300


def _person(chain: list[np.ndarray], arm_half: int, bone_off: int, torso: bool = True) -> np.ndarray:
    """bool: an arm 2 * `arm_half` px wide round the `chain` moved `bone_off` px to the right (the bone off its
    middle), and the torso beside it on the left, running on into it along the upper arm."""
    mask = np.zeros((H, W), np.uint8)
    points = np.round(np.array(chain) + np.array([bone_off, 0])).astype(np.int32)
    cv2.polylines(mask, [points], False, 1, thickness=2 * arm_half + 1)
    if torso:
        mask[40:200, 60:150] = 1  # up to the bone along the upper arm
    return mask > 0


def test_a_hanging_sleeve_reaches_out_to_the_arms_edge_but_not_into_the_torso() -> None:
    chain = [np.array([150.0, 50.0]), np.array([150.0, 250.0])]
    laid = sleeve_fit(SILHOUETTE, GARMENT, SEAM, chain, OUTWARD, LEAST, SCALE, _person(chain, 18, 4), REACH)
    assert laid is not None
    _, placed = laid
    outer, inner = placed[1], placed[2]
    # The arm's edge is 4 + 18 = 22 px right of the bone: the sleeve's own 10 px left it bare.
    assert abs(outer[0] - 172) <= 1, outer
    # On the left at the end's level the arm's edge is 14 px from the bone: out to it.
    assert abs(inner[0] - 136) <= 1, inner
    # Along the upper arm the mask runs on into the torso: the underarm keeps the sleeve's own width.
    assert abs(placed[3][0] - 140) <= 1, placed[3]


def test_without_a_person_mask_or_past_the_reach_the_sleeve_keeps_its_own_width() -> None:
    chain = [np.array([150.0, 50.0]), np.array([150.0, 250.0])]
    for person in (None, _person(chain, 40, 0)):  # an arm 80 px wide: past REACH, the mask is something else
        laid = sleeve_fit(SILHOUETTE, GARMENT, SEAM, chain, OUTWARD, LEAST, SCALE, person, REACH)
        assert laid is not None
        assert abs(laid[1][1][0] - 160) <= 1 and abs(laid[1][2][0] - 140) <= 1, laid[1]


def test_round_a_bent_elbow_the_sleeves_edges_reach_the_arms() -> None:
    """The forearm turned 45 degrees towards the top side: the elbow's edges lie along the bisector of the two
    bones' normals, out to the arm's edges (the mitre alone, 1.08 of the sleeve's half width, left the arm bare)."""
    chain = [np.array([150.0, 50.0]), np.array([150.0, 150.0]), np.array([220.0, 220.0])]
    laid = sleeve_fit(SILHOUETTE, GARMENT, SEAM, chain, OUTWARD, LEAST, SCALE, _person(chain, 20, 0, torso=False),
                      REACH)
    assert laid is not None
    _, placed = laid
    bend = np.array([np.cos(np.pi / 8), -np.sin(np.pi / 8)])
    out = float((placed[4] - chain[1]) @ bend)
    back = float((chain[1] - placed[5]) @ bend)
    # Inside the bend the arm's edges (20.5 px from its bones) meet 20.5 / cos(22.5 degrees) = 22.2 px out; round
    # the outside, 20.5 px (measured from a px above the elbow: up to 1.5 px more).
    assert 21.5 <= out <= 24.5 and 19.5 <= back <= 22.5, (out, back)
