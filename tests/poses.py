"""The synthetic shopper of the image tests: BlazePose landmarks of a person facing the camera.

On a canvas 300 px wide and 400 px high: nose at (150, 60), shoulders 90 px apart at row 110, hips at row
230, ankles at 385. Tests move the landmarks their case is about (`frontal_pose({lm.RIGHT_WRIST: (160, 200)})`);
the landmarks FRONTAL leaves out (eyes, hands, feet) stay at (0, 0).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from fittingroom.common import landmarks as lm
from fittingroom.common.body import Pose

FRONTAL: Mapping[int, tuple[float, float]] = {
    lm.NOSE: (150, 60),
    lm.LEFT_SHOULDER: (195, 110), lm.RIGHT_SHOULDER: (105, 110),
    lm.LEFT_ELBOW: (215, 175), lm.RIGHT_ELBOW: (85, 175),
    lm.LEFT_WRIST: (220, 235), lm.RIGHT_WRIST: (80, 235),
    lm.LEFT_HIP: (180, 230), lm.RIGHT_HIP: (120, 230),
    lm.LEFT_KNEE: (178, 310), lm.RIGHT_KNEE: (122, 310),
    lm.LEFT_ANKLE: (176, 385), lm.RIGHT_ANKLE: (124, 385),
}


def frontal_pose(moved: Mapping[int, tuple[float, float]] | None = None, *, visibility: float = 0.99) -> Pose:
    """FRONTAL with the landmarks in `moved` placed elsewhere, every landmark at `visibility`."""
    points = np.zeros((33, 2), np.float32)
    for index, point in {**FRONTAL, **(moved or {})}.items():
        points[index] = point
    return Pose(points, np.full(33, visibility, np.float32), 0.99)
