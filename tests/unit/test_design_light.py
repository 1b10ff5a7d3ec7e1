"""Design mode prints on the worn garment's folds and light, not on its own print."""

from __future__ import annotations

import numpy as np

from fittingroom.common.garment import Category
from fittingroom.tryon.design import DesignPipeline
from fittingroom.tryon.requests import DesignRequest
from fittingroom.warp_gen.compose import composite


def test_the_worn_garments_print_does_not_show_through_but_its_broad_light_does() -> None:
    height, width = 256, 200
    person = np.full((height, width, 3), 230, np.uint8)
    mask = np.zeros((height, width), np.uint8)
    mask[40:220, 40:160] = 1
    # A patterned garment: 4 px stripes of dark and light, under light falling off from left to right.
    stripes = np.where((np.arange(width) // 4) % 2 == 0, 70.0, 190.0)[None, :]
    falloff = np.linspace(1.15, 0.75, width)[None, :]
    garment = np.clip(stripes * falloff, 0, 255).astype(np.uint8)
    person[mask > 0] = np.repeat(np.broadcast_to(garment, (height, width))[..., None], 3, axis=2)[mask > 0]
    design = np.full((64, 64, 3), (60, 160, 200), np.uint8)
    request = DesignRequest(person, design, design, Category.UPPER, opacity=1.0)
    out = DesignPipeline.composite(request, design, mask).astype(np.float32)
    plain = composite(person, design, mask, opacity=1.0).astype(np.float32)  # the garment's luminance as light

    def stripes_left(image: np.ndarray) -> float:
        return float(np.mean(np.abs(np.diff(image[130, 60:140, 2]))))

    assert stripes_left(out) < 0.2 * stripes_left(plain)
    assert float(out[130, 50:70, 2].mean()) > float(out[130, 130:150, 2].mean()) + 10  # the light falls off
    np.testing.assert_array_equal(out[mask == 0], person[mask == 0])
