"""Stage client: body landmarks through any InferenceClient."""

from __future__ import annotations

import asyncio

import numpy as np

from fittingroom.common.body import Pose
from fittingroom.common.inference import InferenceClient
from fittingroom.pose.processing import decode_pose, pose_input
from fittingroom.pose.spec import POSE_LANDMARK


class PoseEstimator:
    def __init__(self, client: InferenceClient) -> None:
        self.client = client

    async def estimate(self, image: np.ndarray, person_box: tuple[int, int, int, int], *,
                       version: int | None = None, timeout_s: float | None = None) -> Pose:
        """Landmarks of the person inside `person_box` (found by the person mask), in image pixels."""
        batch, to_image = await asyncio.to_thread(pose_input, image, person_box)
        out = await self.client.infer(POSE_LANDMARK.name, {"image": batch}, version, timeout_s=timeout_s)
        return decode_pose(out["landmarks"][0], out["pose_flag"][0], to_image)
