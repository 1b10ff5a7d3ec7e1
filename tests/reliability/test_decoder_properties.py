"""Property: whatever bytes arrive, `decode_image` returns an RGB uint8 array or raises one of our
InvalidInput errors (413/415/422), never anything else (which the gateway would answer with a 500).

Random bytes alone rarely get past the format sniffing, so most examples start from real JPEG, PNG,
WebP and GIF files and damage them: truncation, byte flips, splices and patched header fields.
"""

from __future__ import annotations

import io
import struct

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from fittingroom.common.errors import InvalidInput
from fittingroom.common.imagecodec import decode_image
from fittingroom.gateway.errors import http_status

MAX_PIXELS, MAX_SIDE = 4_000_000, 4096
# Enough examples to find the classic crashes (codec errors outside OSError), quick on 2 cores.
PROPERTY = settings(max_examples=300, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


def _seed(fmt: str, mode: str = "RGB", **options: object) -> bytes:
    y, x = np.mgrid[0:40, 0:48]
    pixels = np.stack([x * 5, y * 6, (x + y) * 3], axis=-1).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).convert(mode).save(buffer, format=fmt, **options)
    return buffer.getvalue()


SEEDS = [
    _seed("JPEG", quality=85), _seed("JPEG", "CMYK"), _seed("JPEG", "L", progressive=True),
    _seed("PNG"), _seed("PNG", "RGBA"), _seed("PNG", "P"), _seed("PNG", "I;16"), _seed("PNG", "LA"),
    _seed("WEBP", quality=80), _seed("WEBP", "RGBA", lossless=True), _seed("GIF"),
]


def check(data: bytes) -> None:
    try:
        image = decode_image(data, field="person", max_pixels=MAX_PIXELS, max_side=MAX_SIDE)
    except InvalidInput as error:
        assert error.field == "person" and http_status(error) in (413, 415, 422)
        assert "person" in error.message
        return
    assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3
    assert image.shape[0] * image.shape[1] <= MAX_PIXELS and max(image.shape[:2]) <= MAX_SIDE


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        operation = draw(st.sampled_from(["truncate", "flip", "splice", "patch32", "insert"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if operation == "truncate":
            del data[at:]
        elif operation == "flip":
            data[at] ^= draw(st.integers(1, 255))
        elif operation == "splice":
            data[at:at + draw(st.integers(1, 64))] = draw(st.binary(min_size=0, max_size=64))
        elif operation == "patch32":  # header fields (sizes, lengths, offsets) are mostly 16/32-bit integers
            data[at:at + 4] = struct.pack(">I", draw(st.sampled_from([0, 1, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF])))
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=32))
    return bytes(data)


@PROPERTY
@given(st.binary(max_size=2048))
@example(b"")
@example(b"\x89PNG\r\n\x1a\n")
@example(b"\xff\xd8\xff")
@example(b"RIFF\x00\x00\x00\x00WEBPVP8 ")
def test_any_bytes_decode_or_raise_invalid_input(data: bytes) -> None:
    check(data)


@PROPERTY
@given(st.sampled_from([b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"RIFF\x10\x00\x00\x00WEBPVP8L", b"GIF89a"]),
       st.binary(max_size=512))
def test_magic_bytes_then_garbage(magic: bytes, rest: bytes) -> None:
    check(magic + rest)


@PROPERTY
@given(damaged())
def test_damaged_real_images(data: bytes) -> None:
    check(data)
