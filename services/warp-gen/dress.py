"""Layer a warped catalog garment onto the shopper with the design mode's shading-preserving composite.

Where the shopper's own garment was, the new one takes its folds and light (`compose.shading`); elsewhere
it keeps the product photo's own light, because there is no cloth underneath whose shading means
anything (bare skin or the background of a person-mask edge). What the new garment leaves uncovered of
the old one is repainted with what would be there: skin on the body, in the tone of the shopper's own
visible skin, and the background beside it, filled from the scene around (`repaint_uncovered`); left as
it was, the old garment showed around and under the new one (a motif, another colour below the hem).
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
DARK_GARMENT_LUMA = 100.0  # below this median grey level the old garment's light is trusted proportionally less
SKIN_LIGHT_BLUR = 0.06  # of the longer side: the body's broad light (its shadow side), not the old folds or print
SKIN_LIGHT_RANGE = (0.85, 1.1)
INPAINT_SCALE = 0.5  # the background is filled at half size: studio backdrops are smooth
INPAINT_RADIUS = 3


def paint_mask(garment_alpha: np.ndarray, person_mask: np.ndarray, occluders: np.ndarray) -> np.ndarray:
    """uint8 {0, 1}: where the new garment shows: on the garment, on the person, behind nothing."""
    return np.asarray((garment_alpha > 0.5) & (person_mask > 0.5) & (occluders == 0), np.uint8)


def worn_shading(person: np.ndarray, worn: np.ndarray, strength: float = SHADING_STRENGTH) -> np.ndarray:
    """float32 HxW multiplier: the old garment's light relative to its median, 1 where there was none."""
    if not worn.any():
        return np.ones(person.shape[:2], np.float32)
    sigma = max(0.5, SHADING_BLUR * max(person.shape[:2]))
    light = np.clip(cv2.GaussianBlur(shading(person, worn), (0, 0), sigma), *LIGHT_RANGE)
    # On a dark garment, light relative to its median is mostly print, noise and what shows through (a sheer
    # top's lining), not folds: carried over at full strength it turned a white shirt into grey smears.
    median_luma = float(np.median(cv2.cvtColor(person, cv2.COLOR_RGB2GRAY)[worn > 0]))
    strength *= min(1.0, median_luma / DARK_GARMENT_LUMA)
    # Fade to flat across the old garment's edge, so no seam shows where it ended under the new one.
    weight = np.clip(cv2.GaussianBlur(worn.astype(np.float32), (0, 0), 2 * sigma), 0.0, 1.0)
    return np.asarray(1.0 + strength * (light - 1.0) * weight, np.float32)


def dress_garment(person: np.ndarray, garment: np.ndarray, paint: np.ndarray, light: np.ndarray,
                  feather_px: int | None = None) -> np.ndarray:
    """`garment` (already warped to the person's frame) painted over `paint`, lit by `light`.

    Pixels outside `paint` and its anti-aliased edge are returned bit-for-bit unchanged.
    """
    feather = feather_px if feather_px is not None else max(1, round(0.004 * max(person.shape[:2])))
    alpha = feathered_alpha(paint, feather)[..., None]
    lit = np.clip(garment.astype(np.float32) * light[..., None], 0, 255)
    blended = person.astype(np.float32) * (1 - alpha) + lit * alpha
    return np.where(alpha > 0, np.round(blended).astype(np.uint8), person)


def skin_tone(person: np.ndarray, skin: np.ndarray) -> np.ndarray:
    """RGB float32: the median colour of the shopper's visible skin (a warm mid tone when none shows)."""
    seen = skin.astype(bool)
    if seen.sum() < 50:
        return np.array([200.0, 160.0, 140.0], np.float32)
    return np.median(person[seen], axis=0).astype(np.float32)


def repaint_uncovered(person: np.ndarray, uncovered: np.ndarray, body: np.ndarray, skin: np.ndarray,
                      garments: np.ndarray) -> np.ndarray:
    """`person` with the old garment's uncovered pixels repainted: skin on the body, background elsewhere.

    Skin takes the tone of the shopper's visible skin and the old garment's broad light (which side is in
    shade), not its folds. Background is inpainted from the scene around every garment (`garments`: old
    and new), so neither garment's colour bleeds into it. Pixels outside `uncovered` are unchanged.
    """
    out = person.copy()
    to_skin = uncovered.astype(bool) & body.astype(bool)
    to_scene = uncovered.astype(bool) & ~body.astype(bool)
    height, width = person.shape[:2]
    if to_scene.any():
        small = cv2.resize(person, None, fx=INPAINT_SCALE, fy=INPAINT_SCALE, interpolation=cv2.INTER_AREA)
        hole = cv2.resize(garments.astype(np.uint8), (small.shape[1], small.shape[0]), interpolation=cv2.INTER_NEAREST)
        hole = cv2.dilate(hole, np.ones((3, 3), np.uint8))
        scene = cv2.resize(cv2.inpaint(small, hole, INPAINT_RADIUS, cv2.INPAINT_TELEA), (width, height),
                           interpolation=cv2.INTER_LINEAR)
        out[to_scene] = scene[to_scene]
    if to_skin.any():
        grey = cv2.cvtColor(person, cv2.COLOR_RGB2GRAY).astype(np.float32)
        reference = max(float(np.median(grey[uncovered.astype(bool)])), 1.0)
        light = np.clip(cv2.GaussianBlur(grey, (0, 0), SKIN_LIGHT_BLUR * max(height, width)) / reference,
                        *SKIN_LIGHT_RANGE)
        tone = skin_tone(person, skin)
        out[to_skin] = np.clip(tone[None] * light[to_skin][:, None], 0, 255).astype(np.uint8)
    return out
