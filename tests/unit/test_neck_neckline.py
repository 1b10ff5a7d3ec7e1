"""The neck kept in front of a new collarless garment ends in a crew neckline's U (`neck_over_neckline`), on a
numpy-drawn shopper: no step where the neck's skin in front ended at an old collar's edge, the old collar brought in
front handed on to be repainted, and nothing changed where the new garment's top edge is lower than the neck's end."""

from __future__ import annotations

import numpy as np
from poses import frontal_pose

from fittingroom.segment.occlusion import neck_over_neckline

H, W = 400, 300  # frontal_pose: shoulder joints on row 110 at x 105 and 195 (90 px apart), the neck's base on row 113
NECK = (132, 168)  # the neck's skin in front, each side 2 px inside the neck's column (NECK_HALF_WIDTH: 19.8 px)
BASE = 112  # the last row of the neck in front down its axis


def _front() -> np.ndarray:
    """The neck's skin in front down to the neck's base, but on its right side, where an old collar's edge crosses
    it from row 100: the step that cut a new tee's rib."""
    front = np.zeros((H, W), np.uint8)
    front[40:BASE + 1, NECK[0]:NECK[1] + 1] = 1
    front[100:BASE + 1, 156:NECK[1] + 1] = 0
    return front


def _tee(top: int) -> np.ndarray:
    """A collarless garment warped onto the body, its top edge straight across on row `top`."""
    alpha = np.zeros((H, W), np.float32)
    alpha[top:300, 100:201] = 1.0
    return alpha


def _old_collar() -> np.ndarray:
    outline = np.zeros((H, W), np.uint8)
    outline[100:140, 156:200] = 1
    return outline


def test_the_neck_in_front_ends_in_a_u_from_the_garments_top_edge_beside_it_down_to_its_base() -> None:
    front, bared = neck_over_neckline(_front(), _tee(100), _old_collar(), frontal_pose())
    # The U's lower line, column by column across the neck.
    bottoms = [int(np.flatnonzero(front[:, x])[-1]) for x in range(NECK[0], NECK[1] + 1)]
    assert bottoms[18] == BASE  # down its axis, as deep as the neck was in front
    assert front[BASE - 2, 156:160].all()  # the old collar's step is gone: the neck in front across it
    # The line rises smoothly to each side: never lower farther out, no step of more than 2 px between columns.
    steps = np.diff(bottoms)
    assert (steps[:18] >= 0).all() and (steps[18:] <= 0).all() and np.abs(steps).max() <= 2
    assert bottoms[0] < BASE - 4 and bottoms[-1] < BASE - 4
    assert not front[BASE - 2, NECK[0]:NECK[0] + 3].any()  # near the neck's sides, below the U: the garment's
    # The old collar brought in front is handed on to be repainted (with its rim), nothing else.
    assert bared[BASE - 2, 157] and not bared[90, 150] and not bared[BASE - 2, 140]
    assert not (bared & (front == 0)).any()


def test_a_garment_whose_top_edge_lies_below_the_necks_end_changes_nothing() -> None:
    front, bared = neck_over_neckline(_front(), _tee(BASE + 3), _old_collar(), frontal_pose())
    assert np.array_equal(front, _front()) and not bared.any()


def test_what_is_in_front_outside_the_necks_column_stays() -> None:
    moved = _front()
    moved[120:200, 60:110] = 1  # an arm in front, far from the neck
    moved[105:112, 100:120] = 1  # a hand by the shoulder, beside the neck's column
    front, _ = neck_over_neckline(moved, _tee(100), _old_collar(), frontal_pose())
    assert front[120:200, 60:110].all() and front[105:112, 100:120].all()


def test_no_thin_spike_of_the_garment_stands_between_the_u_and_what_is_in_front_beside_it() -> None:
    """The head's disc in front beside the neck's column (x 125..129, the column's edge at x 130.2): the garment's
    px between it and the U was a thin dark spike up the neck's side."""
    moved = _front()
    moved[95:106, 125:130] = 1
    front, _ = neck_over_neckline(moved, _tee(90), _old_collar(), frontal_pose())
    assert front[96:103, 125:135].all()
