"""Cuts across the shopper's limbs in the person mask, bridged along the bones the pose sees.

The selfie model is unsure of a dark cuff or trouser band against a pale backdrop: its person mask can cut
an arm in two (a black cuff above the hand, 0.1-0.3 where the sleeve above and the hand below are 0.7-1). What
is missing there was left out of the worn garment, and stayed in the photo as a band across a repainted arm.
A limb does not stop and go on again along its bone: the mask is closed along each bone's direction, within a
band round the bone, over gaps up to LIMB_GAP long. Beside the limb nothing is bounded along the bone that
closely, so the backdrop stays out. A bite into a limb's side (a black sleeve's inner edge the model left out
on a shopper small in the frame) is bridged the same way when the photo shows it unlike the backdrop round the
limb: left out, it stayed as an old sleeve's dark speck beside the repainted arm. Pure numpy/OpenCV: tested on
synthetic masks and images without any model.
"""

from __future__ import annotations

import cv2
import numpy as np

from fittingroom.common import landmarks as lm
from fittingroom.common.body import Pose, body_frame

BONES = ((lm.LEFT_SHOULDER, lm.LEFT_ELBOW), (lm.LEFT_ELBOW, lm.LEFT_WRIST),
         (lm.RIGHT_SHOULDER, lm.RIGHT_ELBOW), (lm.RIGHT_ELBOW, lm.RIGHT_WRIST),
         (lm.LEFT_HIP, lm.LEFT_KNEE), (lm.LEFT_KNEE, lm.LEFT_ANKLE),
         (lm.RIGHT_HIP, lm.RIGHT_KNEE), (lm.RIGHT_KNEE, lm.RIGHT_ANKLE))
ROOTS = (lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER, lm.LEFT_HIP, lm.RIGHT_HIP)
LIMB_GAP = 0.3  # of the shoulder width: the longest cut along a bone that is bridged
LIMB_BAND = 0.15  # of the shoulder width, each side of the bone: an arm's half width and a little more
HALF = 0.5  # the person mask's threshold: what is person
BACKDROP = 0.1  # below this the person mask is sure of the backdrop: its colour round a limb is read there
# OpenCV 8-bit Lab distance from the backdrop's median round the limb past which a bite is the limb's own colour:
# well past a studio backdrop's shading (a blend rim one px wide is left out anyway).
BITE_CONTRAST = 40.0


def _line_kernel(direction: np.ndarray, length: int) -> np.ndarray:
    """uint8 square kernel holding a line of `length` px through its centre along the unit `direction`."""
    half = length // 2
    kernel = np.zeros((2 * half + 1, 2 * half + 1), np.uint8)
    end = direction * half
    cv2.line(kernel, tuple(np.round(half - end).astype(int)), tuple(np.round(half + end).astype(int)), 1, 1)
    return kernel


