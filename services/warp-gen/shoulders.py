"""A top's shoulders draped up to the body's outline. Pure numpy.

The fit places a garment's shoulder line straight from its neck to its seams, at the shoulders' mean height
(`body.shoulder_rise`); a shoulder is rounder and often higher on one side. Over a camisole or a tank top the
shopper's bare shoulder cap then stood above the new tee as a band of skin (it slid off the shoulder), over a
shirt the old shoulder's band was repainted as skin. Cloth lies on the shoulder: a thin gap between the
garment's top edge and the body's outline above it is garment, over an old camisole's strap across it too.
"""

from __future__ import annotations

import cv2
import numpy as np

from fittingroom.common.body import SHOULDER_REACH, Pose, body_frame

# Of the shoulder width: the deepest gap closed (a gap deeper than this is a neckline, a strap's side, or hair).
MAX_GAP = 0.1
# Below the shoulder joints' line, how far down (of the shoulder width) a garment's top edge is still its shoulder.
SHOULDER_DROP = 0.15
SIDE_REACH = 0.3  # of the shoulder width: how far beyond each joint the shoulder's columns go
OUTLINE_PX = 3  # the person outline's anti-aliased rim: neither skin nor garment by colour
INSIDE_PX = 2  # the garment's colour is taken this far inside its top edge (under the anti-aliased rim)
# Of the shoulder width: the widest run across a row of what is neither skin nor the old garment, with skin or
# garment on both sides, that the gap crosses: an old camisole's strap the worn garment's mask left out, with
# its anti-aliased rims (stopped there, the new shoulder ended below the strap, which stood above it, and beside
# it rose a tab of the new garment). Hair lying on a shoulder reaches its outline or the head: no such run.
STRAP_WIDTH = 0.06


def draped_shoulders(image: np.ndarray, alpha: np.ndarray, person_mask: np.ndarray, under: np.ndarray,
                     pose: Pose) -> tuple[np.ndarray, np.ndarray]:
    """The warped garment (`image`, `alpha`) grown straight up over its shoulders to the person's outline where
    the gap between is thin (MAX_GAP) and wholly `under` it (skin or the old garment, nothing in front) but for
    a strap across it (STRAP_WIDTH): the new pixels take the garment's column below its top edge (under its
    rim, INSIDE_PX), mirrored."""
    frame = body_frame(pose)
    width = frame.shoulder_width
    height, columns = alpha.shape[:2]
    joints = (frame.left_shoulder, frame.right_shoulder)
    left = max(0, round(min(j[0] for j in joints) - SIDE_REACH * width))
    right = min(columns - 1, round(max(j[0] for j in joints) + SIDE_REACH * width))
    lowest = round(max(j[1] for j in joints) + SHOULDER_DROP * width)
    highest = max(0, round(min(j[1] for j in joints) - SHOULDER_REACH * width))
    deepest = MAX_GAP * width
    image, alpha = image.copy(), alpha.copy()
    garment = alpha > 0.5
    person = person_mask > 0.5
    across = 2 * max(1, round(STRAP_WIDTH * width / 2)) + 1
    held = (under > 0) | garment
    closed = cv2.morphologyEx(held.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((1, across), np.uint8)) > 0
    passable = held | (closed & person)
    for x in range(left, right + 1):
        rows = np.flatnonzero(garment[highest:lowest + 1, x])
        if rows.size == 0:
            continue
        top = highest + int(rows[0])
        gap = top
        while gap > 0 and person[gap - 1, x] and passable[gap - 1, x] and top - gap < deepest:
            gap -= 1
        # Only a gap that ends on the outline, with the backdrop above it, is the shoulder's (the outline's
        # anti-aliased pixels, neither skin nor garment, go with it).
        rim = 0
        while gap - rim > 0 and person[gap - rim - 1, x] and rim < OUTLINE_PX:
            rim += 1
        if gap == top or (gap - rim > 0 and person[gap - rim - 1, x]):
            continue
        gap -= rim
        # The garment's own rows below its top edge, mirrored up: one colour copied up a column drew a printed
        # shoulder as streaks of its print.
        source = np.minimum(top + INSIDE_PX - 1 + np.arange(top - gap, 0, -1), height - 1)
        image[gap:top, x] = image[source, x]
        alpha[gap:top, x] = 1.0
    return image, alpha
