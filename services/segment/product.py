"""Mask of the garment in a catalog product photo (garment laid flat on a plain, light background).

The salient-object model (U2NetP) sees the garment as the photo's subject but its 320 px output is soft
at the edge; the plain background is known from the photo's border. GrabCut, seeded from both, gives a
sharp edge and recovers what either misses alone (a white shirt on white, a shadow the model takes in).
On a flat, light background (a studio cut-out) a white garment can still fool both: the model picks out its
print alone, and the shirt itself is within JPEG noise of the tolerance that keeps shadows out. There the
background, flooded from the border through its own exact colour, outlines the garment instead.
Pure numpy/OpenCV: tested on synthetic photos without any model.
"""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

from fittingroom.common.errors import InvalidInput
from fittingroom.common.images import rounded_outline
from fittingroom.segment.grabcut import grabcut

BORDER_FRACTION = 0.02  # the outer 2% of each side is background in a product shot
# Lab distance from the background colour below which a pixel may be background: above JPEG noise and
# the soft drop shadow a product shot casts, below the contrast of any garment that is not background-coloured.
BACKGROUND_TOLERANCE = 14.0
SALIENT_GARMENT = 0.5
SALIENT_BACKGROUND = 0.1
GRABCUT_MAX_SIDE = 320  # GrabCut is O(pixels); seeds and result are scaled, the edge stays sharp enough
MIN_COMPONENT_SHARE = 0.05  # pieces smaller than this share of the largest are specks, tags or dust
MIN_GARMENT_SHARE = 0.01  # of the photo's area
# A flat background: the border's 99th-percentile Lab distance from its median (a cut-out's is 0, a lit studio
# sweep's several units). Light: CIE L. The flood then passes what lies within FLOOD_TOLERANCE of that
# spread (an off-white shirt on 246-grey is 1 unit off).
FLAT_BACKGROUND = 2.0
LIGHT_BACKGROUND = 80.0
FLOOD_TOLERANCE = 0.5
# The flood's garment replaces the mask only when the mask covers less than this share of it: a print
# found without its shirt. A drop shadow or JPEG ringing that the flood keeps adds far less.
IMPLAUSIBLY_SMALL = 0.6
NO_TEXTURE = 0.05  # CIE L standard deviation over 5x5: none at all, a synthetic background's flat fill
PATCH_SHARE = 0.01  # of the photo: an untextured patch this large is background, not a flat spot of cloth
EDGE_SMOOTHING = 0.008  # of the shorter side: the flood's edge (as ragged as the noise it stops at) and GrabCut's
# The backdrop seen through a strap's loop (a camisole's strap runs up and back down on its photo): a piece of
# the backdrop's very colour (median Lab distance, within JPEG noise; a print's white or grey is farther) lying
# mostly (its median) within LOOP_DEPTH of the shorter side of the outline (a white print lies deeper in a white
# garment). On the development photos: loops 2.6-4.2 and 11-12 px deep at 384 px; prints near an edge 5.4 or more.
LOOP_BACKDROP = 5.0
LOOP_DEPTH = 0.04
# The backdrop in the tip of a notch the mask closed over: `clean_mask`'s closing and the smoothed edge fill the
# last px of a slit, and the armpit's slit between a sleeve and the garment's side ends in one. A sleeve laid down
# the arm on its own carried it as a pale speck at the armpit (a pale lavender one on a dark purple sleeve, a white
# 'H' on a navy one). A piece of the backdrop's very colour (LOOP_BACKDROP) on the outline, none of it deeper than
# NOTCH_DEPTH of the shorter side (a white garment's own white on a light backdrop lies far deeper; a thin white
# trim does not, and the caller tells the two apart by where they lie). On the development photos: 3-11 px pieces,
# 1.9-4.8 px deep at 384 px, 0.8-3.2 Lab from the backdrop.
NOTCH_DEPTH = 0.02
# ... or deeper, when the piece is a sliver no thicker than NOTCH_WIDTH of the shorter side across (its widest
# inscribed circle's diameter) in a garment unlike the backdrop (the median Lab distance of its pixels over
# SLIVER_CONTRAST): a long sleeve laid close beside the body leaves a slit a few
# px wide whose closed-over tip ran 16 px deep (a drawn long-sleeved tee at 384 px, 5 px across), and a white speck
# stayed on the torso. A white garment's own white is in slivers too, between its print and the outline: taken for
# the backdrop, it took the print's colours, mirrored.
NOTCH_WIDTH = 0.016
SLIVER_CONTRAST = 2 * BACKGROUND_TOLERANCE


