"""Layer a warped catalog garment onto the shopper with the design mode's shading-preserving composite.

Where the shopper's own garment was, the new one takes its folds and light (`compose.shading`); elsewhere
it keeps the product photo's own light, because there is no cloth underneath whose shading means
anything (bare skin or the background of a person-mask edge). What the new garment does not cover stays
as it is, the old garment included: it reads as clothing worn under the new one, where painting it out
would invent body and background that the photo never showed.
"""

from __future__ import annotations

import cv2
import numpy as np

from fittingroom.warp_gen.compose import feathered_alpha, shading

# Folds of the old garment carry over fully; its print (letters, patches) is what a lower strength would
# hide, but it also flattens the folds that make the result look worn, so the print is blurred instead.
SHADING_STRENGTH = 0.85
SHADING_BLUR = 0.004  # of the image's longer side: removes print detail, keeps folds
# Matte cloth: the old garment's folds may darken the new one a lot but brighten it little (the old one's
# specular highlights, a metal ring, a reflective patch, would turn cotton into satin).
LIGHT_RANGE = (0.45, 1.25)
CONTACT_SHADOW = 0.35  # darkening of the old garment right at the new one's edge: it lies on top


def paint_mask(garment_alpha: np.ndarray, person_mask: np.ndarray, occluders: np.ndarray) -> np.ndarray:
    """uint8 {0, 1}: where the new garment shows: on the garment, on the person, behind nothing."""
    return np.asarray((garment_alpha > 0.5) & (person_mask > 0.5) & (occluders == 0), np.uint8)


def worn_shading(person: np.ndarray, worn: np.ndarray, strength: float = SHADING_STRENGTH) -> np.ndarray:
    """float32 HxW multiplier: the old garment's light relative to its median, 1 where there was none."""
    if not worn.any():
        return np.ones(person.shape[:2], np.float32)
    sigma = max(0.5, SHADING_BLUR * max(person.shape[:2]))
    light = np.clip(cv2.GaussianBlur(shading(person, worn), (0, 0), sigma), *LIGHT_RANGE)
    # Fade to flat across the old garment's edge, so no seam shows where it ended under the new one.
    weight = np.clip(cv2.GaussianBlur(worn.astype(np.float32), (0, 0), 2 * sigma), 0.0, 1.0)
    return np.asarray(1.0 + strength * (light - 1.0) * weight, np.float32)


def contact_shadow(paint: np.ndarray, worn: np.ndarray, width_px: float) -> np.ndarray:
    """float32 HxW darkening in [0, CONTACT_SHADOW]: the new garment's edge shades the old one under it.

    Only on the old garment outside the new one: skin, background and everything else stay untouched.
    """
    spread = cv2.GaussianBlur(paint.astype(np.float32), (0, 0), max(0.5, width_px))
    return np.asarray(CONTACT_SHADOW * spread * ((worn > 0) & (paint == 0)), np.float32)


def dress_garment(person: np.ndarray, garment: np.ndarray, paint: np.ndarray, light: np.ndarray,
                  worn: np.ndarray | None = None, feather_px: int | None = None) -> np.ndarray:
    """`garment` (already warped to the person's frame) painted over `paint`, lit by `light`.

    Pixels outside `paint` and the old garment `worn` are returned bit-for-bit unchanged.
    """
    feather = feather_px if feather_px is not None else max(1, round(0.004 * max(person.shape[:2])))
    alpha = feathered_alpha(paint, feather)[..., None]
    lit = np.clip(garment.astype(np.float32) * light[..., None], 0, 255)
    blended = person.astype(np.float32) * (1 - alpha) + lit * alpha
    if worn is not None:
        blended *= 1.0 - contact_shadow(paint, worn, 2.0 * feather)[..., None]
    changed = (alpha > 0) if worn is None else (alpha > 0) | (worn[..., None] > 0)
    return np.where(changed, np.round(blended).astype(np.uint8), person)