def _cut_across(closes: np.ndarray, on_bone: np.ndarray, limb: np.ndarray) -> np.ndarray:
    """bool: the pieces of `closes` (what the closing adds) that the bone line crosses and that part the `limb`
    (the mask near the bone) into pieces: a cut, not a wedge of backdrop the bone runs over beside a whole limb
    (a hand on the hip, the forearm's bone off its middle)."""
    _, pieces = cv2.connectedComponents(closes.astype(np.uint8), connectivity=8)
    _, sides = cv2.connectedComponents(limb.astype(np.uint8), connectivity=8)
    cut = np.zeros(closes.shape, bool)
    for piece in np.unique(pieces[on_bone & closes]):
        if piece == 0:
            continue
        inside = pieces == piece
        rim = (cv2.dilate(inside.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0) & limb
        if np.unique(sides[rim]).size >= 2:
            cut |= inside
    return cut


def _lab(colour: np.ndarray) -> np.ndarray:
    """float32 (3,): one RGB colour in OpenCV's 8-bit Lab."""
    pixel = np.clip(np.round(colour), 0, 255).astype(np.uint8).reshape(1, 1, 3)
    return cv2.cvtColor(pixel, cv2.COLOR_RGB2LAB).reshape(3).astype(np.float32)


def _open_backdrop(mask: np.ndarray) -> np.ndarray:
    """bool HxW: what is not person (`mask` below HALF) in one piece with the photo's border: the backdrop round
    the shopper, not a hole the person closes round."""
    _, pieces = cv2.connectedComponents((mask < HALF).astype(np.uint8), connectivity=8)
    border = np.unique(np.concatenate([pieces[0], pieces[-1], pieces[:, 0], pieces[:, -1]]))
    return np.isin(pieces, border[border > 0])


def _bites(closes: np.ndarray, image: np.ndarray, backdrop: np.ndarray, outside: np.ndarray) -> np.ndarray:
    """bool: the pieces of `closes` more than a px wide and open to the backdrop round the shopper (`outside`,
    `_open_backdrop`) whose mean colour (`image`, RGB) lies BITE_CONTRAST or more from the median of the
    `backdrop` (HxW bool, where the mask is sure of it): the limb's own colour, not the backdrop's in a wedge
    beside it, nor the soft rim closing lifts along its outline. A hole the person closes round (the shade
    between an arm and the body) stays: it is what parts the arm from the body (filled, 051482's forearm was
    repainted as skin over her trousers)."""
    bites = np.zeros(closes.shape, bool)
    wide = cv2.erode(closes.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0  # a rim a px wide erodes away
    if not wide.any() or not backdrop.any():
        return bites
    shade = _lab(np.median(image[backdrop], axis=0))
    _, pieces = cv2.connectedComponents(closes.astype(np.uint8), connectivity=8)
    for piece in np.unique(pieces[wide & outside]):  # each piece wider than a rim (none is the background, 0)
        inside = pieces == piece
        if np.linalg.norm(_lab(image[inside].mean(axis=0)) - shade) >= BITE_CONTRAST:
            bites |= inside
    return bites


def bridged_limbs(mask: np.ndarray, pose: Pose, image: np.ndarray) -> np.ndarray:
    """float32 HxW: the person probability `mask` with each cut across a seen limb filled from the limb on
    either side (a grey closing along the bone, so the limb's own soft edge carries across), and each bite into
    its side that the photo (`image`, RGB uint8) shows in the limb's colour, not the backdrop's (`_bites`)."""
    if not pose.sees(lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER):
        return mask
    width = body_frame(pose).shoulder_width
    gap, band = max(3, round(LIMB_GAP * width)), max(1, round(LIMB_BAND * width))
    height, cols = mask.shape[:2]
    bridged = mask.astype(np.float32, copy=True)
    outside = _open_backdrop(mask)
    for start, end in BONES:
        if not pose.sees(start, end):
            continue
        a, b = pose.point(start), pose.point(end)
        length = float(np.linalg.norm(b - a))
        if length < 1.0:
            continue
        direction = (b - a) / length
        # The band goes on past the far joint by half a gap (a cut at a cuff right above the hand), and past the
        # near one only at an elbow or knee: above a shoulder it would bridge hair to the shoulder.
        a, b = a - direction * gap / 2 * (start not in ROOTS), b + direction * gap / 2
        reach = band + gap
        x0, y0 = (max(0, int(np.floor(min(a[i], b[i]) - reach))) for i in (0, 1))
        x1 = min(cols, int(np.ceil(max(a[0], b[0]) + reach)) + 1)
        y1 = min(height, int(np.ceil(max(a[1], b[1]) + reach)) + 1)
        if x1 <= x0 or y1 <= y0:
            continue
        box = np.s_[y0:y1, x0:x1]
        ends = tuple(np.round(a - (x0, y0)).astype(int)), tuple(np.round(b - (x0, y0)).astype(int))
        on_bone = np.zeros((y1 - y0, x1 - x0), np.uint8)
        cv2.line(on_bone, *ends, 1, 1)
        seen = bridged[box] >= HALF
        whole = bool(seen[on_bone > 0].all())  # the bone runs on the person all the way: no cut (most limbs)
        near_bone = np.zeros_like(on_bone)
        cv2.line(near_bone, *ends, 1, 2 * band + 1)
        closed = cv2.morphologyEx(bridged[box], cv2.MORPH_CLOSE, _line_kernel(direction, gap),
                                  borderType=cv2.BORDER_REPLICATE)
        # Only a cut the bone crosses changes: closing also lifts a limb's soft edge here and there, a rim a px
        # wide along its outline (hundreds of px per photo, widening every arm).
        closes = (near_bone > 0) & ~seen & (closed >= HALF)
        filled = np.zeros(closes.shape, bool) if whole else _cut_across(closes, on_bone > 0, seen & (near_bone > 0))
        filled |= _bites(closes & ~filled, image[box], bridged[box] < BACKDROP, outside[box])
        bridged[box] = np.where(filled, closed, bridged[box])
    return bridged
