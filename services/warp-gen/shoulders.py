"""A top's shoulders draped up to the body's outline. Pure numpy.

The fit places a garment's shoulder line straight from its neck to its seams, at the shoulders' mean height
(`body.shoulder_rise`); a shoulder is rounder and often higher on one side. Over a camisole or a tank top the
shopper's bare shoulder cap then stood above the new tee as a band of skin (it slid off the shoulder), over a
shirt the old shoulder's band was repainted as skin. Cloth lies on the shoulder: a thin gap between the
garment's top edge and the body's outline above it is garment, over an old camisole's strap across it too.

The body's outline is where the photo's colour turns from the body's to the backdrop's, not the person mask's:
beside hair falling to the shoulder the mask is raised by the hair's halo (blond hair blended with the backdrop),
2-4 px above the shoulder, and a shoulder draped up to it rose there in a tab into the backdrop.
"""

from __future__ import annotations

import itertools

import cv2
import numpy as np

from fittingroom.common.body import SHOULDER_REACH, Pose, body_frame
from fittingroom.warp_gen.neck_opening import front_over_inside

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
# Lab distance: the least between the body's colour and the backdrop's for the photo to tell them apart (below
# it, a white shirt on a white backdrop, the person mask's outline is taken as it is).
MIN_CONTRAST = 10.0
BACKDROP = 0.05  # the person mask's value below which a pixel is the backdrop's
HALO = 0.04  # of the shoulder width: how deep into the person mask a hair's halo over the backdrop reaches
# Lab distance (OpenCV's 8-bit scale) from the backdrop within which a pixel in that halo may be the backdrop's
# (a blond halo was 17-19 from it): skin or cloth farther out is the body even where a dark garment below it in
# the same column is farther still (a pale neck above a black collar).
HALO_DISTANCE = 25.0
# Lab distance (OpenCV's 8-bit scale) from the backdrop within which a pixel on the person mask is the backdrop
# itself: a plain studio backdrop varies by 1-3 across a shoulder's window, skin and cloth lie 15 and more from it
# (a blend of the two at the outline, half way). Beside a bob or long hair the mask fills the corner between the
# hair and the shoulder over the backdrop (05997: 20 px deep, mask 0.5-0.95, 1-3 from the backdrop).
BACKDROP_ALIKE = 6.0
# Rim widths: how far along the mask's outline the backdrop beside such a corner goes with it (at 2 a nub of the
# garment was left on the mask's soft edge where the corner ended).
ALONG_RIM = 4
# What a drape carries is the shoulder's own cloth, not another panel nor what lies hidden. The cloth's colour is
# the median (Lab, OpenCV's 8-bit scale) of the rows a drape mirrors up, over the columns between the neck and the
# shoulder joint on that side (the shoulder proper: a sleeve's panel lies beyond the joint, the neckline's rib is a
# few columns of it). Its pixels farther from it than CLOTH_DISTANCE are another panel (a rib collar, a sleeve's
# seam) where they are a share of it (PANEL_SHARE) and one colour (80 % of them within PANEL_SPREAD of their own
# median); there, and off the garment (the inside back, hidden), the drape takes the cloth's nearest colour. On the
# purple Vans tee the dark rib (137 from the lilac, 15-18 % of the shoulder's rows, 6-12 across) and the lilac
# inside the neckline below it, mirrored up the neck's sides, stood over the shoulder as dark and lilac streaks.
# Left as they are: a velvet's sheen or a dark tee's blend with the product photo's backdrop (50-65 from the cloth),
# a print's motifs (a floral's 26-50 across, a dress's 22-58: whitened, its flowers stood cut flat under a pale
# cap), specks (a label's, under 1 %).
CLOTH_DISTANCE = 80.0
PANEL_SHARE = 0.05
PANEL_SPREAD = 15.0
# Of the shoulder width: the widest run of columns left undraped between draped ones that is draped with them,
# its top interpolated between theirs (within the body's edge on the photo, `_outside`). Each column is decided
# on its own: a column whose gap a strand of hair, a pixel of the neck in front or the mask's soft edge stopped
# showed the old top between its draped neighbours as a thin dark stripe over the shoulder (01008, 05997, 00034:
# 1-4 columns, 3 % of the shoulder width), and one whose garment already reached the outline kept the top edge's
# own pixels (the Vans tee's dark rib) as a tick among the drape's cloth (051482). A neckline, hair lying on the
# shoulder, a strap's side are wider.
MAX_SKIP = 0.04
# The anti-aliased rim between the cloth and another panel goes with the panel (its blends, a third of the way to a
# dark rib, lie near the lilac and, mirrored up, dotted the drape dark).
PANEL_RIM_PX = 1


