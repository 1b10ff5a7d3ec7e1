"""The bad-input corpus: hostile and unusual uploads, each with the answer the gateway must give.

Every file is generated here from fixed pixels, so the corpus is deterministic and nothing binary is
committed; `manifest.json` (committed) lists each case with its sha256 and the expected outcome, and
a test regenerates the corpus and compares. Run `python tests/corpus/make_corpus.py [DIR]` to write the
files (and refresh the manifest) for a look by hand.

Image cases are sent as the `person` upload of a try-on. `status` 200 means the decoder accepts it
(with the checks in `expect`); the HTTP test then proves it through the API by sending it with an empty
`style`, whose 422 names `style`: so `person` got through. Request cases are whole HTTP requests.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import struct
import sys
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "manifest.json"
# The gateway's defaults (settings.py); the messages must quote them.
MAX_PIXELS = 40_000_000
MAX_SIDE = 8192


@dataclass(frozen=True)
class ImageCase:
    name: str
    filename: str  # what the client calls the upload: the name never decides how it is read
    content_type: str
    status: int
    code: str | None = None
    fragment: str | None = None  # a piece of the error message, naming the limit or the problem
    expect: dict[str, object] = field(default_factory=dict)  # accepted images: shape and pixel checks


@dataclass(frozen=True)
class RequestCase:
    name: str
    method: str
    path: str
    status: int
    code: str
    fragment: str
    field: str
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # upload field -> image case name ("" = empty file)
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None  # a raw body (sent as application/json)


# -- pixels ----------------------------------------------------------------------------------------


def gradient(width: int, height: int) -> np.ndarray:
    """A fixed RGB picture: a gradient with a dark block in the top-left corner (to check orientation)."""
    y, x = np.mgrid[0:height, 0:width]
    image = np.stack([x * 255 // max(width - 1, 1), y * 255 // max(height - 1, 1),
                      (x + y) * 255 // max(width + height - 2, 1)], axis=-1).astype(np.uint8)
    image[: height // 4, : width // 4] = (0, 0, 0)
    return image


def save(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def rgb(width: int = 64, height: int = 48) -> Image.Image:
    return Image.fromarray(gradient(width, height))


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A PNG header claiming width x height over one tiny compressed row: a bomb costs its header only."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
            + png_chunk(b"IDAT", zlib.compress(b"\0" * (1 + 3 * 64), 9)) + png_chunk(b"IEND", b""))


def zero_png(width: int, height: int) -> bytes:
    """A real image of zeros: compresses about 1000:1, so 36 Mpx (108 MB decoded) is about 100 KB."""
    raw = zlib.compress((b"\0" * (1 + 3 * width)) * height, 9)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", raw) + png_chunk(b"IEND", b"")


def jpeg_declaring(width: int, height: int) -> bytes:
    """A real small JPEG whose frame header (SOF0) is patched to claim width x height."""
    data = bytearray(save(rgb(), "JPEG", quality=80))
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def corrupt_png() -> bytes:
    """Damage inside the compressed pixel data: the chunk CRC no longer matches."""
    data = bytearray(save(rgb(), "PNG"))
    start = data.index(b"IDAT") + 4
    for offset in range(20, 40):
        data[start + offset] ^= 0xFF
    return bytes(data)


def corrupt_jpeg_header() -> bytes:
    """A JPEG whose Huffman tables are garbage: no decoder can make sense of the stream."""
    data = bytearray(save(rgb(), "JPEG", quality=80))
    dht = data.index(b"\xff\xc4")
    for offset in range(5, 40):
        data[dht + offset] = 0xFF
    return bytes(data)


def corrupt_jpeg_scan() -> bytes:
    """Restart markers written over part of the entropy-coded scan: libjpeg resynchronises and decodes
    the image with visible damage (a warning, not an error), as browsers do."""
    data = save(rgb(), "JPEG", quality=80)
    sos = data.index(b"\xff\xda")
    return data[:sos + 20] + bytes([0xFF, 0xD0]) * 20 + data[sos + 60:]


def animated(fmt: str) -> bytes:
    frames = [rgb(), Image.fromarray(255 - gradient(64, 48))]
    options: dict[str, object] = {"save_all": True, "append_images": frames[1:], "duration": 100, "loop": 0}
    if fmt == "WEBP":
        options["lossless"] = True
    return save(frames[0], fmt, **options)


def sixteen_bit_gray() -> bytes:
    values = (gradient(64, 48)[..., 0].astype(np.uint16) * 257)
    return save(Image.fromarray(values), "PNG")  # uint16 -> mode I;16


def sixteen_bit_rgb() -> bytes:
    """48-bit RGB PNG, written by hand (Pillow writes 16-bit grayscale only)."""
    pixels = gradient(64, 48).astype(">u2") * 257
    rows = b"".join(b"\0" + row.tobytes() for row in pixels)
    ihdr = struct.pack(">IIBBBBB", 64, 48, 16, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(rows, 9))
            + png_chunk(b"IEND", b""))


def exif_rotated() -> bytes:
    """Stored 64 wide x 48 high with EXIF orientation 6 (rotate 90° clockwise to display): shown 48 x 64."""
    exif = Image.Exif()
    exif[0x0112] = 6
    return save(rgb(), "JPEG", quality=95, exif=exif)


def rgba() -> bytes:
    image = rgb().convert("RGBA")
    alpha = np.full((48, 64), 255, np.uint8)
    alpha[:, 32:] = 0  # right half fully transparent: flattened on white
    image.putalpha(Image.fromarray(alpha))
    return save(image, "PNG")


def palette_transparent() -> bytes:
    image = rgb().convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    return save(image, "PNG", transparency=0)


PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] "
       b"/Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
SVG = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'
       b'<image href="http://169.254.169.254/latest/meta-data" width="64" height="64"/></svg>\n')
HTML = b"<!doctype html><html><body><img src=x onerror=alert(1)></body></html>\n"

# name -> bytes. Insertion order is the manifest's order.
BUILDERS: dict[str, Callable[[], bytes]] = {
    "zero_bytes": lambda: b"",
    "text_named_jpg": lambda: b"this is a text file, not a photo\n" * 4,
    "svg_as_png": lambda: SVG,
    "html_as_jpg": lambda: HTML,
    "pdf_as_png": lambda: PDF,
    "tiff_as_jpg": lambda: save(rgb(), "TIFF"),
    "bmp_as_png": lambda: save(rgb(), "BMP"),
    "truncated_jpeg": lambda: save(rgb(), "JPEG", quality=90)[:400],
    "truncated_png": lambda: save(rgb(), "PNG")[:-300],
    "corrupt_jpeg_header": corrupt_jpeg_header,
    "corrupt_jpeg_scan": corrupt_jpeg_scan,
    "corrupt_png": corrupt_png,
    "bomb_png_10G_pixels": lambda: png_declaring(100_000, 100_000),
    "bomb_png_over_pixel_limit": lambda: png_declaring(7000, 7000),
    "bomb_png_over_side_limit": lambda: png_declaring(MAX_SIDE + 1, 100),
    "bomb_jpeg_4G_pixels": lambda: jpeg_declaring(65_000, 65_000),
    "bomb_jpeg_over_pixel_limit": lambda: jpeg_declaring(7000, 7000),
    "animated_gif": lambda: animated("GIF"),
    "animated_webp": lambda: animated("WEBP"),
    "animated_png": lambda: animated("PNG"),
    "one_by_one": lambda: save(rgb(1, 1), "PNG"),
    "sliver_16x4096": lambda: save(rgb(16, 4096), "PNG"),
    "extreme_aspect_32x8192": lambda: save(rgb(32, MAX_SIDE), "PNG"),
    "sixteen_bit_gray_png": sixteen_bit_gray,
    "sixteen_bit_rgb_png": sixteen_bit_rgb,
    "cmyk_jpeg": lambda: save(rgb().convert("CMYK"), "JPEG", quality=95),
    "palette_png": lambda: save(rgb().convert("P", palette=Image.Palette.ADAPTIVE, colors=16), "PNG"),
    "palette_transparent_png": palette_transparent,
    "grayscale_jpeg": lambda: save(rgb().convert("L"), "JPEG", quality=95),
    "gray_alpha_png": lambda: save(rgb().convert("LA"), "PNG"),
    "rgba_png": rgba,
    "webp_lossless_alpha": lambda: save(Image.open(io.BytesIO(rgba())), "WEBP", lossless=True),
    "exif_orientation_6": exif_rotated,
}

IMAGE_CASES = [
    ImageCase("zero_bytes", "empty.png", "image/png", 422, "invalid_input", "is empty"),
    ImageCase("text_named_jpg", "photo.jpg", "image/jpeg", 415, "unsupported_media_type",
              "not a readable JPEG, PNG or WebP image"),
    ImageCase("svg_as_png", "photo.png", "image/png", 415, "unsupported_media_type", "not a readable JPEG"),
    ImageCase("html_as_jpg", "photo.jpg", "image/jpeg", 415, "unsupported_media_type", "not a readable JPEG"),
    ImageCase("pdf_as_png", "photo.png", "image/png", 415, "unsupported_media_type", "not a readable JPEG"),
    ImageCase("tiff_as_jpg", "photo.jpg", "image/jpeg", 415, "unsupported_media_type",
              "is TIFF; accepted formats are JPEG, PNG and WebP"),
    ImageCase("bmp_as_png", "photo.png", "image/png", 415, "unsupported_media_type", "is BMP"),
    ImageCase("truncated_jpeg", "photo.jpg", "image/jpeg", 422, "invalid_input", "corrupt or truncated"),
    ImageCase("truncated_png", "photo.png", "image/png", 422, "invalid_input", "corrupt or truncated"),
    ImageCase("corrupt_jpeg_header", "photo.jpg", "image/jpeg", 415, "unsupported_media_type",
              "not a readable JPEG"),
    ImageCase("corrupt_jpeg_scan", "photo.jpg", "image/jpeg", 200, expect={"shape": [48, 64, 3]}),
    ImageCase("corrupt_png", "photo.png", "image/png", 422, "invalid_input", "corrupt or truncated"),
    ImageCase("bomb_png_10G_pixels", "photo.png", "image/png", 413, "payload_too_large",
              f"the limit is {MAX_PIXELS} pixels"),
    ImageCase("bomb_png_over_pixel_limit", "photo.png", "image/png", 413, "payload_too_large",
              f"is 7000x7000; the limit is {MAX_PIXELS} pixels"),
    ImageCase("bomb_png_over_side_limit", "photo.png", "image/png", 413, "payload_too_large",
              f"{MAX_SIDE} px per side"),
    ImageCase("bomb_jpeg_4G_pixels", "photo.jpg", "image/jpeg", 413, "payload_too_large",
              f"the limit is {MAX_PIXELS} pixels"),
    ImageCase("bomb_jpeg_over_pixel_limit", "photo.jpg", "image/jpeg", 413, "payload_too_large",
              f"is 7000x7000; the limit is {MAX_PIXELS} pixels"),
    ImageCase("animated_gif", "photo.gif", "image/gif", 415, "unsupported_media_type", "is GIF"),
    ImageCase("animated_webp", "photo.webp", "image/webp", 422, "invalid_input", "is animated"),
    ImageCase("animated_png", "photo.png", "image/png", 422, "invalid_input", "is animated"),
    ImageCase("one_by_one", "photo.png", "image/png", 422, "invalid_input", "both sides need at least 32 px"),
    ImageCase("sliver_16x4096", "photo.png", "image/png", 422, "invalid_input", "is 16x4096"),
    ImageCase("extreme_aspect_32x8192", "photo.png", "image/png", 200, expect={"shape": [MAX_SIDE, 32, 3]}),
    ImageCase("sixteen_bit_gray_png", "photo.png", "image/png", 200,
              expect={"shape": [48, 64, 3], "pixel": [[47, 63], [255, 255, 255]]}),
    ImageCase("sixteen_bit_rgb_png", "photo.png", "image/png", 200,
              expect={"shape": [48, 64, 3], "pixel": [[47, 63], [255, 255, 255]]}),
    ImageCase("cmyk_jpeg", "photo.jpg", "image/jpeg", 200,
              expect={"shape": [48, 64, 3], "pixel": [[0, 0], [0, 0, 0]], "tolerance": 24}),
    ImageCase("palette_png", "photo.png", "image/png", 200, expect={"shape": [48, 64, 3]}),
    ImageCase("palette_transparent_png", "photo.png", "image/png", 200, expect={"shape": [48, 64, 3]}),
    ImageCase("grayscale_jpeg", "photo.jpg", "image/jpeg", 200,
              expect={"shape": [48, 64, 3], "gray": True}),
    ImageCase("gray_alpha_png", "photo.png", "image/png", 200, expect={"shape": [48, 64, 3], "gray": True}),
    ImageCase("rgba_png", "photo.png", "image/png", 200,
              expect={"shape": [48, 64, 3], "pixel": [[10, 50], [255, 255, 255]]}),
    ImageCase("webp_lossless_alpha", "photo.webp", "image/webp", 200,
              expect={"shape": [48, 64, 3], "pixel": [[10, 50], [255, 255, 255]]}),
    # Displayed 48 wide, 64 high; the dark block, top-left as stored, is top-right once rotated.
    ImageCase("exif_orientation_6", "photo.jpg", "image/jpeg", 200,
              expect={"shape": [64, 48, 3], "pixel": [[2, 45], [0, 0, 0]], "tolerance": 24}),
]

TRYON = "/v1/tryon"
SMALL = "palette_png"  # a valid image for the other uploads of a request
REQUEST_CASES = [
    RequestCase("missing_person_upload", "POST", TRYON, 422, "invalid_request", "person: Field required", "person",
                files={"content": SMALL, "style": SMALL}),
    RequestCase("image_sent_as_text_field", "POST", TRYON, 422, "invalid_request", "person", "person",
                form={"person": "not a file"}, files={"content": SMALL, "style": SMALL}),
    RequestCase("design_without_style", "POST", TRYON, 422, "invalid_input", "needs both 'content' and 'style'",
                "style", files={"person": SMALL, "content": SMALL}),
    RequestCase("unsupported_output_format", "POST", TRYON, 422, "invalid_request", "format", "format",
                form={"format": "gif"}, files={"person": SMALL, "content": SMALL, "style": SMALL}),
    RequestCase("invalid_category", "POST", TRYON, 422, "invalid_request", "category", "category",
                form={"category": "hat"}, files={"person": SMALL, "content": SMALL, "style": SMALL}),
    RequestCase("opacity_out_of_range", "POST", TRYON, 422, "invalid_request", "less than or equal to 1",
                "opacity", form={"opacity": "7"}, files={"person": SMALL, "content": SMALL, "style": SMALL}),
    RequestCase("invalid_garment_category", "POST", "/v1/garments", 422, "invalid_request", "category", "category",
                form={"category": "hat"}, files={"image": SMALL}),
    RequestCase("sku_with_path", "POST", "/v1/garments", 422, "invalid_request", "sku", "sku",
                form={"category": "upper", "sku": "../../etc/passwd"}, files={"image": SMALL}),
    RequestCase("unknown_garment_id", "GET", "/v1/garments/0123456789abcdef0123456789abcdef", 404,
                "not_found", "does not exist", "garment_id"),
    RequestCase("unknown_garment_image", "GET", "/v1/garments/nope/image", 404, "not_found",
                "does not exist", "garment_id"),
    RequestCase("malformed_json_split", "PUT", "/v1/admin/models/u2netp/split", 422, "invalid_request",
                "JSON decode error", "body", body='{"1": 90, "2": '),
    RequestCase("split_not_a_mapping", "PUT", "/v1/admin/models/u2netp/split", 422, "invalid_request",
                "valid dictionary", "body", body='[90, 10]'),
    RequestCase("split_not_summing_to_100", "PUT", "/v1/admin/models/u2netp/split", 422, "invalid_input",
                "sum to 100", "split", body='{"1": 90}'),
    RequestCase("bad_version_pin_header", "POST", TRYON, 422, "invalid_input", "must look like",
                "X-Model-Version", headers={"X-Model-Version": "u2netp=latest"},
                files={"person": SMALL, "content": SMALL, "style": SMALL}),
    RequestCase("overlong_header", "GET", "/v1/garments", 431, "headers_too_large", "the limit is 8192",
                "x-filler", headers={"X-Filler": "a" * 12_000}),
]


def build(name: str) -> bytes:
    return BUILDERS[name]()


def manifest() -> dict[str, object]:
    return {
        "limits": {"max_image_pixels": MAX_PIXELS, "max_image_side": MAX_SIDE},
        "images": [asdict(case) | {"sha256": hashlib.sha256(build(case.name)).hexdigest(),
                                   "bytes": len(build(case.name))} for case in IMAGE_CASES],
        "requests": [asdict(case) for case in REQUEST_CASES],
    }


def main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    MANIFEST.write_text(json.dumps(manifest(), indent=1) + "\n")
    log.info("wrote %s", MANIFEST)
    if argv:
        target = Path(argv[0])
        target.mkdir(parents=True, exist_ok=True)
        for case in IMAGE_CASES:
            (target / f"{case.name}{Path(case.filename).suffix}").write_bytes(build(case.name))
        log.info("wrote %d files into %s", len(IMAGE_CASES), target)


if __name__ == "__main__":
    main(sys.argv[1:])
