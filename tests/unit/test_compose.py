"""The shading-preserving composite: outside the mask untouched, inside the garment's light kept."""

from __future__ import annotations

import numpy as np

from fittingroom.warp_gen.compose import composite, feathered_alpha, fit_cover

RNG = np.random.default_rng(1)


def _scene() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    person = RNG.integers(0, 256, (120, 100, 3), dtype=np.uint8)
    # A garment lit from the left: a horizontal luminance ramp, like a fold catching light.
    ramp = np.linspace(60, 220, 60).astype(np.uint8)
    person[30:90, 20:80] = ramp[None, :, None]
    mask = np.zeros((120, 100), np.uint8)
    mask[30:90, 20:80] = 1
    design = np.full((50, 50, 3), (200, 40, 40), np.uint8)
    return person, design, mask


def test_pixels_outside_the_mask_are_unchanged() -> None:
    person, design, mask = _scene()
    out = composite(person, design, mask)
    np.testing.assert_array_equal(out[mask == 0], person[mask == 0])


def test_design_follows_the_garment_shading() -> None:
    person, design, mask = _scene()
    out = composite(person, design, mask, feather_px=1)
    row = out[60, 25:75, 0].astype(float)  # red channel across the lit ramp
    assert np.corrcoef(row, np.arange(row.size))[0, 1] > 0.95  # brighter where the garment is brighter
    assert out[60, 50, 0] > out[60, 50, 1] + 50  # and it is the design's colour


def test_zero_opacity_returns_the_person() -> None:
    person, design, mask = _scene()
    np.testing.assert_array_equal(composite(person, design, mask, opacity=0.0), person)


def test_empty_mask_returns_the_person() -> None:
    person, design, _ = _scene()
    np.testing.assert_array_equal(composite(person, design, np.zeros((120, 100), np.uint8)), person)


def test_feathered_alpha_is_soft_inside_and_zero_outside() -> None:
    mask = np.zeros((50, 50), np.uint8)
    mask[10:40, 10:40] = 1
    alpha = feathered_alpha(mask, 4)
    assert alpha[mask == 0].max() == 0.0
    assert alpha[25, 25] > 0.99 and 0.0 < alpha[25, 11] < 0.6


def test_fit_cover_fills_the_box_without_distortion() -> None:
    design = np.zeros((100, 200, 3), np.uint8)
    assert fit_cover(design, (0, 0, 30, 60)).shape == (60, 30, 3)
