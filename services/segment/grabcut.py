"""GrabCut from a seed map, run small: both garment masks (worn on the person, laid flat in a product photo)
refine their priors with it."""

from __future__ import annotations

import cv2
import numpy as np

ITERATIONS = 3
GRABCUT_SEED = 0


def grabcut(image: np.ndarray, seeds: np.ndarray, *, max_side: int, smooth_edge: bool) -> np.ndarray | None:
    """bool HxW foreground from a full-size seed map (cv2.GC_* labels), solved at most `max_side` px a side
    (GrabCut is O(pixels)); None when the scaled seeds hold no sure sample of one side to learn a colour
    model from. `smooth_edge` scales the answer back through a linear alpha, so a sharp silhouette is not a
    staircase of scaled pixels; without it the nearest label is kept."""
    height, width = seeds.shape
    scale = min(1.0, max_side / max(height, width))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    labels = cv2.resize(seeds, size, interpolation=cv2.INTER_NEAREST)
    if not ((labels == cv2.GC_FGD).any() and (labels == cv2.GC_BGD).any()):
        return None
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    # GrabCut seeds its colour models by k-means from OpenCV's random state, which is per thread and moves on
    # with every call: without a fixed seed the same photo gets another mask by the worker thread it ran on.
    cv2.setRNGSeed(GRABCUT_SEED)
    cv2.grabCut(cv2.cvtColor(small, cv2.COLOR_RGB2BGR), labels, (0, 0, 0, 0), bgd, fgd, ITERATIONS,
                cv2.GC_INIT_WITH_MASK)
    found = np.isin(labels, (cv2.GC_FGD, cv2.GC_PR_FGD)).astype(np.uint8)
    if smooth_edge:
        return np.asarray(cv2.resize(found.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR) > 0.5)
    return np.asarray(cv2.resize(found, (width, height), interpolation=cv2.INTER_NEAREST) > 0)
