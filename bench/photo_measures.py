"""The measures `python -m bench photos` reports per pair, as pure functions of images and masks.

- **uncovered share**: of the old garment's pixels (the garment the shopper wears, as the segment stage
  finds it), the share the result leaves exactly as it was: neither covered by the new garment nor
  repainted with skin or background. Target ≤ 3 %.
- **landmark offsets**: for each landmark both the dressed garment and the body have (shoulders, neck, hem;
  waistband and leg hems for trousers), the distance between the garment's (found afresh on its silhouette as
  warped onto the body, by the same finder as on the product photo but without assuming the garment symmetric)
  and the body's (where the fit put it, from the pose: the shoulder seams beside the shoulder joints, the hem
  below the hips or knees, the waistband on the hips, the leg hems along the legs), as a share of the shoulder
  width. Target ≤ 5 %. A sleeved shoulder as worn (`worn_landmarks`) is the garment's top edge above the
  body's seam moved sideways by the garment's own armpit's offset from the body's armpit: a flat-lay seam lies
  straight above the armpit, but a sleeve hanging along the arm has its armpit on the arm's inner edge, inside
  the seam by the shoulder joint's distance from that edge, so the seam is read that far out from the armpit
  the silhouette shows. The armpit and the top edge are the garment's, so a garment shifted, turned or
  squeezed reads off. An armpit the finder places farther than `ARMPIT_RISE` above or below the body's is not
  read as one (a drape's notch, a ruffle's tier or a stray strip beside the arm makes such a corner); a side
  whose armpit is not seen (a sleeve laid close along a hanging arm leaves no corner; a sleeve hanging as low
  as the hem covers the side under it, and the finder's "armpit" there is the sleeve's inner edge) is read
  above the body's seam moved by the mean offset of the armpits seen (0 where none is): the garment's body
  moves as one, and a hidden armpit is not mirrored about the hem, which the hips may set aside. A hem corner
  under a sleeve that hangs as low as the hem (ruffles over the hem's corners) is read at the hem's height,
  across where the body's is, moved by the same offset. On a pair dressed with `silhouette` the measure reads
  the garment as the warp placed it (the `warped` layer), not the image shown, whose garment is the shopper's
  own worn outline. What it cannot see: a sleeve's cap wider or narrower than the body's above armpits in
  place (the seam's x follows the armpit's; its height is still measured); where no armpit shows, a garment
  squeezed or widened evenly, or moved aside where its sleeves also cover the hem's corners (its heights are
  still measured); a hem corner under a sleeve, across (its height is still measured); a ruffle's tier hanging
  beside the hem that the finder takes for the hem's corner while it finds the sleeve's end elsewhere (it
  reads off, the garment placed or not: the tiered blouse on three of the development shoppers). The neck's
  body point is the garment's own collar carried by its shoulders onto the body's, since a neckline's depth is
  the garment's design: the neck measures the collar's centring, not its depth. A landmark the finder misreads
  the same way on the product photo and on the warped garment reads as placed: the measure checks placement,
  and the finder is checked by eye on the contact sheet and by its tests.
- **pixels changed outside**: pixels that differ from the input photo farther than `FEATHER_PX` from the
  garment as placed and the repainted area. Target 0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import cv2
import numpy as np

from fittingroom.common.garment import Category
from fittingroom.segment.garment_landmarks import garment_landmarks

FEATHER_PX = 3  # anti-aliased edges may change this far outside the garment and repainted area
TARGET_UNCOVERED_SHARE = 0.03
TARGET_LANDMARK_SHARE = 0.05

# Of the shoulder width: an armpit found farther above or below the body's is not the garment's armpit, and a
# sleeve ending this little above the hem or lower hangs over the hem's corner (`worn_landmarks`).
ARMPIT_RISE = 0.1
SIDES = ("left", "right")

Point = tuple[float, float]


def changed_pixels(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Bool mask of the pixels where any channel differs (the pipelines copy untouched pixels exactly)."""
    if before.shape != after.shape:
        raise ValueError(f"images differ in shape: {before.shape} vs {after.shape}")
    return np.any(before != after, axis=-1)


