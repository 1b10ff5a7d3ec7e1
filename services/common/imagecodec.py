"""Decode untrusted image bytes into RGB arrays, and encode results. Limits are checked before pixels
are decoded, so a decompression bomb costs a header parse, not gigabytes."""

from __future__ import annotations

import io
import warnings

import cv2
import fpng
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from fittingroom.common.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType

ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
OUTPUT_FORMATS = {"png": ("PNG", "image/png"), "jpeg": ("JPEG", "image/jpeg"), "webp": ("WEBP", "image/webp")}
MIN_SIDE = 32
PNG_TRUECOLOUR = 2  # IHDR colour type of RGB without alpha
PNG_END = b"IEND\xaeB`\x82"  # the last chunk's type and CRC: the last 8 bytes of every complete PNG


def decode_image(data: bytes, *, field: str, max_pixels: int, max_side: int | None = None) -> np.ndarray:
    """JPEG/PNG/WebP bytes -> HxWx3 uint8 RGB, EXIF orientation applied, alpha flattened on white."""
    if not data:
        raise InvalidInput(f"'{field}' is empty; send a JPEG, PNG or WebP image", field=field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            fmt = image.format or "unknown"
            if fmt not in ACCEPTED_FORMATS:
                raise UnsupportedMediaType(
                    f"'{field}' is {fmt}; accepted formats are JPEG, PNG and WebP", field=field)
            width, height = image.size
            if width * height > max_pixels or (max_side and max(width, height) > max_side):
                raise PayloadTooLarge(
                    f"'{field}' is {width}x{height}; the limit is {max_pixels} pixels"
                    + (f" and {max_side} px per side" if max_side else ""), field=field)
            if min(width, height) < MIN_SIDE:
                raise InvalidInput(f"'{field}' is {width}x{height}; both sides need at least {MIN_SIDE} px",
                                   field=field)
            if getattr(image, "n_frames", 1) > 1:
                raise InvalidInput(f"'{field}' is animated; send a single still image", field=field)
            if _plain_rgb_png(image, data):
                return _decode_plain_png(data, field)
            ImageOps.exif_transpose(image, in_place=True)  # not a copy: without a rotation that is a full copy
            rgb = _to_rgb(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own guard fired while reading the header: far beyond our limit too.
        raise PayloadTooLarge(f"'{field}' declares too many pixels; the limit is {max_pixels} pixels",
                              field=field) from exc
    except UnidentifiedImageError as exc:
        raise UnsupportedMediaType(f"'{field}' is not a readable JPEG, PNG or WebP image", field=field) from exc
    except (OSError, SyntaxError, ValueError) as exc:  # truncated or corrupt data, raised by the codecs
        raise InvalidInput(f"'{field}' is corrupt or truncated ({exc})", field=field) from exc
    return rgb


def _plain_rgb_png(image: Image.Image, data: bytes) -> bool:
    """An 8-bit RGB PNG without transparency or EXIF: what OpenCV's libpng decodes as Pillow would.

    Pillow's PNG decoder takes 8 ms for a 512 px photo where libpng through OpenCV takes 3 (and drops the
    GIL); decoding the uploads was half of the gateway's own time. Everything else (alpha to flatten, 16-bit,
    palettes, an orientation to apply) keeps Pillow's path.
    """
    bit_depth, colour_type = data[24:26]  # the IHDR chunk always comes first
    # A truncated file (no IEND at its end) goes to Pillow, whose error names it; libpng would also print its
    # own error line to the server's stderr.
    return (image.format == "PNG" and bit_depth == 8 and colour_type == PNG_TRUECOLOUR
            and "transparency" not in image.info and b"eXIf" not in data and data.endswith(PNG_END))


def _decode_plain_png(data: bytes, field: str) -> np.ndarray:
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)
    if bgr is None:
        raise InvalidInput(f"'{field}' is corrupt or truncated (PNG data could not be decoded)", field=field)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)  # 0.02 ms for 512 px; numpy's reversed-axis copy takes 1.9


def _to_rgb(image: Image.Image) -> np.ndarray:
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        wide = np.asarray(image, dtype=np.uint32)
        image = Image.fromarray((wide >> 8 if wide.max() > 255 else wide).astype(np.uint8))
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    # One copy of the pixels, not three: convert() copies even an RGB image, and asarray().copy() copies twice.
    # At the pixel limit each copy is ~120 MB (measured peak for 36 Mpx: 619 MB before, see test_bomb_memory).
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    return np.array(rgb, dtype=np.uint8)


def encode_image(image: np.ndarray, fmt: str = "png", *, quality: int = 90) -> tuple[bytes, str]:
    """RGB uint8 -> (bytes, media type) for `png`, `jpeg` or `webp`."""
    if fmt not in OUTPUT_FORMATS:
        raise InvalidInput(f"output format '{fmt}' is not supported; use one of {sorted(OUTPUT_FORMATS)}",
                           field="format")
    pil_format, media_type = OUTPUT_FORMATS[fmt]
    if fmt == "png":
        # fpng: 1.5 ms for the 512 px answer where Pillow's zlib at level 1 takes 20 (at level 6, 72), for the
        # same size within 1 %; the encode was most of the gateway's own latency (bench/README.md).
        return fpng.from_ndarray(np.ascontiguousarray(image)), media_type
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format=pil_format, quality=quality)
    return buffer.getvalue(), media_type


def limit_side(image: np.ndarray, max_side: int) -> np.ndarray:
    """Shrink so that the longer side is at most `max_side` (aspect kept); smaller images pass through."""
    height, width = image.shape[:2]
    if max(height, width) <= max_side:
        return image
    scale = max_side / max(height, width)
    pil = Image.fromarray(image).resize((max(1, round(width * scale)), max(1, round(height * scale))),
                                        Image.Resampling.LANCZOS)
    return np.asarray(pil)
