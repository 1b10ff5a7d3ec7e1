"""Stage client: where the shopper is, from BlazePose's person detector, through any InferenceClient."""

from __future__ import annotations

import asyncio

import numpy as np

from fittingroom.common.inference import InferenceClient
from fittingroom.pose.detection import PersonDetection, decode_detection, detection_input
from fittingroom.pose.spec import POSE_DETECTION


class PersonDetector:
    """The most confident person, and the square MediaPipe crops around them for the landmark model."""

    def __init__(self, client: InferenceClient) -> None:
        self.client = client

    async def detect(self, image: np.ndarray, *, version: int | None = None,
                     timeout_s: float | None = None) -> PersonDetection | None:
        batch, to_image = await asyncio.to_thread(detection_input, image)
        out = await self.client.infer(POSE_DETECTION.name, {"image": batch}, version, timeout_s=timeout_s)
        return decode_detection(out["boxes"][0], out["scores"][0], to_image)
