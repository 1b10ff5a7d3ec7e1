"""Stage clients: salient-object masks (person or garment) and person masks through any InferenceClient.

Pre- and post-processing run in worker threads, as in every stage client: a photo of many megapixels would
otherwise hold the event loop that every other request shares.
"""

from __future__ import annotations

import asyncio

import numpy as np

from fittingroom.common.inference import InferenceClient
from fittingroom.segment.processing import selfie_input, selfie_mask, u2net_input, u2net_mask
from fittingroom.segment.spec import SELFIE_SEGMENTATION, U2NETP


class SalientMask:
    def __init__(self, client: InferenceClient, model: str = U2NETP.name) -> None:
        self.client = client
        self.model = model

    async def mask(self, image: np.ndarray, *, version: int | None = None,
                   timeout_s: float | None = None) -> np.ndarray:
        """Probability map in [0, 1] at the image's size."""
        batch = await asyncio.to_thread(u2net_input, image)
        out = await self.client.infer(self.model, {"image": batch}, version, timeout_s=timeout_s)
        return await asyncio.to_thread(u2net_mask, out["mask"][0], image.shape[0], image.shape[1])


class PersonMask:
    """The shopper's silhouette from MediaPipe's selfie segmentation (a few ms, vs U²-NetP's 240 ms)."""

    def __init__(self, client: InferenceClient) -> None:
        self.client = client

    async def mask(self, image: np.ndarray, *, version: int | None = None,
                   timeout_s: float | None = None) -> np.ndarray:
        """Person probability in [0, 1] at the image's size."""
        batch = await asyncio.to_thread(selfie_input, image)
        out = await self.client.infer(SELFIE_SEGMENTATION.name, {"image": batch}, version, timeout_s=timeout_s)
        return await asyncio.to_thread(selfie_mask, out["mask"][0], image.shape[0], image.shape[1])
