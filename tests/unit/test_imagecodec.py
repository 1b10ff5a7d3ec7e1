"""Untrusted image bytes: each bad upload is a precise error, checked before pixels are decoded."""

from __future__ import annotations

import io
import zlib

import numpy as np
import pytest
from PIL import Image

from fittingroom.common.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType
from fittingroom.common.imagecodec import decode_image, encode_image, limit_side

LIMIT = 10_000_000


def _encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that claims huge dimensions: a decompression bomb's header."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (len(data).to_bytes(4, "big") + kind + data
                + zlib.crc32(kind + data).to_bytes(4, "big"))
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def test_round_trip_png() -> None:
    pixels = np.random.default_rng(0).integers(0, 256, (40, 50, 3), dtype=np.uint8)
    data, media_type = encode_image(pixels, "png")
    assert media_type == "image/png"
    np.testing.assert_array_equal(decode_image(data, field="person", max_pixels=LIMIT), pixels)


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (b"", InvalidInput, "empty"),
        (b"hello, I am text", UnsupportedMediaType, "not a readable"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", UnsupportedMediaType, "not a readable"),
        (b"%PDF-1.4\n", UnsupportedMediaType, "not a readable"),
        (_png_header_only(100_000, 100_000), PayloadTooLarge, "limit"),
    ],
)
def test_bad_bytes(data: bytes, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        decode_image(data, field="person", max_pixels=LIMIT)


def test_truncated_jpeg_is_corrupt() -> None:
    data = _encode(Image.new("RGB", (200, 200), "red"), "JPEG")
    with pytest.raises(InvalidInput, match="corrupt or truncated"):
        decode_image(data[: len(data) // 2], field="person", max_pixels=LIMIT)


def test_truncated_png_is_corrupt_and_nothing_is_printed(capfd: pytest.CaptureFixture[str]) -> None:
    """The error is the answer's; no codec writes its own line to the server's stderr (logs carry no image talk)."""
    pixels = np.random.default_rng(1).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    data = _encode(Image.fromarray(pixels), "PNG")
    with pytest.raises(InvalidInput, match="corrupt or truncated"):
        decode_image(data[: len(data) // 2], field="person", max_pixels=LIMIT)
    assert capfd.readouterr().err == ""


@pytest.mark.parametrize("options", [{}, {"optimize": True}, {"compress_level": 0}])
def test_rgb_png_decodes_as_pillow_does(options: dict[str, object]) -> None:
    """8-bit RGB PNGs take OpenCV's faster decoder: the pixels must be Pillow's, whatever the encoder chose."""
    pixels = np.random.default_rng(2).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    data = _encode(Image.fromarray(pixels), "PNG", **options)
    np.testing.assert_array_equal(decode_image(data, field="person", max_pixels=LIMIT), pixels)


def test_png_orientation_is_honoured() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    rgb = decode_image(_encode(Image.new("RGB", (80, 40), "blue"), "PNG", exif=exif), field="person",
                       max_pixels=LIMIT)
    assert rgb.shape[:2] == (80, 40)


def test_gif_is_not_accepted() -> None:
    with pytest.raises(UnsupportedMediaType, match="GIF"):
        decode_image(_encode(Image.new("RGB", (64, 64)), "GIF"), field="style", max_pixels=LIMIT)


def test_too_small() -> None:
    with pytest.raises(InvalidInput, match="at least"):
        decode_image(_encode(Image.new("RGB", (1, 1)), "PNG"), field="person", max_pixels=LIMIT)


def test_side_limit() -> None:
    with pytest.raises(PayloadTooLarge, match="per side"):
        decode_image(_encode(Image.new("RGB", (5000, 40)), "PNG"), field="person", max_pixels=LIMIT, max_side=4096)


@pytest.mark.parametrize("mode", ["L", "P", "RGBA", "CMYK", "I;16"])
def test_every_mode_becomes_rgb(mode: str) -> None:
    fmt = "JPEG" if mode == "CMYK" else "PNG"
    rgb = decode_image(_encode(Image.new(mode, (64, 48)), fmt), field="person", max_pixels=LIMIT)
    assert rgb.shape == (48, 64, 3) and rgb.dtype == np.uint8


def test_exif_orientation_is_honoured() -> None:
    image = Image.new("RGB", (80, 40), "blue")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise for display
    rgb = decode_image(_encode(image, "JPEG", exif=exif), field="person", max_pixels=LIMIT)
    assert rgb.shape[:2] == (80, 40)


def test_transparent_pixels_become_white() -> None:
    rgb = decode_image(_encode(Image.new("RGBA", (40, 40), (0, 0, 0, 0)), "PNG"), field="x", max_pixels=LIMIT)
    assert (rgb == 255).all()


def test_unknown_output_format() -> None:
    with pytest.raises(InvalidInput, match="not supported"):
        encode_image(np.zeros((4, 4, 3), np.uint8), "bmp")


def test_limit_side_keeps_aspect() -> None:
    assert limit_side(np.zeros((400, 200, 3), np.uint8), 100).shape == (100, 50, 3)
    assert limit_side(np.zeros((40, 20, 3), np.uint8), 100).shape == (40, 20, 3)
