"""Synthetic catalog photos (one per garment class), drawn with OpenCV: no download, no licence question.

These are not photographs. They imitate a product shot (garment laid flat and seen from the front,
on an off-white background with a soft drop shadow) well enough to exercise the garment-transfer path:
the product mask, the garment landmarks and the warp. Drawing is deterministic (fixed seed), so tests
may assert on the known geometry below (`SAMPLE_LANDMARKS`).

Coordinates are for the default 512 px canvas; "left"/"right" are the wearer's, as in BlazePose: the
wearer's left is on the image's right in a front view.
"""

from __future__ import annotations

from typing import Final

import cv2
import numpy as np

from fittingroom.common.garment import Category

SIZE: Final = 512
BACKGROUND: Final = (246, 246, 243)

# Half outlines, image-left side (the wearer's right), clockwise from the top centre; mirrored below.
_TSHIRT_HALF: Final = [(256, 64), (214, 58), (150, 86), (76, 168), (110, 206), (160, 170), (164, 452), (256, 454)]
_DRESS_HALF: Final = [(256, 70), (222, 56), (186, 62), (176, 84), (184, 160), (196, 226), (188, 250),
                      (112, 470), (256, 480)]
_TROUSERS_LEFT_LEG: Final = [(256, 56), (170, 56), (162, 150), (150, 330), (140, 486), (226, 486), (252, 230),
                             (256, 222)]

# The geometry the drawings are built from (wearer's left = image right), for tests.
SAMPLE_LANDMARKS: Final[dict[Category, dict[str, tuple[float, float]]]] = {
    Category.UPPER: {
        "neck": (256, 64), "right_shoulder": (150, 86), "left_shoulder": (362, 86),
        "right_armpit": (160, 170), "left_armpit": (352, 170), "right_cuff": (93, 187), "left_cuff": (419, 187),
        "right_hem": (164, 452), "left_hem": (348, 452),
    },
    Category.DRESS: {
        "neck": (256, 70), "right_shoulder": (186, 62), "left_shoulder": (326, 62),
        "right_hem": (112, 470), "left_hem": (400, 470),
    },
    Category.LOWER: {
        "right_waist": (170, 56), "left_waist": (342, 56), "crotch": (256, 222),
        "right_hem_outer": (140, 486), "right_hem_inner": (226, 486),
        "left_hem_outer": (372, 486), "left_hem_inner": (286, 486),
    },
}


def _mirror(half: list[tuple[int, int]]) -> np.ndarray:
    """A symmetric outline from its image-left half (which starts and ends on the centre line)."""
    left = np.array(half, np.int32)
    right = left[::-1].copy()
    right[:, 0] = 2 * 256 - right[:, 0]
    return np.concatenate([left, right[1:-1]])


def _outline(garment: Category) -> list[np.ndarray]:
    if garment is Category.UPPER:
        return [_mirror(_TSHIRT_HALF)]
    if garment is Category.DRESS:
        return [_mirror(_DRESS_HALF)]
    right_leg = np.array(_TROUSERS_LEFT_LEG, np.int32)
    left_leg = right_leg.copy()
    left_leg[:, 0] = 2 * 256 - left_leg[:, 0]
    return [right_leg, left_leg[::-1]]


def _fabric(garment: Category, rng: np.random.Generator) -> np.ndarray:
    """The cloth's pattern over the whole canvas, float32 RGB in [0, 255]."""
    ys, xs = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    if garment is Category.UPPER:  # navy and ochre stripes: they show every bend of the warp
        stripe = ((ys - 100) % 30) < 11
        cloth = np.where(stripe[..., None], np.array([226, 170, 58], np.float32), np.array([28, 44, 92], np.float32))
    elif garment is Category.DRESS:  # red with a regular white polka dot
        cloth = np.broadcast_to(np.array([178, 32, 44], np.float32), (SIZE, SIZE, 3)).copy()
        cells = (((xs + 12 * (np.floor(ys / 24) % 2)) % 24 - 12) ** 2 + (ys % 24 - 12) ** 2) < 16
        cloth[cells] = (250, 214, 190)  # pale pink: a print never the background's colour
    else:  # indigo denim: a diagonal twill
        twill = (np.sin((xs + ys) * 1.9) * 0.5 + 0.5)[..., None]
        cloth = np.array([44, 70, 122], np.float32) * (0.88 + 0.2 * twill)
    grain = rng.normal(0.0, 4.0, (SIZE, SIZE, 1)).astype(np.float32)  # knit texture, not flat paint
    return np.asarray(cloth + grain, np.float32)


