"""Security properties of the gateway: keys are never logged and stored only hashed, logs carry no image
data, admin routes need the admin key, CORS is off, no request makes the gateway fetch a URL (no SSRF),
and uploads are never written under a name the client chose."""

from __future__ import annotations

import ast
import base64
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
from corpus.make_corpus import SVG, build
from helpers import live_gateway, tshirt_png
from reliability_support import ADMIN_KEY, ROOT, TENANT_KEY, GatewayProcess, gateway_settings

from fittingroom.gateway.auth import KeyRing

WRONG_KEY = "wrong-key-0f1e2d3c4b5a6978"


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.integration
def test_logs_carry_no_keys_and_no_image_data(repository: Path, tmp_path: Path) -> None:
    """`tryon serve` at INFO (uvicorn access log included): requests with good, bad and admin keys, in both
    headers, with images that fail and succeed; its whole output never contains a key or image bytes."""
    settings = gateway_settings(repository, tmp_path, api_keys=f"shop={TENANT_KEY}", admin_key=ADMIN_KEY)
    image = tshirt_png()
    with GatewayProcess(settings, tmp_path / "gateway.log") as gateway, \
            httpx.Client(base_url=gateway.url, timeout=60) as http:
        assert http.get("/v1/garments", headers=_bearer(WRONG_KEY)).status_code == 401
        assert http.get("/v1/garments", headers={"X-API-Key": WRONG_KEY}).status_code == 401
        assert http.get("/v1/admin/models", headers=_bearer(TENANT_KEY)).status_code == 403
        assert http.get("/v1/admin/models").status_code == 401
        assert http.get("/v1/admin/models", headers=_bearer(ADMIN_KEY)).status_code == 200
        registered = http.post("/v1/garments", files={"image": ("shirt.png", image, "image/png")},
                               data={"category": "upper"}, headers={"X-API-Key": TENANT_KEY})
        assert registered.status_code == 201, registered.text
        refused = http.post("/v1/tryon/design", headers=_bearer(TENANT_KEY),
                            files={"person": ("p.png", image, "image/png"), "content": ("c.png", image, "image/png"),
                                   "style": ("s.png", image[:200], "image/png")})
        assert refused.status_code == 422
        output = gateway.output()
    assert "POST /v1/garments" in output  # the access log is in what we searched
    for secret in (TENANT_KEY, ADMIN_KEY, WRONG_KEY):
        assert secret not in output, f"a key appears in the gateway log: {secret[:8]}..."
    for marker in ("PNG", "IHDR", "IDAT", base64.b64encode(image[:48]).decode()[:32], image[16:40].hex()):
        assert marker not in output, f"image data in the gateway log: {marker!r}"
    assert max(len(line) for line in output.splitlines()) < 2000


def test_keys_are_held_only_as_digests() -> None:
    ring = KeyRing(f"shop={TENANT_KEY}", ADMIN_KEY)
    held = repr(vars(ring)).encode()
    assert TENANT_KEY.encode() not in held and ADMIN_KEY.encode() not in held
    assert ring.tenant_for(TENANT_KEY) is not None and ring.tenant_for(WRONG_KEY) is None


@pytest.fixture(scope="module")
def gateway(repository: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, Path]]:
    state = tmp_path_factory.mktemp("security-gateway")
    with live_gateway(gateway_settings(repository, state)) as url, httpx.Client(base_url=url, timeout=60) as http:
        yield http, state


def test_cors_is_off_by_default(gateway: tuple[httpx.Client, Path]) -> None:
    http, _ = gateway
    origin = {"Origin": "https://shop.example"}
    preflight = http.options("/v1/tryon", headers=origin | {"Access-Control-Request-Method": "POST"})
    assert preflight.status_code >= 400
    for response in (preflight, http.get("/healthz", headers=origin), http.get("/v1/garments", headers=origin)):
        assert not any(name.lower().startswith("access-control-") for name in response.headers), response.headers


class _Canary(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []  # shared by the handler instances of one server

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(tshirt_png())

    def log_message(self, format: str, *args: object) -> None:
        return None


def test_no_request_makes_the_gateway_fetch_a_url(gateway: tuple[httpx.Client, Path]) -> None:
    """A loopback canary server's URL goes into every field a URL could hide in (form fields, file contents,
    an SVG's external image, headers, JSON): the canary is never contacted."""
    http, _ = gateway
    canary = ThreadingHTTPServer(("127.0.0.1", 0), _Canary)
    threading.Thread(target=canary.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{canary.server_address[1]}/fetched"
    try:
        as_file = ("url.png", url.encode(), "image/png")
        svg = ("x.svg", SVG.replace(b"http://169.254.169.254/latest/meta-data", url.encode()), "image/svg+xml")
        headers = {"X-Forwarded-Host": url, "Referer": url, "X-Model-Version": f"u2netp={url}"}
        http.post("/v1/tryon", files={"person": as_file, "content": svg, "style": as_file},
                  data={"mode": "design", "category": url, "format": url}, headers=headers)
        http.post("/v1/tryon", files={"person": ("p.png", build("palette_png"), "image/png")},
                  data={"mode": "garment", "garment_id": url})
        http.post("/v1/garments", files={"image": svg}, data={"category": "upper", "sku": url})
        http.post("/v1/garments", data={"category": "upper", "image": url})
        http.put("/v1/admin/models/u2netp/split", json={"url": url})
        http.get(f"/v1/garments/{url}")
    finally:
        canary.shutdown()
    assert _Canary.hits == []


NETWORK_CLIENTS = {"urllib.request", "http.client", "httpx", "requests", "aiohttp", "urllib3", "pycurl", "socket"}


def test_gateway_code_has_no_http_client() -> None:
    """The request-serving code imports nothing that could fetch a URL (boto3, in blobs.py, talks only to the
    operator-configured bucket)."""
    for path in sorted((ROOT / "services" / "gateway").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not {n for n in names if n.split(".")[0] in NETWORK_CLIENTS or n in NETWORK_CLIENTS}, path


def test_uploads_are_never_stored_under_the_clients_name(gateway: tuple[httpx.Client, Path]) -> None:
    http, state = gateway
    for name in ("../../etc/passwd", "../../../tmp/evil.png", "/etc/shadow", "..\\..\\boot.ini"):
        response = http.post("/v1/garments", files={"image": (name, tshirt_png(), "image/png")},
                             data={"category": "upper"})
        assert response.status_code == 201, response.text
    stored = sorted(p.relative_to(state / "blobs").as_posix() for p in (state / "blobs").rglob("*") if p.is_file())
    assert stored and all(re.fullmatch(r"garments/[0-9a-f]{32}/(image|mask)\.png", key) for key in stored), stored
    assert not [p for p in state.rglob("*") if p.name in ("passwd", "evil.png", "shadow", "boot.ini")]
    assert not Path("/tmp/evil.png").exists()
