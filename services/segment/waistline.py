"""Where the shopper's lower garment goes in under what is above it: its waistline.

A top worn over trousers hides their waistband; a crop top bares the midriff above it. Either way, the
line where the lower garment meets what is above it is the shopper's own rise, and a new lower garment
replaces the old one there: put on at the hip joints whatever the old one's rise, a pair of jeans bared
a high-waisted trouser's top (a strip of the old print below the top's hem, or a midriff repainted as a
flat block of skin down to the new jeans).

The line is found across the hips' middle, where neither a hand nor a held bag is likely, from colours:
what lies surely on the thighs is the lower garment's, what lies surely above the waist (a top, or skin)
is not. Each row across the hips, on the line's tilt (the hip joints'), scores how much of it looks like
the lower garment; the line is where the rows above look least like it and the rows below most. Where
the two sides share their colours (a white tee over white trousers), no line is found. Catalogue
shoppers stand upright. Pure numpy/OpenCV: tested on synthetic images.
"""

from __future__ import annotations

import cv2
import numpy as np

from fittingroom.common.body import HIP_BREADTH, Pose, body_frame
from fittingroom.segment.worn_garment import colour_clusters

# Of the torso, above the hip joints' line (negative: below): where the line is looked for, from a high
# waistband's to a low rise's.
HIGHEST = 0.45
LOWEST = -0.1
# Of the torso: the bands that surely show the lower garment (below the hip joints) and what is above it.
THIGHS = (0.2, 0.4)
ABOVE = (0.45, 0.65)
CORE_SPAN = 0.6  # of the hips' half breadth, each side of their middle: the columns read
MIN_SHARE = 0.1  # of a side's pixels: a colour that is the side's own, not a stray
MARGIN = 8.0  # Lab distance (OpenCV's 8-bit scale): a pixel this much nearer one side's colours is that side's
MIN_PIXELS = 50
MIN_ROW_PIXELS = 3
# How much more the rows below the line look like the lower garment than those above it, for a line (a print
# that has the top's white as one of three colours: 0.33).
MIN_CONTRAST = 0.25
# Of the torso: how far above where the colours change the new garment goes in (under the top's hem, or the
# skin's edge): the old one's anti-aliased top, a row or two, showed as a line above the new waistband.
TUCK = 0.015


def _bands(pose: Pose, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, float]:
    """Per pixel, its distance below the hip joints' line (px, along the body's down axis) and whether it lies
    in the hips' middle columns; and the torso's length."""
    frame = body_frame(pose)
    middle = (frame.left_hip + frame.right_hip) / 2
    half = HIP_BREADTH * float(np.linalg.norm(frame.left_hip - frame.right_hip)) / 2
    ys, xs = np.mgrid[:shape[0], :shape[1]].astype(np.float64)
    down = (xs - middle[0]) * frame.down[0] + (ys - middle[1]) * frame.down[1]
    across = (xs - middle[0]) * frame.across[0] + (ys - middle[1]) * frame.across[1]
    return down, np.abs(across) <= CORE_SPAN * half, frame.torso


def _colours(lab: np.ndarray) -> np.ndarray:
    """The side's own colours: its colour clusters holding at least MIN_SHARE of its pixels."""
    centres, shares = colour_clusters(lab)
    return np.asarray(centres[shares >= MIN_SHARE])


def waist_rise(image: np.ndarray, person: np.ndarray, pose: Pose) -> float | None:
    """How far above the hip joints' line (px along the body's up axis; negative: below) a new lower garment
    goes in: TUCK above where the old one meets what is above it; None where the photo does not tell (the hips
    out of frame, too few pixels, the same colours above and below)."""
    shape = image.shape[:2]
    down, core, torso = _bands(pose, shape)
    on = core & (person > 0.5)
    thighs = on & (down >= THIGHS[0] * torso) & (down <= THIGHS[1] * torso)
    above = on & (down <= -ABOVE[0] * torso) & (down >= -ABOVE[1] * torso)
    search = on & (down >= -HIGHEST * torso) & (down <= -LOWEST * torso)
    if min(thighs.sum(), above.sum(), search.sum()) < MIN_PIXELS:
        return None
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB).astype(np.float32)
    lower, upper = _colours(lab[thighs]), _colours(lab[above])
    pixels = lab[search]
    near_lower = np.linalg.norm(pixels[:, None] - lower[None], axis=-1).min(axis=1)
    near_upper = np.linalg.norm(pixels[:, None] - upper[None], axis=-1).min(axis=1)
    # 1: the lower garment's; 0: what is above it; a colour both sides have counts half.
    score = np.where(near_lower + MARGIN < near_upper, 1.0, np.where(near_upper + MARGIN < near_lower, 0.0, 0.5))
    rows = np.round(down[search]).astype(np.int64)
    first = int(rows.min())
    counts = np.bincount(rows - first)
    seen = counts >= MIN_ROW_PIXELS
    if seen.sum() < 2:
        return None
    profile = np.bincount(rows - first, weights=score)[seen] / counts[seen]
    offsets = np.nonzero(seen)[0] + first
    # The line below row i: rows above it should score 0, rows from it on 1; ties go to the lowest line (rows of a
    # colour both sides have say nothing, and the waistband lies below them).
    fit = np.concatenate([[0.0], np.cumsum(1 - profile)]) + np.concatenate([np.cumsum(profile[::-1])[::-1], [0.0]])
    best = int(np.flatnonzero(fit >= fit.max() - 1e-9)[-1])
    if best in (0, len(profile)):
        return None
    if profile[best:].mean() - profile[:best].mean() < MIN_CONTRAST:
        return None
    return TUCK * torso - float(offsets[best])


def above_waist(rise: float, pose: Pose, shape: tuple[int, int]) -> np.ndarray:
    """bool HxW: what lies above the waistline `rise` px above the hip joints' line (on its tilt)."""
    frame = body_frame(pose)
    middle = (frame.left_hip + frame.right_hip) / 2
    ys, xs = np.mgrid[:shape[0], :shape[1]]
    return np.asarray((xs - middle[0]) * frame.down[0] + (ys - middle[1]) * frame.down[1] < -rise)
