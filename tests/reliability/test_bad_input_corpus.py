"""The bad-input corpus (tests/corpus/) against the decoder and a live gateway: every hostile or unusual
upload gets a precise 4xx JSON error naming the field and the limit, never a 500; unusual but valid
images are accepted, EXIF orientation included; oversized bodies are cut while they stream."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from corpus.make_corpus import IMAGE_CASES, MANIFEST, REQUEST_CASES, SMALL, ImageCase, RequestCase, build, manifest
from helpers import live_gateway
from reliability_support import gateway_settings, multipart, send_then_read, stream_chunked

from fittingroom.common.errors import TryOnError
from fittingroom.common.imagecodec import decode_image
from fittingroom.gateway.errors import http_status

MAX_PIXELS, MAX_SIDE = 40_000_000, 8192  # the gateway defaults the manifest quotes


def test_manifest_is_what_the_script_generates() -> None:
    """The corpus is deterministic: regenerating it gives the committed manifest, hashes included."""
    assert json.loads(MANIFEST.read_text()) == json.loads(json.dumps(manifest())), (
        "tests/corpus/manifest.json is stale: run `python tests/corpus/make_corpus.py`")


def check_accepted(case: ImageCase, image: np.ndarray) -> None:
    assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3
    expect = case.expect
    assert list(image.shape) == expect["shape"]
    if "pixel" in expect:
        (y, x), colour = expect["pixel"]  # type: ignore[misc]
        tolerance = int(expect.get("tolerance", 2))  # type: ignore[call-overload]
        assert np.abs(image[y, x].astype(int) - np.array(colour)).max() <= tolerance, image[y, x]
    if expect.get("gray"):
        assert (image[..., 0] == image[..., 1]).all() and (image[..., 1] == image[..., 2]).all()


@pytest.mark.parametrize("case", IMAGE_CASES, ids=lambda c: c.name)
def test_decoder_answers_each_image_case(case: ImageCase) -> None:
    data = build(case.name)
    if case.status == 200:
        check_accepted(case, decode_image(data, field="person", max_pixels=MAX_PIXELS, max_side=MAX_SIDE))
        return
    with pytest.raises(TryOnError) as caught:
        decode_image(data, field="person", max_pixels=MAX_PIXELS, max_side=MAX_SIDE)
    error = caught.value
    assert (http_status(error), error.code, error.field) == (case.status, case.code, "person")
    assert case.fragment and case.fragment in error.message


def test_exif_orientation_is_honoured() -> None:
    """The same JPEG without its orientation tag decodes as stored: the rotation comes from EXIF alone."""
    rotated = decode_image(build("exif_orientation_6"), field="person", max_pixels=MAX_PIXELS)
    plain = decode_image(build("exif_orientation_6").replace(b"Exif", b"Exif"[::-1], 1), field="person",
                         max_pixels=MAX_PIXELS)
    assert rotated.shape == (64, 48, 3) and plain.shape == (48, 64, 3)
    assert np.abs(np.rot90(plain, k=-1).astype(int) - rotated.astype(int)).max() <= 8


@pytest.fixture(scope="module")
def gateway(repository: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    state = tmp_path_factory.mktemp("corpus-gateway")
    with live_gateway(gateway_settings(repository, state)) as url, httpx.Client(base_url=url, timeout=60) as http:
        yield http


def assert_error(response: httpx.Response, status: int, code: str | None, field: str, fragment: str | None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code and error["field"] == field, error
    assert fragment is None or fragment in error["message"], error


@pytest.mark.parametrize("case", IMAGE_CASES, ids=lambda c: c.name)
def test_api_answers_each_image_case(gateway: httpx.Client, case: ImageCase) -> None:
    """Each case as the `person` of a try-on. Accepted images are proven accepted by the next field's error:
    an empty `style` is refused, so decoding got past `person` (and `content`) without running models."""
    files = {"person": (case.filename, build(case.name), case.content_type),
             "content": ("content.png", build(SMALL), "image/png"), "style": ("style.png", b"", "image/png")}
    response = gateway.post("/v1/tryon/design", files=files)  # reads person, content, style in that order
    if case.status == 200:
        assert_error(response, 422, "invalid_input", "style", "'style' is empty")
    else:
        assert_error(response, case.status, case.code, "person", case.fragment)


@pytest.mark.parametrize("case", REQUEST_CASES, ids=lambda c: c.name)
def test_api_answers_each_request_case(gateway: httpx.Client, case: RequestCase) -> None:
    files = {name: (f"{name}.png", build(source) if source else b"", "image/png")
             for name, source in case.files.items()}
    headers = case.headers | ({"content-type": "application/json"} if case.body is not None else {})
    response = gateway.request(case.method, case.path, data=case.form or None, files=files or None,
                               headers=headers, content=case.body)
    assert_error(response, case.status, case.code, case.field, case.fragment)


def test_declared_oversized_body_is_refused_before_it_is_read(gateway: httpx.Client) -> None:
    body = multipart([("person", "p.png", b"\0" * (16 * 1024 * 1024))])
    response = gateway.post("/v1/tryon", content=body,
                            headers={"content-type": "multipart/form-data; boundary=reliability-boundary"})
    assert_error(response, 413, "payload_too_large", "body", "the limit is 15728640 bytes")


@pytest.fixture(scope="module")
def small_limit_gateway(repository: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    state = tmp_path_factory.mktemp("small-limit-gateway")
    with live_gateway(gateway_settings(repository, state, max_upload_bytes=1024 * 1024)) as url:
        yield url


def test_chunked_upload_without_length_is_cut_at_the_limit(small_limit_gateway: str) -> None:
    """256 MiB streamed with no Content-Length: the gateway answers 413 once 1 MiB has arrived, and the
    client is stopped after a few MiB (what the loopback socket buffers hold), not after 256 MiB."""
    head = multipart([("mode", None, b"design")])
    start = time.monotonic()
    status, body, sent = stream_chunked(small_limit_gateway, "/v1/tryon", head, 256 * 1024 * 1024)
    seconds = time.monotonic() - start
    assert status == 413, body
    error = json.loads(body)["error"]
    assert error["code"] == "payload_too_large" and error["field"] == "body"
    assert "the limit is 1048576 bytes" in error["message"]
    print(f"chunked upload: 413 after {sent / 2**20:.1f} MiB sent, {seconds:.2f} s")
    assert sent < 32 * 1024 * 1024, f"{sent} bytes went out before the 413"
    with httpx.Client(base_url=small_limit_gateway) as http:  # the gateway is still serving
        assert http.get("/healthz").status_code == 200


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_a_client_that_sends_all_before_reading_gets_the_413(gateway: httpx.Client, framing: str) -> None:
    """20 MiB against the 15 MiB limit, sent whole before the answer is read, as browsers do. More than
    the loopback buffers hold: had the gateway closed with it unread, the client would see a reset
    (it did, every time) instead of the 413. The overshoot is read and discarded first."""
    boundary = "reliability-boundary"
    body = multipart([("person", "big.png", b"\0" * (20 * 1024 * 1024))], boundary)
    head = (f"POST /v1/tryon HTTP/1.1\r\nHost: gateway\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n")
    if framing == "chunked":
        frames = [body[i:i + 65536] for i in range(0, len(body), 65536)]
        payload = b"".join(b"%x\r\n" % len(f) + f + b"\r\n" for f in frames) + b"0\r\n\r\n"
        head += "Transfer-Encoding: chunked"
    else:
        payload = body
        head += f"Content-Length: {len(body)}"
    for _ in range(3):
        status, answer = send_then_read(str(gateway.base_url).rstrip("/"), head, payload)
        assert status == 413, answer
        assert json.loads(answer)["error"]["code"] == "payload_too_large"



def test_a_client_that_waits_for_100_continue_is_refused_at_once(gateway: httpx.Client) -> None:
    """A client that sends "Expect: 100-continue" holds its body back: it is refused without the
    "100 Continue" that would invite the 20 MiB it declared."""
    head = ("POST /v1/tryon HTTP/1.1\r\nHost: gateway\r\nExpect: 100-continue\r\n"
            f"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {20 * 1024 * 1024}")
    status, answer = send_then_read(str(gateway.base_url).rstrip("/"), head, b"")
    assert status == 413, answer