def _outside(photo: np.ndarray, person_mask: np.ndarray, rows: slice, columns: slice, halo_px: int) -> np.ndarray:
    """Within the window (`rows`, `columns`), what is not the body: off the person mask, and the mask's rim up to
    `halo_px` deep where the photo shows it near the backdrop's colour (the window's own, off the mask; within
    HALO_DISTANCE) and nearer to it than to the body just inside that rim in its column, where the two differ
    by MIN_CONTRAST."""
    mask = person_mask[rows, columns]
    outside = mask <= 0.5
    off = mask < BACKDROP
    if not off.any():
        return outside
    lab = cv2.cvtColor(np.ascontiguousarray(photo[rows, columns]), cv2.COLOR_RGB2LAB).astype(np.float32)
    backdrop = np.median(lab[off], axis=0)
    to_backdrop = np.linalg.norm(lab - backdrop, axis=2)
    # Per column the body's colour: 3 rows below the rim, under the outline's first row.
    columns_at = np.arange(mask.shape[1])
    inside = np.argmin(outside, axis=0)[None, :] + halo_px + np.arange(3)[:, None]
    body = np.median(lab[np.minimum(inside, len(lab) - 1), columns_at], axis=0)
    told = (np.linalg.norm(body - backdrop, axis=1) >= MIN_CONTRAST) & ~outside.all(axis=0)
    pale = (to_backdrop < HALO_DISTANCE) & (to_backdrop < np.linalg.norm(lab - body, axis=2)) & told
    cross = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))
    for _ in range(halo_px):  # in from the outline, through the backdrop's colour only
        outside |= (cv2.dilate(outside.astype(np.uint8), cross) > 0) & pale
    return outside


def _backdrop_beside(photo: np.ndarray, person_mask: np.ndarray, under: np.ndarray, rows: slice, columns: slice
                     ) -> np.ndarray:
    """Within the window (`rows`, `columns`), the pixels that show the backdrop (within BACKDROP_ALIKE of the
    window's own, off the person mask) in one piece with it where they reach deeper into the mask than its
    anti-aliased rim (OUTLINE_PX): a corner the mask fills, not the blend along its outline; with the backdrop's
    pixels round it, on the mask or off it, ALONG_RIM times the rim's width along it (a sliver of garment left on the
    mask's soft edge beside the corner stood out). Never `under` (skin or the old garment: a white shirt on a
    white backdrop is the shirt)."""
    mask = person_mask[rows, columns]
    off = mask < BACKDROP
    if not off.any():
        return np.zeros(mask.shape, bool)
    lab = cv2.cvtColor(np.ascontiguousarray(photo[rows, columns]), cv2.COLOR_RGB2LAB).astype(np.float32)
    to_backdrop = np.linalg.norm(lab - np.median(lab[off], axis=0), axis=2)
    alike = ((to_backdrop <= BACKDROP_ALIKE) | off) & ~under[rows, columns]
    _, pieces = cv2.connectedComponents(alike.astype(np.uint8), connectivity=4)
    backdrop = np.isin(pieces, np.unique(pieces[off & alike])) & alike
    on = mask > 0.5
    depth = cv2.distanceTransform(on.astype(np.uint8), cv2.DIST_L2, 3)
    found = (backdrop & on & (depth > OUTLINE_PX)).astype(np.uint8)
    cross = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))
    for _ in range(ALONG_RIM * OUTLINE_PX):
        found = cv2.dilate(found, cross) & backdrop.astype(np.uint8)
    return np.asarray(found > 0)


