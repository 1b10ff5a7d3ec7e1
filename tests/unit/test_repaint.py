"""Repainting what a new garment leaves of the old one, on synthetic images."""

from __future__ import annotations

import numpy as np

from fittingroom.warp_gen.dress import repaint_uncovered, skin_tone

H, W = 120, 100
BACKDROP = (230, 232, 235)
OLD = (200, 30, 40)  # the old garment: red
SKIN = (210, 160, 130)


def _scene() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A red old garment over a body (x 30..70) on a plain backdrop; skin shows on the face (rows 0..20)."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    image[0:20, 35:65] = SKIN
    image[30:100, 20:80] = OLD  # wider than the body: the old garment stands off it
    body = np.zeros((H, W), np.uint8)
    body[20:110, 30:70] = 1
    skin = np.zeros((H, W), np.uint8)
    skin[0:20, 35:65] = 1
    old = np.all(image == OLD, axis=2)
    return image, body, skin, old


def test_uncovered_old_garment_becomes_skin_on_the_body_and_backdrop_beside_it() -> None:
    image, body, skin, old = _scene()
    new = np.zeros((H, W), bool)
    new[30:80, 20:80] = True  # a shorter new garment: rows 80..100 of the old one are left uncovered
    uncovered = old & ~new
    out = repaint_uncovered(image, uncovered, body, skin, old | new)
    assert np.abs(out[90, 50].astype(int) - SKIN).max() <= 25  # on the body: the shopper's skin tone
    assert np.abs(out[90, 24].astype(int) - BACKDROP).max() <= 6  # beside it: the backdrop, not red, not skin
    assert np.array_equal(out[~uncovered], image[~uncovered])  # nothing else changes


def test_skin_tone_is_the_visible_skin_or_a_default_when_none_shows() -> None:
    image, _, skin, _ = _scene()
    assert np.allclose(skin_tone(image, skin), SKIN)
    assert skin_tone(image, np.zeros_like(skin)).shape == (3,)
