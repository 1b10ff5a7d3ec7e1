"""A long sleeve round an arm bent at the elbow (a hand on the hip) is warped in two parts, the upper arm's and
the forearm's, that meet at the elbow's mitre: each part of its photo lands on its own bone, and the crook between
them stays bare. Synthetic sleeve and pose, drawn here."""

from __future__ import annotations

import cv2
import numpy as np

from fittingroom.warp_gen.sleeves import SleeveFit, warp_sleeves

H, W = 200, 200
CUFF = 20
UPPER_COLOUR = (200, 40, 40)
FOREARM_COLOUR = (40, 40, 200)
# On its photo a straight sleeve hanging down, 40 px wide: shoulder point, end's outer and inner corners,
# underarm, then the elbow's outer and inner edge halfway down; its cuff reaches on CUFF px past the end's corners
# (`SLEEVE_END_SHARE`), flaring out to either side.
SOURCE = np.array([[60.0, 20.0], [60.0, 180.0], [100.0, 180.0], [100.0, 20.0], [60.0, 100.0], [100.0, 100.0]])
# Worn on an arm down from (80, 20) to the elbow at (80, 100), then the forearm across to (160, 100): the top
# edge round the outside of the bend, the edges meeting in a mitre (20 * sqrt 2 out along the bisector).
TARGET = np.array([[60.0, 20.0], [160.0, 120.0], [160.0, 80.0], [100.0, 20.0], [60.0, 120.0], [100.0, 80.0]])


def _laid() -> tuple[np.ndarray, np.ndarray]:
    mask = np.zeros((H, W), np.uint8)
    cv2.fillPoly(mask, [np.array([[60, 20], [60, 180], [50, 180 + CUFF], [110, 180 + CUFF], [100, 180], [100, 20]],
                                 np.int32)], 1)
    product = np.full((H, W, 3), 255, np.uint8)
    product[:100][mask[:100] > 0] = UPPER_COLOUR
    product[100:][mask[100:] > 0] = FOREARM_COLOUR
    image, alpha, _ = warp_sleeves(product, mask, (SleeveFit("left", SOURCE, TARGET),), np.zeros((H, W, 3), np.uint8),
                                   np.zeros((H, W), np.float32), np.zeros((H, W), bool))
    return image, alpha


def test_a_sleeve_round_a_bent_elbow_lays_each_part_on_its_own_bone() -> None:
    """The upper arm's part of the photo down the upper arm, the forearm's along the forearm to its end, and the
    outside of the elbow covered up to the mitre."""
    image, alpha = _laid()
    for x, y, colour in ((80, 50, UPPER_COLOUR), (80, 90, UPPER_COLOUR), (110, 100, FOREARM_COLOUR),
                         (150, 100, FOREARM_COLOUR), (150, 85, FOREARM_COLOUR), (150, 115, FOREARM_COLOUR)):
        assert alpha[y, x] > 0.99, (x, y)
        assert np.abs(image[y, x].astype(int) - colour).max() < 30, (x, y, image[y, x])
    assert alpha[115, 65] > 0.99  # the elbow's outer corner
    assert alpha[100, 160 + CUFF // 2] > 0.99  # the cuff goes on along the forearm past its end
    # Nothing swells out beside the upper arm or hangs below the forearm (one spline through all six points
    # bulged both out round the bend), and the crook between them stays bare.
    assert not (alpha[:, :58] > 0).any() and not (alpha[135:] > 0).any()
    assert not (alpha[30:75, 110:] > 0).any()

