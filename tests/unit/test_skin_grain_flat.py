"""The repainted skin's grain is read where the visible skin's light is flat, on synthetic images."""

from __future__ import annotations

import cv2
import numpy as np

from fittingroom.warp_gen.skin_fill import LUMA, add_grain, flat_skin

H, W = 120, 100
SKIN = (150, 100, 75)  # a darker skin: the blotches showed most on it
GRAIN = 0.015


def _skin(seed: int, highlights: float) -> np.ndarray:
    """HxWx3 uint8: SKIN with a fine grain of GRAIN (white noise over 0.6 px), and on its upper half a glossy
    skin's highlights and shades: smooth spots ~2 px across of relative strength `highlights`."""
    rng = np.random.default_rng(seed)
    grain = cv2.GaussianBlur(rng.normal(0.0, 1.0, (H, W)).astype(np.float32), (0, 0), 0.6)
    grain *= GRAIN / grain.std()
    spots = cv2.GaussianBlur(rng.normal(0.0, 1.0, (H, W)).astype(np.float32), (0, 0), 2.0)
    spots *= highlights / spots.std()
    spots[H // 2:] = 0.0
    return np.clip(np.array(SKIN, np.float32) * (1.0 + grain + spots)[..., None], 0, 255).astype(np.uint8)


def _painted(person: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The skin seen on the left half, flat paint on the right: (to_skin, the paint's relative brightness)."""
    visible = np.zeros((H, W), bool)
    visible[:, :50] = True
    to_skin = ~visible
    painted = np.where(to_skin[..., None], np.array(SKIN, np.float32), 0.0).astype(np.float32)
    out = add_grain(painted, person, to_skin, visible)
    return to_skin, (out @ LUMA) / (np.array(SKIN, np.float32) @ LUMA)


def _coarse(relative: np.ndarray) -> float:
    """What is left of the paint's grain after a blur over 2 px (blotches), inside the paint."""
    return float(cv2.GaussianBlur(relative.astype(np.float32), (0, 0), 2.0)[10:110, 60:90].std())


def test_a_glossy_skins_highlights_lend_the_paint_no_blotches() -> None:
    """Highlights and shades a few px across are light, not grain: the paint takes the grain the same skin has
    when evenly lit (read where the skin is flat), not the highlights' spread and coarseness."""
    to_skin, even = _painted(_skin(1, 0.0))
    _, glossy = _painted(_skin(1, 0.08))
    assert float(glossy[to_skin].std()) <= 1.25 * float(even[to_skin].std())
    assert _coarse(glossy) <= 1.25 * _coarse(even)


def test_the_flat_skin_is_away_from_the_highlights_and_deterministic() -> None:
    person = _skin(3, 0.08)
    inside = np.zeros((H, W), bool)
    inside[5:115, 5:45] = True
    flat = flat_skin(person, inside, max(H, W))
    assert flat.sum() >= 200
    assert not (flat & ~inside).any()
    assert flat[H // 2 + 5:].sum() >= 0.8 * flat.sum()  # the highlights' half is mostly left out
    assert np.array_equal(flat, flat_skin(person, inside, max(H, W)))
