"""What the dressed silhouette leaves of the old garment along its outline, to be covered by the new one.

The silhouette is the worn garment's mask grown to its outline, and that mask misses thin pieces: a cuff's
band above the hand, a crew neck's rib and its anti-aliased rim under the chin, a notch where the person mask
took a black cuff for shadow, a speck it encloses, the garment's side between it and an arm, the strip of
trousers between a longer new top and the hand resting beside it. Left, they showed as dark specks, notches
and lines round the new garment. A piece is covered when it is thin (between the silhouette and the skin or
backdrop beyond it) and its colour is what the silhouette covers next to it, or a blend of that and the skin
or backdrop beyond (an anti-aliased rim): hair, a hand's shaded edge and the backdrop stay. Pure numpy/OpenCV.
"""

from __future__ import annotations

import cv2
import numpy as np

from fittingroom.common.body import Pose, body_frame
from fittingroom.common.garment import Category

# Of the shoulder width: how thin a remnant is, from the silhouette to the skin or backdrop beyond it (a cuff's
# band, a crew neck's rib), and how wide a pocket between the silhouette and the skin of an arm or a hand.
REMNANT_REACH = 0.07
POCKET_REACH = 0.15
HANGING = 0.1  # of the shoulder width: past the worn outline by more, the silhouette hangs on past its hem
HOLE_SHARE = 0.02  # of the shoulder width squared: the largest hole of the silhouette, on the person, filled
# A remnant's colour is a blend of the covered colour and the bare one beyond with at least REMNANT_BLEND of the
# covered one, at most OVERSHOOT past it (away from the bare one), within OFF_BLEND (Lab) of the line between.
REMNANT_BLEND = 0.15
OVERSHOOT = 0.15
OFF_BLEND = 30.0
MIN_CONTRAST = 15.0  # Lab distance between the covered colour and the bare one below which nothing is a remnant
LOCAL_PX = 5  # the square both colours are averaged over (a washed or printed garment's pixels stray)
INSET_PX = 2  # the colour of what the silhouette covers is read this far inside it, past its anti-aliased edge
BARE_CLEARANCE_PX = 2  # ... and the skin's or backdrop's this far out of their own rim
# The person mask's level from which a pixel is on its edge (`rim_remnants`): a garment's anti-aliased edge
# against the backdrop lay at 0.3-1; the backdrop and a shadow cast on it, at 0.
EDGE_MASK = 0.25
# Lab (OpenCV's 8-bit scale): how much nearer a blend of one of the old garment's own colours a rim pixel is than a
# blend of any other colour of the person (`rim_remnants`). Neutral colours blend along one line, and the tie is
# the others' (a black bob's edge beside a grey top); a black band's grey rim lay 1 off the black's blend and 4.4
# off a dark skin shade's, whose chroma a blend with the backdrop fades.
OWN_MARGIN = 2.0


