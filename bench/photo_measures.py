"""The measures `python -m bench photos` reports per pair, as pure functions of images and masks.

- **uncovered share**: of the old garment's pixels (the garment the shopper wears, as the segment stage
  finds it), the share the result leaves exactly as it was: neither covered by the new garment nor
  repainted with skin or background. Target ≤ 3 %.
- **landmark offsets**: for each landmark both the dressed garment and the body have (shoulders, neck,
  hem; waistband and leg hems for trousers), the distance between the garment's (found afresh on its
  silhouette as warped onto the body, by the same finder as on the product photo but without assuming
  the garment symmetric) and the body's (where the fit put it, from the pose: the shoulder seams beside
  the shoulder joints, the hem below the hips or knees, the waistband on the hips, the leg hems along the
  legs), as a share of the shoulder width. Target ≤ 5 %. A sleeved shoulder as worn (`worn_landmarks`) is
  the garment's top edge above its own armpit (both found on the warped silhouette) moved out by the body's
  armhole offset: a flat-lay seam lies straight above the armpit, but a sleeve hanging along the arm has its
  armpit on the arm's inner edge, inside the seam by the shoulder joint's distance from that edge (0 for an
  arm held out). The offset is the body's, from the pose (where the fit put the shoulder seam and the
  armpit); the armpit and the top edge are the garment's, so a garment shifted, turned or squeezed reads
  off. A side whose sleeve, laid along a hanging arm, leaves no corner at its armpit takes the other side's
  armpit mirrored about the hem's middle (the garment's body is symmetric however the arms hang). On a
  pair dressed with `silhouette` the measure reads the garment as the warp placed it (the `warped` layer),
  not the image shown, whose garment is the shopper's own worn outline. What it cannot see: a sleeve's cap
  wider or narrower than the body's above armpits in place (the seam's x follows the armpit's; its height
  is still measured); a body's hem under sleeves laid over it (ruffle sleeves hanging past the hem: it
  reads the sleeves' inner edges as the hem's corners). The neck's body point is the garment's own
  collar carried by its shoulders onto the body's, since a neckline's depth is the garment's design: the
  neck measures the collar's centring, not its depth. A landmark the finder misreads the same way on the
  product photo and on the warped garment reads as placed: the measure checks placement, and the finder
  is checked by eye on the contact sheet and by its tests.
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
                   find: Callable[[np.ndarray], Mapping[str, Point]]) -> dict[str, Point]:
    """`find`'s points on `mask` turned upright by `tilt` degrees, turned back into the mask's frame.

    A landmark finder reads a garment upright (a seam straight above an armpit); a garment warped onto a
    body that leans or tilts its shoulders is upright in the body's frame, not the image's.
    """
    height, width = mask.shape[:2]
    pad = max(height, width) // 4  # room for the corners a turn moves out of the canvas
    canvas = cv2.copyMakeBorder(mask.astype(np.uint8), pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    centre = (canvas.shape[1] / 2, canvas.shape[0] / 2)
    turn = cv2.getRotationMatrix2D(centre, tilt, 1.0)  # OpenCV turns by +tilt the content tilted by it: level
    # Turned as coverage and cut at one half: a nearest-pixel turn leaves a staircase a finder takes for corners.
    turned = cv2.warpAffine(canvas.astype(np.float32), turn, (canvas.shape[1], canvas.shape[0]), flags=cv2.INTER_LINEAR)
    upright = (turned > 0.5).astype(np.uint8)
    back = cv2.invertAffineTransform(turn)
    found = {}
    for name, (x, y) in find(upright).items():
        bx, by = back @ np.array([x, y, 1.0])
        found[name] = (float(bx) - pad, float(by) - pad)
    return found


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


def armhole_offsets(targets: Mapping[str, Point], tilt: float) -> dict[str, float]:
    """Per side ("left", "right"), how far the body's shoulder seam lies beyond its armpit along the
    shoulders' line (tilted `tilt` degrees), in pixels: what a sleeve hanging along the arm puts between its
    armpit and its seam. Sides without both points get 0 (the flat-lay seam above the armpit)."""
    along = np.array([np.cos(np.radians(tilt)), np.sin(np.radians(tilt))])
    offsets = {}
    for side in ("left", "right"):
        seam, armpit = targets.get(f"{side}_shoulder"), targets.get(f"{side}_armpit")
        offsets[side] = 0.0 if seam is None or armpit is None else float(np.subtract(seam, armpit) @ along)
    return offsets


def _top_edge(mask: np.ndarray, x: float) -> Point | None:
    column = np.flatnonzero(mask[:, min(max(round(x), 0), mask.shape[1] - 1)])
    return (float(x), float(column.min())) if column.size else None


def worn_landmarks(mask: np.ndarray, category: Category, armholes: Mapping[str, float]) -> dict[str, Point]:
    """Landmarks of a garment as worn, on its silhouette upright in the body's frame (nonzero = garment).

    The product-photo finder, without assuming the two sides alike, finds the hem, armpits, cuffs and
    straps. A side with a sleeve has its shoulder on the top edge above the armpit moved out by
    `armholes[side]` (`armhole_offsets`; + is towards the image's right, which is the wearer's left); a
    side without one, where the other has, takes the other's armpit mirrored about the hem's middle (a
    sleeve along a hanging arm may hide its armpit's corner; its strap top would be a collar's); a side of a
    garment sleeveless on both keeps its strap's top. The neck is the top edge midway between the shoulders.
    """
    found = {name: point for name, point in garment_landmarks(mask, category, symmetric=False).named().items()
             if point is not None}
    if category is Category.LOWER:
        return found
    armpits = {side: found[f"{side}_armpit"] for side in ("left", "right")
               if f"{side}_armpit" in found and f"{side}_cuff" in found}
    left_hem, right_hem = found.get("left_hem"), found.get("right_hem")
    if len(armpits) == 1 and left_hem is not None and right_hem is not None:
        # A sleeve laid along a hanging arm can leave no corner at its armpit: the garment's body is symmetric
        # about its hem's middle (however the arms hang), so the hidden armpit mirrors the one found.
        (seen, (x, y)), = armpits.items()
        armpits["right" if seen == "left" else "left"] = (left_hem[0] + right_hem[0] - x, y)
    for side, armpit in armpits.items():
        seam = _top_edge(mask, armpit[0] + armholes.get(side, 0.0))
        if seam is not None:
            found[f"{side}_shoulder"] = seam
    left, right = found.get("left_shoulder"), found.get("right_shoulder")
    if left is not None and right is not None:
        neck = _top_edge(mask, (left[0] + right[0]) / 2)
        if neck is not None:
            found["neck"] = neck
    return found