def uncovered_share(old_garment: np.ndarray, changed: np.ndarray) -> float:
    """Share of the old garment's pixels left unchanged; 0 when there is no old garment."""
    area = int(np.count_nonzero(old_garment))
    if area == 0:
        return 0.0
    return float(np.count_nonzero(old_garment & ~changed)) / area


def grow(mask: np.ndarray, pixels: int) -> np.ndarray:
    """`mask` dilated by a disc of radius `pixels` (Euclidean, so a diagonal grows no farther than a row)."""
    if pixels <= 0:
        return mask.astype(bool)
    outside = (~mask.astype(bool)).astype(np.uint8)
    distance = cv2.distanceTransform(outside, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    return np.asarray(distance <= pixels)


def changes_outside(changed: np.ndarray, allowed: np.ndarray, feather_px: int = FEATHER_PX) -> int:
    """Changed pixels farther than `feather_px` from the `allowed` area (garment as placed, or repainted)."""
    return int(np.count_nonzero(changed & ~grow(allowed, feather_px)))


def body_tilt(left: Point, right: Point) -> float:
    """Degrees the body's frame turns from the image's: the line from its right point (shoulder, waistband
    corner) to its left one, against the image's x axis (positive turns +x towards +y)."""
    return float(np.degrees(np.arctan2(left[1] - right[1], left[0] - right[0])))


def upright_points(mask: np.ndarray, tilt: float,
                   find: Callable[[np.ndarray, Mapping[str, Point]], Mapping[str, Point]],
                   body: Mapping[str, Point] | None = None) -> dict[str, Point]:
    """`find`'s points on `mask` turned upright by `tilt` degrees, turned back into the mask's frame.

    A landmark finder reads a garment upright (a seam straight above an armpit); a garment warped onto a
    body that leans or tilts its shoulders is upright in the body's frame, not the image's. `find` gets the
    upright mask and the `body`'s points turned with it.
    """
    height, width = mask.shape[:2]
    pad = max(height, width) // 4  # room for the corners a turn moves out of the canvas
    canvas = cv2.copyMakeBorder(mask.astype(np.uint8), pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    centre = (canvas.shape[1] / 2, canvas.shape[0] / 2)
    turn = cv2.getRotationMatrix2D(centre, tilt, 1.0)  # OpenCV turns by +tilt the content tilted by it: level
    # Turned as coverage and cut at one half: a nearest-pixel turn leaves a staircase a finder takes for corners.
    turned = cv2.warpAffine(canvas.astype(np.float32), turn, (canvas.shape[1], canvas.shape[0]), flags=cv2.INTER_LINEAR)
    upright = (turned > 0.5).astype(np.uint8)
    body_upright = {name: _affine(turn, (x + pad, y + pad)) for name, (x, y) in (body or {}).items()}
    back = cv2.invertAffineTransform(turn)
    found = {}
    for name, point in find(upright, body_upright).items():
        bx, by = _affine(back, point)
        found[name] = (bx - pad, by - pad)
    return found


def _affine(matrix: np.ndarray, point: Point) -> Point:
    x, y = matrix @ np.array([point[0], point[1], 1.0])
    return float(x), float(y)


def in_frame(points: Mapping[str, Point], shape: tuple[int, int]) -> tuple[dict[str, Point], list[str]]:
    """The `points` inside a photo of `shape` (height, width), and the names of those outside it: a hem the
    frame cuts off (a half-body shot of a long top) cannot be read on the photo; its garment ends at the
    frame's edge instead, which measured as the hem read up to 0.87 shoulder widths off."""
    height, width = shape
    inside = {name: point for name, point in points.items() if 0 <= point[0] < width and 0 <= point[1] < height}
    return inside, sorted(set(points) - set(inside))


def landmark_offsets(garment: Mapping[str, Point | None], body: Mapping[str, Point | None],
                     shoulder_width: float) -> dict[str, float]:
    """Per landmark both sides know: distance between the garment's and the body's, over the shoulder width."""
    if shoulder_width <= 0:
        raise ValueError(f"shoulder width must be positive, got {shoulder_width}")
    offsets = {}
    for name, point in garment.items():
        target = body.get(name)
        if point is not None and target is not None:
            offsets[name] = float(np.hypot(point[0] - target[0], point[1] - target[1])) / shoulder_width
    return offsets


def _top_edge(mask: np.ndarray, x: float) -> Point | None:
    column = np.flatnonzero(mask[:, min(max(round(x), 0), mask.shape[1] - 1)])
    return (float(x), float(column.min())) if column.size else None


def worn_landmarks(mask: np.ndarray, category: Category, body: Mapping[str, Point]) -> dict[str, Point]:
    """Landmarks of a garment as worn, on its silhouette upright in the body's frame (nonzero = garment).

    The `body`'s points (where the fit put each landmark, in the same frame) stand in for what the silhouette
    hides. The product-photo finder, without assuming the two sides alike, finds the hem, armpits, cuffs and
    straps. A side the fit sleeved (the body has its armpit) has its shoulder on the top edge above the body's
    seam moved by the garment's own armpit's offset from the body's: a sleeve hanging along the arm has its
    armpit on the arm's inner edge, inside the seam by the shoulder joint's distance from that edge. An armpit
    is seen where the finder has one (with its cuff) within ARMPIT_RISE of the body's armpit's height, on a
    side whose sleeve does not hang as low as ARMPIT_RISE above the hem or lower (such a sleeve covers the side
    below its armpit and the hem's corner: what the finder takes for them is the sleeve's inner edge); a side
    whose armpit is not seen (a sleeve laid close along a hanging arm leaves no corner; a drape's notch, a
    ruffle's tier or a stray strip lower down is not the armpit) takes the mean offset of the armpits seen
    (none: 0). A hem corner under such a sleeve has the garment's height, its place across the body's moved
    by that offset. A side the fit left sleeveless keeps its strap's top. The neck is the top edge midway
    between the shoulders.
    """
    found = {name: point for name, point in garment_landmarks(mask, category, symmetric=False).named().items()
             if point is not None}
    if category is Category.LOWER:
        return found
    width = _distance(body.get("left_shoulder"), body.get("right_shoulder"))
    # A sleeve hanging as low as the hem covers the side below its armpit and the hem's corner beside it.
    covering = {side for side in SIDES if f"{side}_cuff" in found and f"{side}_hem" in found
                and found[f"{side}_cuff"][1] >= found[f"{side}_hem"][1] - ARMPIT_RISE * width}
    seen = {}
    for side in SIDES:
        armpit, target = found.get(f"{side}_armpit"), body.get(f"{side}_armpit")
        if armpit is not None and target is not None and f"{side}_cuff" in found and side not in covering \
                and abs(armpit[1] - target[1]) <= ARMPIT_RISE * width:
            seen[side] = armpit[0] - target[0]
    aside = float(np.mean(list(seen.values()))) if seen else 0.0
    for side in SIDES:
        seam = body.get(f"{side}_shoulder")
        if seam is not None and f"{side}_armpit" in body:
            top = _top_edge(mask, seam[0] + seen.get(side, aside))
            if top is not None:
                found[f"{side}_shoulder"] = top
        hem, target = found.get(f"{side}_hem"), body.get(f"{side}_hem")
        if side in covering and hem is not None and target is not None:
            found[f"{side}_hem"] = (target[0] + aside, hem[1])
    left, right = found.get("left_shoulder"), found.get("right_shoulder")
    if left is not None and right is not None:
        neck = _top_edge(mask, (left[0] + right[0]) / 2)
        if neck is not None:
            found["neck"] = neck
    return found


def _distance(a: Point | None, b: Point | None) -> float:
    return float(np.hypot(a[0] - b[0], a[1] - b[1])) if a is not None and b is not None else 0.0
