"""A sleeve laid on its own reaches past its outline's end corners (its cuff lies beyond them; a hem slanted on its
photo hangs lower on one side): the arm under that part is behind it, not cut through it. Synthetic masks."""

from __future__ import annotations

import cv2
import numpy as np

from fittingroom.warp_gen.sleeves import SleeveFit, sleeved_arms, warp_sleeves

H, W = 240, 200
TEE = (20, 25, 60)
# A sleeve hanging down the image's left: shoulder point, end's outer and inner corners, underarm.
QUAD = np.array([[100.0, 100.0], [90.0, 160.0], [130.0, 160.0], [130.0, 120.0]])
FLAP = (110, 172)  # (x, y): below the end's corners, inside the slanted hem


def _laid_sleeve() -> tuple[SleeveFit, np.ndarray]:
    """The sleeve laid where it lies on its photo (the same points on both), its hem slanting down to the underside:
    and where it lies (`warp_sleeves`' third answer)."""
    mask = np.zeros((H, W), np.uint8)
    cv2.fillPoly(mask, [np.array([[100, 100], [90, 165], [129, 180], [130, 120]], np.int32)], 1)
    product = np.full((H, W, 3), 255, np.uint8)
    product[mask > 0] = TEE
    sleeve = SleeveFit("right", QUAD, QUAD)
    _, alpha, laid = warp_sleeves(product, mask, (sleeve,), np.zeros((H, W, 3), np.uint8),
                                  np.zeros((H, W), np.float32), np.zeros(mask.shape[:2], bool))
    assert alpha[FLAP[1], FLAP[0]] > 0.5  # the slanted hem's lower part is laid too
    return sleeve, laid


def test_the_arm_under_a_sleeves_hem_past_its_corners_is_behind_the_sleeve() -> None:
    sleeve, laid = _laid_sleeve()
    assert laid[FLAP[1], FLAP[0]] == 1
    assert sleeved_arms((sleeve,), (H, W), np.zeros((H, W), np.uint8))[FLAP[1], FLAP[0]] == 0  # the outline alone:
    # it ends at the corners
    assert sleeved_arms((sleeve,), (H, W), laid)[FLAP[1], FLAP[0]] == 1


def test_where_no_sleeve_lies_and_above_the_underarm_the_arm_is_not_taken() -> None:
    """Below the hem the arm stays in front; above the underarm the shoulder's skin is told from hair as before,
    sleeve or not."""
    sleeve, laid = _laid_sleeve()
    arms = sleeved_arms((sleeve,), (H, W), laid)
    assert laid[110, 102] == 1 and arms[110, 102] == 0  # inside the sleeve, above its underarm
    assert not arms[190:].any()  # past the hem's lowest point
    assert not arms[:, 140:].any()  # beside it, over the body


def test_past_a_long_sleeves_cuff_the_hand_stays_in_front() -> None:
    """A long sleeve (laid through the elbow) ends at the wrist: its flared cuff, laid on past the cuff line, does
    not take the hand there; between its end's corners and its cuff the arm is behind it."""
    target = np.array([[100.0, 100.0], [95.0, 200.0], [125.0, 200.0], [128.0, 120.0], [88.0, 150.0], [122.0, 150.0]])
    mask = np.zeros((H, W), np.uint8)
    cv2.fillPoly(mask, [np.array([[100, 100], [88, 150], [85, 230], [135, 230], [122, 150], [128, 120]], np.int32)], 1)
    product = np.full((H, W, 3), 255, np.uint8)
    sleeve = SleeveFit("right", target, target)
    _, _, laid = warp_sleeves(product, mask, (sleeve,), np.zeros((H, W, 3), np.uint8), np.zeros((H, W), np.float32),
                                  np.zeros(mask.shape[:2], bool))
    arms = sleeved_arms((sleeve,), (H, W), laid)
    assert laid[222, 110] == 1 and arms[222, 110] == 0  # the flare past the cuff (y 211): the hand
    assert arms[206, 110] == 1  # past the end's corners, short of the cuff
