"""The classical path gives the same image for the same photos, whatever ran before on the same thread."""

from __future__ import annotations

import cv2
import numpy as np

from fittingroom.segment.worn_garment import colour_clusters


def test_colour_clusters_do_not_depend_on_the_threads_random_state() -> None:
    rng = np.random.default_rng(3)
    pixels = np.concatenate([rng.normal(centre, 6.0, (400, 3)) for centre in (40.0, 120.0, 200.0)]).astype(np.float32)
    found = []
    for seed in (1, 99):  # what an earlier call on this pool thread left in OpenCV's generator
        cv2.setRNGSeed(seed)
        found.append(colour_clusters(pixels))
    np.testing.assert_array_equal(found[0][0], found[1][0])
    np.testing.assert_array_equal(found[0][1], found[1][1])