def _nearest(source: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows, cols): for each pixel (`ys`, `xs`), the nearest pixel of `source`."""
    # Labels number the zero pixels of the input (here: the source) in raster order, from 1.
    _, labels = cv2.distanceTransformWithLabels((~source).astype(np.uint8), cv2.DIST_L2, 5,
                                                labelType=cv2.DIST_LABEL_PIXEL)
    source_ys, source_xs = np.nonzero(source)
    index = labels[ys, xs] - 1
    return source_ys[index], source_xs[index]


def _below_hanging(inside: np.ndarray, hanging: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """bool N: whether each pixel lies below (steeper than 45 degrees down the photo) its nearest pixel of the
    silhouette `inside`, and that pixel is `hanging` (a longer new garment's hem over the other garment)."""
    nearest_ys, nearest_xs = _nearest(inside, ys, xs)
    return np.asarray((ys - nearest_ys > np.abs(xs - nearest_xs)) & hanging[nearest_ys, nearest_xs])


def cover_remnants(person: np.ndarray, silhouette: np.ndarray, worn: np.ndarray, person_mask: np.ndarray,
                   skin: np.ndarray, pose: Pose, category: Category) -> np.ndarray:
    """uint8 {0, 1}: `silhouette` with the thin remnants along its outline (module docstring) added.

    Below the hem of a new garment longer than the `worn` one is the other garment it hangs over, not a remnant
    (the shorts' band between a long top and the thighs). Trousers are left as they are: their hems are
    `silhouette.past_hems`'s, and below them the dark straps of a shoe took the colour of a dark hem."""
    inside = silhouette > 0
    if category is Category.LOWER or not inside.any():
        return inside.astype(np.uint8)
    shoulder_width = body_frame(pose).shoulder_width
    # All of it happens within reach of the silhouette: worked on its bounding box, grown by that reach and the
    # colours' reading distances (the same result, in less time).
    margin = int(np.ceil((POCKET_REACH + REMNANT_REACH) * shoulder_width)) + LOCAL_PX + BARE_CLEARANCE_PX + INSET_PX
    ys, xs = np.nonzero(inside)
    top, left = max(int(ys.min()) - margin, 0), max(int(xs.min()) - margin, 0)
    box = np.s_[top:int(ys.max()) + margin + 1, left:int(xs.max()) + margin + 1]
    out = inside.copy()
    out[box] = _covered(person[box], inside[box], worn[box] > 0, person_mask[box] > 0.5, skin[box] > 0,
                        shoulder_width)
    return out.astype(np.uint8)


def _covered(person: np.ndarray, inside: np.ndarray, worn: np.ndarray, on_person: np.ndarray, skin: np.ndarray,
             shoulder_width: float) -> np.ndarray:
    """bool HxW: `cover_remnants` on its bounding box (every mask a bool one)."""
    reach = max(2.0, REMNANT_REACH * shoulder_width)
    bare = ~on_person | skin
    if not bare.any():
        return inside
    to_inside = cv2.distanceTransform((~inside).astype(np.uint8), cv2.DIST_L2, 3)
    to_bare = cv2.distanceTransform((~bare).astype(np.uint8), cv2.DIST_L2, 3)
    to_skin = cv2.distanceTransform((~skin).astype(np.uint8), cv2.DIST_L2, 3)
    near = ~inside & ~skin & (to_inside <= reach)
    # Off the person too: where the old garment is as dark as its shadow, the person mask leaves out a notch of
    # it against the backdrop (a black cuff), and the silhouette follows the notch.
    thin = near & (~on_person | (to_inside + to_bare <= reach))
    # Between the silhouette and an arm a wider pocket: the garment's side behind the arm, or what a longer new
    # garment hangs over beside the hand.
    thin |= on_person & ~inside & ~skin & (to_inside + to_skin <= POCKET_REACH * shoulder_width)
    bare &= ~thin
    if not thin.any():
        return inside
    core = cv2.erode(inside.astype(np.uint8), np.ones((3, 3), np.uint8), iterations=INSET_PX) > 0
    clear = bare & (cv2.distanceTransform(bare.astype(np.uint8), cv2.DIST_L2, 3) > BARE_CLEARANCE_PX)
    if not core.any() or not clear.any():
        return inside
    lab = cv2.cvtColor(person, cv2.COLOR_RGB2LAB).astype(np.float32)
    ys, xs = np.nonzero(thin)
    local = cv2.blur(lab, (LOCAL_PX, LOCAL_PX))
    covered, beyond = local[_nearest(core, ys, xs)], local[_nearest(clear, ys, xs)]
    blend = _blended(lab[ys, xs], covered, beyond)
    # Past the worn outline by more than the rim the new garment adds round it (at a neckline, a shoulder).
    hanging = inside & (cv2.distanceTransform((~worn).astype(np.uint8), cv2.DIST_L2, 3) > HANGING * shoulder_width)
    chosen = blend & ~_below_hanging(inside, hanging, ys, xs)
    # Only what joins the silhouette: a speck in the old garment's colours across skin is something else.
    joined = _joining(inside, ys[chosen], xs[chosen])
    holes = _holes(inside | joined, skin | ~on_person, HOLE_SHARE * shoulder_width ** 2)
    return np.asarray(inside | joined | holes)


def _blended(pixels: np.ndarray, covered: np.ndarray, beyond: np.ndarray) -> np.ndarray:
    """bool N: whether each pixel's colour (Lab, N x 3) is its `covered` colour or a blend of it and the bare
    colour `beyond` it (REMNANT_BLEND, OVERSHOOT, OFF_BLEND), the two told apart (MIN_CONTRAST)."""
    share, off_blend, distinct = _blend(pixels, covered, beyond)
    return np.asarray((share > REMNANT_BLEND) & (share < 1 + OVERSHOOT) & (off_blend < OFF_BLEND) & distinct)


def _blend(pixels: np.ndarray, covered: np.ndarray, beyond: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Of each pixel's colour (Lab) as a blend of the `covered` colour and the bare one `beyond`: the covered
    colour's share, the distance off the line between the two, and whether the two are told apart."""
    # The share of the covered colour in a blend of it and the bare colour that the pixel is nearest to: its
    # anti-aliased rim on the skin is a remnant too (left, it drew a dashed dark line round a neckline).
    contrast = beyond - covered
    share = ((beyond - pixels) * contrast).sum(axis=-1) / np.maximum((contrast ** 2).sum(axis=-1), 1e-6)
    # Where the two are alike, nothing of the old garment shows, and the share is noise. A colour off the blend
    # or past the covered one (black hair beside a grey tee) is something else.
    distinct = (contrast ** 2).sum(axis=-1) > MIN_CONTRAST ** 2
    off_blend = np.linalg.norm(pixels - (beyond - share[..., None] * contrast), axis=-1)
    return share, off_blend, distinct


def _joining(inside: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """bool HxW: of the pixels (`ys`, `xs`), the pieces (8-connected) that touch `inside`."""
    remnant = np.zeros_like(inside)
    remnant[ys, xs] = True
    count, labels = cv2.connectedComponents(remnant.astype(np.uint8), connectivity=8)
    touching = (cv2.dilate(inside.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0) & remnant
    kept = np.unique(labels[touching])
    return np.isin(labels, kept[kept > 0]) if count > 1 else remnant


def rim_remnants(person: np.ndarray, repainted: np.ndarray, colours: np.ndarray, others: np.ndarray,
                 person_mask: np.ndarray, keep: np.ndarray, shoulder_width: float) -> np.ndarray:
    """bool HxW: the thin pieces of the old garment just past the warped path's repaint (`repainted`) toward the
    backdrop that its rim does not reach, to be repainted with it.

    The worn garment's outline can stop short of the garment's edge: at a white tape stripe along a black
    sleeve it stopped at the stripe, and the black band beyond it, on the person mask (0.3-1), was cleared only
    as far as the repaint's rim; its outer 1-3 px stood as a dark sliver in the backdrop beside a bared arm.
    Its nearest covered colour there is the stripe, not the band, so the silhouette's test (the colour next to
    it, `cover_remnants`) fails it: here a piece is the old garment's when its colour is one of the garment's
    own `colours` (Lab) or a blend of one with the backdrop beyond, nearer that blend (by OWN_MARGIN) than a blend
    of any of the person's `others` (skin, hair, other clothes; shaded, so darker too) with it, and it lies on or at
    the edge of the person mask (EDGE_MASK: a shadow on the backdrop is no garment), thin between the repaint and
    the backdrop, joined to the repaint, and not `keep` (the new garment, skin, what stays in front: a hand, the
    head, a bag)."""
    rim = repainted > 0
    backdrop = (person_mask <= 0.5) & ~rim
    if not rim.any() or not backdrop.any() or not len(colours):
        return np.zeros_like(rim)
    reach = max(2.0, REMNANT_REACH * shoulder_width)
    # All of it happens within reach of the repaint: worked on its bounding box grown by that reach and the
    # backdrop colour's reading distances (the same result, in less time).
    margin = int(np.ceil(reach)) + LOCAL_PX + BARE_CLEARANCE_PX
    rows, cols = np.nonzero(rim)
    top, left = max(int(rows.min()) - margin, 0), max(int(cols.min()) - margin, 0)
    box = np.s_[top:int(rows.max()) + margin + 1, left:int(cols.max()) + margin + 1]
    rim, backdrop, mask = rim[box], backdrop[box], person_mask[box]
    to_rim = cv2.distanceTransform((~rim).astype(np.uint8), cv2.DIST_L2, 3)
    to_backdrop = cv2.distanceTransform((~backdrop).astype(np.uint8), cv2.DIST_L2, 3)
    # At its edge: on it from EDGE_MASK, or beside its half (the last anti-aliased pixel, at 0.1-0.2).
    edge = (mask >= EDGE_MASK) | (cv2.dilate((mask > 0.5).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0)
    thin = ~rim & ~(keep[box] > 0) & edge & (to_rim + to_backdrop <= reach)
    clear = backdrop & (cv2.distanceTransform(backdrop.astype(np.uint8), cv2.DIST_L2, 3) > BARE_CLEARANCE_PX)
    found = np.zeros(person_mask.shape, bool)
    if not thin.any() or not clear.any():
        return found
    lab = cv2.cvtColor(person[box], cv2.COLOR_RGB2LAB).astype(np.float32)
    ys, xs = np.nonzero(thin)
    pixels = lab[ys, xs][:, None]
    beyond = cv2.blur(lab, (LOCAL_PX, LOCAL_PX))[_nearest(clear, ys, xs)][:, None]
    own = np.asarray(colours, np.float32)[None]
    off_own = np.where(_blended(pixels, own, beyond), _blend(pixels, own, beyond)[1], np.inf).min(axis=1)
    share, off_other, _ = _blend(pixels, np.asarray(others, np.float32).reshape(1, -1, 3), beyond)
    # However faint: a black bob's faint halo on the backdrop is a blend of 10 % of its black, or 20 % of a grey top.
    off_other = np.where(share > 0, off_other, np.inf).min(axis=1, initial=np.inf)
    chosen = off_own + OWN_MARGIN < off_other
    found[box] = _joining(rim, ys[chosen], xs[chosen])
    return found


def _holes(mask: np.ndarray, keep: np.ndarray, largest: float) -> np.ndarray:
    """bool HxW: what `mask` encloses (not reaching the frame), up to `largest` px a piece, with none of `keep`
    in it (a hand in front of the garment is skin, a gap between it and the body the backdrop)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats((~mask).astype(np.uint8), connectivity=4)
    if count < 2:
        return np.zeros_like(mask)
    height, width = mask.shape
    left, top = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    right, bottom = left + stats[:, cv2.CC_STAT_WIDTH], top + stats[:, cv2.CC_STAT_HEIGHT]
    hole = (left > 0) & (top > 0) & (right < width) & (bottom < height) & (stats[:, cv2.CC_STAT_AREA] <= largest)
    hole[np.unique(labels[keep])] = False
    hole[0] = False  # label 0: the mask itself
    return np.asarray(hole[labels])
