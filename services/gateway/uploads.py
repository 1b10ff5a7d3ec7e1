"""Reading an uploaded image: one size rule and one answer for every route (413 when too large)."""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from fastapi import UploadFile

from fittingroom.common.errors import PayloadTooLarge
from fittingroom.common.imagecodec import decode_image
from fittingroom.gateway.settings import Settings


@functools.cache
def _decoders(threads: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=threads, thread_name_prefix="decode")


async def read_image(settings: Settings, upload: UploadFile, field: str) -> np.ndarray:
    """The upload decoded to RGB uint8, off the event loop, on the few decode threads (TRYON_DECODE_THREADS)."""
    data = await upload.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise PayloadTooLarge(f"'{field}' is larger than {settings.max_upload_bytes} bytes", field=field)
    decode = functools.partial(decode_image, data, field=field, max_pixels=settings.max_image_pixels,
                               max_side=settings.max_image_side)
    return await asyncio.get_running_loop().run_in_executor(_decoders(settings.decode_threads), decode)
