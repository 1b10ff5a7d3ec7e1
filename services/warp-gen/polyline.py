"""Polylines along the body's bones (shoulder, elbow, wrist; hip, knee, ankle): cut at a length, measured.
Pure numpy."""

from __future__ import annotations

import itertools

import numpy as np


def along(chain: list[np.ndarray], distance: float) -> tuple[list[np.ndarray], np.ndarray]:
    """The polyline cut `distance` along its length (the last segment extended if need be), and the unit
    tangent at the cut: the cut point is the returned polyline's last point."""
    kept = [chain[0]]
    for index, (a, b) in enumerate(itertools.pairwise(chain)):
        length = float(np.linalg.norm(b - a))
        tangent = (b - a) / max(length, 1e-6)
        if distance <= length or index == len(chain) - 2:
            return [*kept, a + tangent * distance], tangent
        kept.append(b)
        distance -= length
    return kept, np.array([0.0, 1.0])


def chain_length(chain: list[np.ndarray]) -> float:
    """The polyline's length."""
    return sum(float(np.linalg.norm(b - a)) for a, b in itertools.pairwise(chain))