def _details(image: np.ndarray, garment: Category) -> None:
    """Seams, collar rib and hems, drawn in place: what makes a flat shape read as clothing."""
    dark = (18, 24, 48) if garment is Category.UPPER else (90, 14, 22) if garment is Category.DRESS else (26, 40, 74)
    if garment is Category.UPPER:
        cv2.ellipse(image, (256, 64), (42, 30), 0, 0, 180, (22, 32, 66), -1)  # inside of the back neck
        cv2.ellipse(image, (256, 64), (42, 30), 0, 0, 180, (40, 58, 110), 5)  # rib collar
        for side in (-1, 1):
            x_out, x_in = 256 + side * (256 - 76), 256 + side * (256 - 110)
            cv2.line(image, (x_out + side * -6, 172), (x_in + side * -4, 200), dark, 2)  # sleeve hem
        cv2.line(image, (166, 440), (346, 440), dark, 2)  # body hem
    elif garment is Category.DRESS:
        cv2.ellipse(image, (256, 70), (34, 34), 0, 0, 180, dark, 4)  # neckline facing
        cv2.line(image, (196, 226), (316, 226), dark, 3)  # waist seam
    else:
        cv2.line(image, (170, 74), (342, 74), dark, 2)  # waistband
        cv2.line(image, (256, 74), (256, 200), dark, 2)  # fly
        for x in (196, 316):
            cv2.rectangle(image, (x - 6, 56), (x + 6, 76), dark, 2)  # belt loops
        for side in (-1, 1):
            cv2.line(image, (256 + side * 86, 80), (256 + side * 116, 486), dark, 1)  # side seams


def sample_outline(garment: Category = Category.UPPER) -> np.ndarray:
    """uint8 {0, 1}: exactly where `sample_garment` draws the garment (its true mask)."""
    mask = np.zeros((SIZE, SIZE), np.uint8)
    cv2.fillPoly(mask, _outline(garment), 1)
    if garment is Category.LOWER:  # the two legs share the seat
        cv2.rectangle(mask, (170, 56), (342, 200), 1, -1)
    return mask


def sample_garment(garment: Category = Category.UPPER) -> np.ndarray:
    """A synthetic product photo of a garment of this class: RGB uint8, SIZE x SIZE."""
    rng = np.random.default_rng(7)
    mask = sample_outline(garment)
    cloth = _fabric(garment, rng)
    # Soft light from the top left and two gentle folds: a flat-lay shot is never evenly lit.
    ys, xs = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    light = 1.05 - 0.12 * (xs + ys) / (2 * SIZE)
    light -= 0.08 * np.exp(-(((xs - 215) / 9) ** 2)) * (ys > 200) + 0.06 * np.exp(-(((xs - 300) / 12) ** 2))
    cloth = np.clip(cloth * light[..., None], 0, 255)
    shadow = cv2.GaussianBlur(np.roll(mask, (6, 4), axis=(0, 1)).astype(np.float32), (0, 0), 6)
    image = np.array(BACKGROUND, np.float32) * (1 - 0.10 * shadow[..., None])
    image = np.where(mask[..., None] > 0, cloth, image)
    out = np.clip(image, 0, 255).astype(np.uint8)
    _details(out, garment)
    out[mask == 0] = np.clip(image[mask == 0], 0, 255).astype(np.uint8)  # details stay on the cloth
    return out
