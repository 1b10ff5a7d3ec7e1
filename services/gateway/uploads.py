"""Reading an uploaded image: one size rule and one answer for every route (413 when too large)."""

from __future__ import annotations

import asyncio

import numpy as np
from fastapi import UploadFile

from fittingroom.common.errors import PayloadTooLarge
from fittingroom.common.imagecodec import decode_image
from fittingroom.gateway.settings import Settings


async def read_image(settings: Settings, upload: UploadFile, field: str) -> np.ndarray:
    """The upload decoded to RGB uint8; decoding (up to 40 MP) runs off the event loop."""
    data = await upload.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise PayloadTooLarge(f"'{field}' is larger than {settings.max_upload_bytes} bytes", field=field)
    return await asyncio.to_thread(decode_image, data, field=field, max_pixels=settings.max_image_pixels,
                                   max_side=settings.max_image_side)
