"""Stage client: arbitrary style transfer through any InferenceClient."""

from __future__ import annotations

import asyncio

import numpy as np

from fittingroom.common.inference import InferenceClient
from fittingroom.stylize.processing import content_input, style_input, stylized_output
from fittingroom.stylize.spec import STYLE_PREDICT, STYLE_TRANSFORM


class StyleTransfer:
    def __init__(self, client: InferenceClient) -> None:
        self.client = client

    async def style_vector(self, artwork: np.ndarray, *, version: int | None = None,
                           timeout_s: float | None = None) -> np.ndarray:
        """The artwork's 100-d style embedding, [1, 1, 1, 100]."""
        batch = await asyncio.to_thread(style_input, artwork)
        out = await self.client.infer(STYLE_PREDICT.name, {"style_image": batch}, version, timeout_s=timeout_s)
        return out["style_vector"]

    async def stylize(self, content: np.ndarray, style_vector: np.ndarray, *, version: int | None = None,
                      timeout_s: float | None = None) -> np.ndarray:
        """The content image painted in the style, uint8 RGB at the transformer's resolution."""
        batch, valid = await asyncio.to_thread(content_input, content)
        out = await self.client.infer(STYLE_TRANSFORM.name,
                                      {"content_image": batch, "style_vector": style_vector}, version,
                                      timeout_s=timeout_s)
        return await asyncio.to_thread(stylized_output, out["stylized"][0], valid)
