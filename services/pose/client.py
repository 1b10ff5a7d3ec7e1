"""Stage client: body landmarks through any InferenceClient."""

from __future__ import annotations

import asyncio

import numpy as np

from fittingroom.common.body import Pose
from fittingroom.common.inference import InferenceClient
from fittingroom.pose.processing import decode_pose, merge_mirrored, pose_input, with_mirror
from fittingroom.pose.spec import POSE_LANDMARK


class PoseEstimator:
    def __init__(self, client: InferenceClient) -> None:
        self.client = client

    async def estimate(self, image: np.ndarray, person_box: tuple[int, int, int, int], *,
                       version: int | None = None, timeout_s: float | None = None) -> Pose:
        """Landmarks of the person inside `person_box` (found by the person mask), in image pixels: the mean of
        the model's answers on the crop and on its mirror image (`processing.merge_mirrored`)."""
        batch, to_image = await asyncio.to_thread(pose_input, image, person_box)
        out = await self.client.infer(POSE_LANDMARK.name, {"image": with_mirror(batch)}, version, timeout_s=timeout_s)
        return decode_pose(merge_mirrored(out["landmarks"]), np.mean(out["pose_flag"], axis=0), to_image)