def _border(shape: tuple[int, int]) -> np.ndarray:
    height, width = shape
    side = max(1, round(BORDER_FRACTION * min(height, width)))
    border = np.zeros(shape, bool)
    border[:side], border[-side:], border[:, :side], border[:, -side:] = True, True, True, True
    return border


def background_distance(image: np.ndarray) -> tuple[np.ndarray, float]:
    """float32 HxW: Lab distance of each pixel from the background colour (median of the border); and that
    colour's CIE lightness."""
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB).astype(np.float32)
    lab[..., 0] *= 100.0 / 255.0  # OpenCV's 8-bit L is 0..255; back to CIE units so a and b weigh right
    reference = np.median(lab[_border(image.shape[:2])], axis=0)
    return np.asarray(np.linalg.norm(lab - reference, axis=2), np.float32), float(reference[0])


def _local_spread(image: np.ndarray) -> np.ndarray:
    """float32 HxW: standard deviation of CIE L over each pixel's 5x5 neighbourhood (fabric's texture)."""
    lightness = cv2.cvtColor(image, cv2.COLOR_RGB2LAB)[..., 0].astype(np.float32) * (100.0 / 255.0)
    mean, mean_square = cv2.blur(lightness, (5, 5)), cv2.blur(lightness * lightness, (5, 5))
    return np.asarray(np.sqrt(np.maximum(mean_square - mean * mean, 0.0)), np.float32)


def flat_background_garment(image: np.ndarray, distance: np.ndarray, lightness: float) -> np.ndarray | None:
    """bool HxW: what the background, flooded from the border through its own colour, does not reach; None
    unless the background is flat and light (elsewhere a tight flood stops at the first shade of light).

    A cut-out is often pasted with a box of a slightly other white around it: a large patch of no texture at
    all, near the background's colour, is background too (fabric, even white, has texture).
    """
    border = _border(distance.shape)
    spread = float(np.percentile(distance[border], 99))
    if spread > FLAT_BACKGROUND or lightness < LIGHT_BACKGROUND:
        return None
    flat_fill = distance <= spread + FLOOD_TOLERANCE
    # 4-connected: the flood does not leak through a diagonal gap in a faint outline.
    _, labels = cv2.connectedComponents(flat_fill.astype(np.uint8), connectivity=4)
    background = np.isin(labels, np.unique(labels[border & flat_fill]))
    # The box is flat fill of another colour: a large patch of it is background wherever it lies. Smaller
    # untextured spots (a burnt-out highlight on a white cuff) stay cloth.
    other_fill = (_local_spread(image) < NO_TEXTURE) & (distance <= BACKGROUND_TOLERANCE) & ~flat_fill
    count, patches, stats, _ = cv2.connectedComponentsWithStats(other_fill.astype(np.uint8), connectivity=4)
    large = np.zeros(count, bool)
    large[1:] = stats[1:, cv2.CC_STAT_AREA] >= PATCH_SHARE * distance.size
    background |= large[patches]
    # The seam between a pasted box and the background is a line a few pixels wide: not a garment's part.
    garment = cv2.morphologyEx((~background).astype(np.uint8), cv2.MORPH_OPEN, _kernel(distance.shape, 0.015))
    return np.asarray(garment > 0)


def _smooth(mask: np.ndarray) -> np.ndarray:
    return rounded_outline(mask, EDGE_SMOOTHING * min(mask.shape)).astype(np.uint8)


def _kernel(shape: tuple[int, int], fraction: float) -> np.ndarray:
    side = max(3, round(fraction * min(shape)) | 1)
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))