def _shoulder_cloth(image: np.ndarray, alpha: np.ndarray, band: np.ndarray, shoulder: np.ndarray) -> np.ndarray:
    """`image` with the pixels of `band` (the rows a drape mirrors up) that are not the cloth of the `shoulder`'s
    rows (off the garment, or another panel: CLOTH_DISTANCE, PANEL_SHARE, PANEL_SPREAD, with its rim PANEL_RIM_PX)
    in the colour of the nearest pixel of that cloth (`front_over_inside`)."""
    if not shoulder.any():
        return image
    ys, xs = np.nonzero(band)
    box = np.s_[int(ys.min()):int(ys.max()) + 1, int(xs.min()):int(xs.max()) + 1]
    lab = cv2.cvtColor(np.ascontiguousarray(image[box]), cv2.COLOR_RGB2LAB).astype(np.float32)
    cloth = np.median(lab[shoulder[box]], axis=0)
    far = np.linalg.norm(lab - cloth, axis=2) > CLOTH_DISTANCE
    panel = lab[shoulder[box] & far]
    if len(panel) < PANEL_SHARE * np.count_nonzero(shoulder) or np.percentile(
            np.linalg.norm(panel - np.median(panel, axis=0), axis=1), 80) > PANEL_SPREAD:
        far[:] = False  # specks, a print's motifs: the cloth's own
    near = np.zeros(alpha.shape, bool)
    near[box] = cv2.dilate(far.astype(np.uint8), np.ones((2 * PANEL_RIM_PX + 1,) * 2, np.uint8)) == 0
    other = band & ~(near & (alpha > 0.5))
    if not other.any():
        return image
    return front_over_inside(image, alpha * near, other)


def _body_edge(outside: np.ndarray, x: int, top: int, gap: int) -> int:
    """The row a drape from the garment's `top` up to `gap` in column `x` starts at. The photo's colour may end the
    body below the mask's outline (a hair's halo, `outside`): the drape ends there, with the pixel that blends the
    two (left as the photo has it, a pale shoulder's drew a beige line along the new one). Only lowered: taken for
    the outline, a pale skin's rim let gaps deeper than a shoulder's through, and their mirrored columns reached a
    dark sleeve below."""
    edge = top
    while edge > gap and not outside[edge - 1, x]:
        edge -= 1
    return max(gap, edge - 1)


def _filled(starts: np.ndarray, tops: np.ndarray, skip: int) -> list[tuple[int, int]]:
    """The draped columns (index, start row) of `starts` (-1: not draped), with each run of at most `skip` columns
    left undraped between two draped ones that has a garment (`tops` >= 0) draped too, from the row interpolated
    between its neighbours' starts (MAX_SKIP)."""
    draped = np.flatnonzero(starts >= 0)
    filled = starts.astype(np.float64)
    for a, b in itertools.pairwise(draped):
        if 1 < b - a <= skip + 1 and (tops[a + 1:b] >= 0).all():
            filled[a + 1:b] = np.interp(np.arange(a + 1, b), (a, b), (starts[a], starts[b]))
    rows = np.rint(filled).astype(int)
    return [(int(i), int(rows[i])) for i in np.flatnonzero(rows >= 0)]


