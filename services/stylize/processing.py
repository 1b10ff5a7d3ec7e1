"""Pure numpy pre/post-processing for the style transfer models."""

from __future__ import annotations

import numpy as np

from fittingroom.common.images import resize, to_float, to_uint8
from fittingroom.stylize.spec import CONTENT_SIZE, STYLE_SIZE


def style_input(artwork: np.ndarray) -> np.ndarray:
    """Centre square crop of the artwork at the predictor's size, as [1, 256, 256, 3] float32."""
    h, w = artwork.shape[:2]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    square = artwork[top:top + side, left:left + side]
    return to_float(resize(square, STYLE_SIZE, STYLE_SIZE))[None]


def content_input(content: np.ndarray) -> tuple[np.ndarray, tuple[int, int]]:
    """Fit the content image in the transformer's square input, reflect-padding the rest.

    Returns the [1, 384, 384, 3] batch and the (height, width) of the valid region.
    """
    h, w = content.shape[:2]
    scale = CONTENT_SIZE / max(h, w)
    sh, sw = max(1, round(h * scale)), max(1, round(w * scale))
    small = to_float(resize(content, sw, sh))
    pad = ((0, CONTENT_SIZE - sh), (0, CONTENT_SIZE - sw), (0, 0))
    # Reflection needs at least two pixels; a 1-pixel-thin image repeats its edge instead.
    padded = np.pad(small, pad, mode="reflect") if min(sh, sw) > 1 else np.pad(small, pad, mode="edge")
    return padded[None], (sh, sw)


def stylized_output(stylized: np.ndarray, valid: tuple[int, int]) -> np.ndarray:
    """The valid region of one stylized output as uint8 RGB."""
    sh, sw = valid
    return to_uint8(stylized[:sh, :sw])
