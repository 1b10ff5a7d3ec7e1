"""Shading-preserving composite: a flat design takes on the folds and light of the real garment."""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np

from fittingroom.common.images import resize

if TYPE_CHECKING:  # edge_matte builds on dress, which builds on this module
    from fittingroom.warp_gen.edge_matte import EdgeMatte

SHADING_RANGE = (0.35, 1.6)  # keep deep folds and highlights from turning the design black or white


def fit_cover(design: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """Scale the design to cover the box (x0, y0, x1, y1) without distortion, centre-cropped."""
    x0, y0, x1, y1 = box
    bw, bh = x1 - x0, y1 - y0
    h, w = design.shape[:2]
    scale = max(bw / w, bh / h)
    big = resize(design, max(bw, round(w * scale)), max(bh, round(h * scale)))
    top, left = (big.shape[0] - bh) // 2, (big.shape[1] - bw) // 2
    return big[top:top + bh, left:left + bw]


def shading(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per-pixel luminance of the garment relative to its median: 1 = average light."""
    luma = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    inside = luma[mask > 0]
    reference = float(np.median(inside)) if inside.size else 128.0
    return np.clip(luma / max(reference, 1.0), *SHADING_RANGE)


def feathered_alpha(mask: np.ndarray, feather_px: int) -> np.ndarray:
    """Soft alpha that is 1 deep inside, falls to 0 at the mask edge, and is exactly 0 outside."""
    if feather_px <= 0:
        return mask.astype(np.float32)
    kernel = np.ones((2 * feather_px + 1, 2 * feather_px + 1), np.uint8)
    core = cv2.erode(mask.astype(np.uint8), kernel).astype(np.float32)
    soft = cv2.GaussianBlur(core, (0, 0), sigmaX=feather_px / 2)
    return np.clip(soft, 0.0, 1.0) * (mask > 0)


def composite(person: np.ndarray, design: np.ndarray, mask: np.ndarray, *, opacity: float = 1.0,
              shading_strength: float = 1.0, feather_px: int | None = None,
              light: np.ndarray | None = None, edge: EdgeMatte | None = None) -> np.ndarray:
    """Paint `design` over the garment `mask` of `person`, modulated by the garment's own shading (`light`,
    an HxW multiplier, when given; else the garment's luminance relative to its median).

    With `edge` (the garment's share of each pixel along its outline), the design takes that share and
    the old garment's colour goes from the rest, out to the edge's band; without it, the design fades out
    over a feather inside the mask. Pixels outside the mask (and the edge's band) are returned unchanged.
    """
    if edge is not None:
        return _print_to_edge(person, design, edge, opacity, shading_strength, light)
    ys, xs = np.nonzero(mask)
    if ys.size == 0:
        return person.copy()
    box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    layer = np.zeros_like(person, dtype=np.float32)
    layer[box[1]:box[3], box[0]:box[2]] = fit_cover(design, box).astype(np.float32)
    relative = shading(person, mask) if light is None else light
    painted = np.clip(layer * (1.0 + shading_strength * (relative - 1.0))[..., None], 0, 255)
    feather = feather_px if feather_px is not None else max(1, round(0.006 * max(person.shape[:2])))
    alpha = (feathered_alpha(mask, feather) * float(np.clip(opacity, 0.0, 1.0)))[..., None]
    blended = person.astype(np.float32) * (1 - alpha) + painted * alpha
    out = np.round(blended).astype(np.uint8)
    return np.where(alpha > 0, out, person)


def _print_to_edge(person: np.ndarray, design: np.ndarray, edge: EdgeMatte, opacity: float,
                   shading_strength: float, light: np.ndarray | None) -> np.ndarray:
    covered = edge.coverage > 0
    ys, xs = np.nonzero(covered)
    if ys.size == 0:
        return person.copy()
    box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    rows, cols = slice(box[1], box[3]), slice(box[0], box[2])
    relative = (shading(person, edge.coverage >= 1.0) if light is None else light)[rows, cols]
    painted = np.clip(fit_cover(design, box).astype(np.float32)
                      * (1.0 + shading_strength * (relative - 1.0))[..., None], 0, 255)
    share = edge.coverage[rows, cols, None]
    printed = painted * share + edge.behind[rows, cols] * (1.0 - share)
    original = person[rows, cols].astype(np.float32)
    blended = np.round(original + float(np.clip(opacity, 0.0, 1.0)) * (printed - original)).astype(np.uint8)
    out = person.copy()
    out[rows, cols] = np.where(covered[rows, cols, None], blended, person[rows, cols])
    return out