def draped_shoulders(image: np.ndarray, alpha: np.ndarray, person_mask: np.ndarray, under: np.ndarray,
                     pose: Pose, photo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The warped garment (`image`, `alpha`) grown straight up over its shoulders to the person's outline where
    the gap between is thin (MAX_GAP) and wholly `under` it (skin or the old garment, nothing in front) but for
    a strap across it (STRAP_WIDTH), and no higher than the body's edge on the shopper's `photo` (`_outside`):
    the new pixels, and the garment's anti-aliased rim they cover (INSIDE_PX), take the garment's column below
    that rim, mirrored, in its shoulder's cloth (`_shoulder_cloth`). The garment is cleared where the mask shows
    the backdrop (`_backdrop_beside`)."""
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
    # From as far above the shoulders as a gap and its rim can reach.
    above = max(0, highest - round(deepest) - OUTLINE_PX - 1)
    window = slice(above, lowest + 1), slice(left, right + 1)
    shoulders = garment[highest:lowest + 1, left:right + 1]
    tops = np.where(shoulders.any(axis=0), highest - above + shoulders.argmax(axis=0), -1)
    outside = np.ones(alpha.shape[:2], bool)
    outside[window] = _outside(photo, person_mask, *window, max(1, round(HALO * width)))
    across = 2 * max(1, round(STRAP_WIDTH * width / 2)) + 1
    held = (under > 0) | garment
    closed = cv2.morphologyEx(held.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((1, across), np.uint8)) > 0
    passable = held | (closed & person)
    # The rows each column's drape may mirror up (under its rim, as deep as a gap and its rim reach), each side's
    # in the colour of its shoulder's cloth (`_shoulder_cloth`).
    reach = round(deepest) + OUTLINE_PX + INSIDE_PX
    rows = np.arange(height)[:, None]
    starts = np.where(tops >= 0, above + tops + INSIDE_PX, height)[None, :]
    band = np.zeros(alpha.shape[:2], bool)
    band[:, left:right + 1] = (rows >= starts) & (rows < starts + reach)
    middle = round(sum(j[0] for j in joints) / 2)
    texture = image
    for side, joint in ((slice(left, middle), min(j[0] for j in joints)),
                        (slice(middle, right + 1), max(j[0] for j in joints))):
        first, last = sorted((round(joint), middle))  # from the joint to the neck
        on_side = np.zeros_like(band)
        on_side[:, side] = band[:, side]
        shoulder = np.zeros_like(band)
        shoulder[:, first:last + 1] = on_side[:, first:last + 1] & garment[:, first:last + 1]
        texture = _shoulder_cloth(texture, alpha, on_side, shoulder)
    starts = np.full(len(tops), -1)  # per column, the row its drape starts at (-1: not draped)
    for x in range(left, right + 1):
        if tops[x - left] < 0:
            continue
        top = gap = above + int(tops[x - left])
        while gap > 0 and person[gap - 1, x] and passable[gap - 1, x] and top - gap < deepest:
            gap -= 1
        # Only a gap that ends on the outline, with the backdrop above it, is the shoulder's (the outline's
        # anti-aliased pixels, neither skin nor garment, go with it).
        rim = 0
        while gap - rim > 0 and person[gap - rim - 1, x] and rim < OUTLINE_PX:
            rim += 1
        if gap == top or (gap - rim > 0 and person[gap - rim - 1, x]):
            continue
        starts[x - left] = _body_edge(outside, x, top, gap - rim)
    for i, start in _filled(starts, tops, max(1, round(MAX_SKIP * width))):
        x, top = left + i, above + int(tops[i])
        gap = min(top, _body_edge(outside, x, top, start))
        # The garment's own rows below its rim, mirrored up: one colour copied up a column drew a printed shoulder
        # as streaks of its print; the rim left where it was drew a dotted line across the draped shoulder.
        inside = top + INSIDE_PX
        source = np.minimum(2 * inside - 1 - np.arange(gap, inside), height - 1)
        image[gap:inside, x] = texture[source, x]
        alpha[gap:top, x] = 1.0
    # Nor over the backdrop the mask takes in beside the hair: the fit's straight shoulder line, higher than a
    # sloping shoulder, stood there as a tab of the new garment (05997's bob, most tops).
    alpha[window][_backdrop_beside(photo, person_mask, under > 0, *window)] = 0.0
    return image, alpha