def clean_mask(mask: np.ndarray) -> np.ndarray:
    """Keep the garment's large pieces (both trouser legs, not a stray thread) and fill its holes.

    A flat-lay garment has no holes in its silhouette and no notches a few pixels wide: those are prints
    or highlights close to the background colour, lost at the edge.
    """
    closed = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE, _kernel(mask.shape[:2], 0.008))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
    if count <= 1:
        return np.zeros(mask.shape, np.uint8)
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = 1 + np.flatnonzero(areas >= MIN_COMPONENT_SHARE * areas.max())
    pieces = np.isin(labels, keep).astype(np.uint8)
    contours, _ = cv2.findContours(pieces, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    filled = np.zeros(mask.shape, np.uint8)
    cv2.drawContours(filled, contours, -1, 1, thickness=cv2.FILLED)
    return filled


class BackdropPieces(NamedTuple):
    """The pieces of the backdrop's colour (within BACKGROUND_TOLERANCE) inside a garment's mask (`inside`):
    their labels (0 elsewhere) and, per label (label 0's entries unused), whether it touches the outline, its
    median Lab distance from the backdrop, its median and greatest depth inside the outline (px), its thickness
    (px: the diameter of the widest circle inside it); and the median Lab distance of the whole garment from the
    backdrop."""

    inside: np.ndarray
    labels: np.ndarray
    touching: np.ndarray
    distance: np.ndarray
    depth: np.ndarray
    deepest: np.ndarray
    thickness: np.ndarray
    contrast: float


def backdrop_pieces(image: np.ndarray, mask: np.ndarray) -> BackdropPieces:
    """`BackdropPieces` of a product photo and its garment's `mask`: found once for `strap_loops` and
    `shallow_backdrop` alike."""
    distance, _ = background_distance(image)
    inside = mask > 0
    depth = cv2.distanceTransform(inside.astype(np.uint8), cv2.DIST_L2, 3)
    outline = cv2.dilate((~inside).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    count, labels = cv2.connectedComponents((inside & (distance <= BACKGROUND_TOLERANCE)).astype(np.uint8))
    touching = np.zeros(count, bool)
    touching[np.unique(labels[outline])] = True
    touching[0] = False
    member = labels > 0
    label, depths = np.asarray(labels[member], np.intp), depth[member]
    deepest = np.zeros(count, np.float32)
    np.maximum.at(deepest, label, depths)
    # Each piece is bounded by pixels of no piece: the distance to them is the radius of a circle inside it.
    radius = cv2.distanceTransform(member.astype(np.uint8), cv2.DIST_L2, 3)[member]
    thickness = np.zeros(count, np.float32)
    np.maximum.at(thickness, label, 2 * radius)
    return BackdropPieces(inside, labels, touching, _medians(label, distance[member], count),
                          _medians(label, depths, count), deepest, thickness,
                          float(np.median(distance[inside])) if inside.any() else 0.0)


def _medians(label: np.ndarray, values: np.ndarray, count: int) -> np.ndarray:
    """Per label in [0, count): the median of its `values` (as `np.median`: the mean of the middle two of an even
    number), 0 for a label with none; all labels at once (a loop over a pale garment's hundred pieces took ms)."""
    order = np.lexsort((values, label))
    ranked = values[order]
    sizes = np.bincount(label, minlength=count)
    starts = np.cumsum(sizes) - sizes
    medians = np.zeros(count, values.dtype)
    some = sizes > 0
    low, high = starts[some] + (sizes[some] - 1) // 2, starts[some] + sizes[some] // 2
    medians[some] = (ranked[low] + ranked[high]) / 2
    return medians


def strap_loops(pieces: BackdropPieces) -> np.ndarray:
    """bool HxW: the backdrop seen through a strap's loop inside the garment's mask (LOOP_BACKDROP, LOOP_DEPTH),
    clear of its outline, with its anti-aliased rim.

    The mask keeps it (`clean_mask` fills holes: the loop is the strap's, and the landmarks find the strap by
    it); its colours are the backdrop's, dressed as a white stripe down each strap.
    """
    deep = LOOP_DEPTH * min(pieces.inside.shape[:2])
    loops = ~pieces.touching & (pieces.distance <= LOOP_BACKDROP) & (pieces.depth <= deep)
    loops[0] = False
    found = loops[pieces.labels].astype(np.uint8)
    return np.asarray(cv2.dilate(found, np.ones((3, 3), np.uint8)) > 0) & pieces.inside


def shallow_backdrop(pieces: BackdropPieces) -> np.ndarray:
    """bool HxW: pieces of the backdrop's very colour on the garment's outline, none of them deeper inside its
    mask than NOTCH_DEPTH (LOOP_BACKDROP), or slivers of it (within BACKGROUND_TOLERANCE) no thicker than NOTCH_WIDTH
    in a garment unlike the backdrop (SLIVER_CONTRAST): the tip of a notch that the mask closed over (the armpit's,
    between a sleeve and the side), or a thin trim of that colour. Without their anti-aliased rim, which is as wide
    as the outline's (`warp_sleeves` leaves both out of a sleeve's texture alike)."""
    side = min(pieces.inside.shape[:2])
    shallow = (pieces.deepest <= NOTCH_DEPTH * side) & (pieces.distance <= LOOP_BACKDROP)
    # A sliver is all anti-aliased rim: its colour is the backdrop's blended with the garment's on both sides.
    sliver = (pieces.thickness <= NOTCH_WIDTH * side) & (pieces.contrast > SLIVER_CONTRAST)
    found = pieces.touching & (shallow | sliver)
    return np.asarray(found[pieces.labels])


def product_mask(image: np.ndarray, salient_prob: np.ndarray | None = None) -> np.ndarray:
    """uint8 {0, 1} mask of the garment in a product photo.

    `salient_prob` is the salient-object model's probability map at the image's size; without it (or when
    it finds nothing) the garment is what differs from the background colour.
    """
    shape = image.shape[:2]
    distance, lightness = background_distance(image)
    differs = distance > BACKGROUND_TOLERANCE
    salient = salient_prob if salient_prob is not None else np.zeros(shape, np.float32)
    model_found = bool((salient > SALIENT_GARMENT).sum() > MIN_GARMENT_SHARE * salient.size)
    prior = salient > SALIENT_GARMENT if model_found else differs
    # Sure garment: deep inside what the prior calls garment and unlike the background (or certain to the
    # model: a white shirt on white). Sure background: the border, and what neither source calls garment.
    sure = cv2.erode(prior.astype(np.uint8), _kernel(shape, 0.03)).astype(bool)
    if model_found:
        sure &= differs | (salient > 0.9)
    candidate = cv2.dilate((prior | differs).astype(np.uint8), _kernel(shape, 0.02)).astype(bool)
    unlikely = ~candidate
    if model_found:
        unlikely |= (salient < SALIENT_BACKGROUND) & ~differs
    seeds = np.full(shape, cv2.GC_PR_BGD, np.uint8)
    seeds[prior | differs] = cv2.GC_PR_FGD
    seeds[unlikely | _border(shape)] = cv2.GC_BGD
    seeds[sure & ~_border(shape)] = cv2.GC_FGD
    garment = grabcut(image, seeds, max_side=GRABCUT_MAX_SIDE, smooth_edge=True)
    if garment is None:  # nothing to learn a colour model from: trust the prior as it is
        garment = prior & ~_border(shape)
    # GrabCut solves the mask at a fraction of the photo's size: scaled up, its outline is a staircase, which
    # the warp carries onto the shopper as a jagged, torn-looking garment edge.
    mask = _smooth(clean_mask(garment))
    flooded = flat_background_garment(image, distance, lightness)
    if flooded is not None:
        outlined = clean_mask(flooded | mask.astype(bool))
        if mask.sum() < IMPLAUSIBLY_SMALL * outlined.sum():
            mask = _smooth(outlined)
    if mask.sum() < MIN_GARMENT_SHARE * mask.size:
        raise InvalidInput("no garment found in the garment photo; use a product photo of one garment on a "
                           "plain background", field="garment")
    return mask
