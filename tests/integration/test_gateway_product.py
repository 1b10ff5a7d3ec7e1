"""The gateway as a product, over real HTTP and real SQLite: catalog, auth, limits, restarts."""

from __future__ import annotations

from pathlib import Path

import httpx
import numpy as np
import pytest
from helpers import live_gateway, tshirt_png

from fittingroom.common.imagecodec import encode_image
from fittingroom.gateway.app import UnsafeConfiguration, create_app
from fittingroom.gateway.settings import Settings

pytestmark = pytest.mark.integration

TENANT_A, TENANT_B, ADMIN = "key-a-0123456789", "key-b-0123456789", "admin-0123456789"


def _settings(repository: Path, state: Path, **extra: object) -> Settings:
    values: dict[str, object] = {
        "model_repository": repository, "ort_threads": 1, "database_url": f"sqlite:///{state / 'tryon.db'}",
        "blob_dir": state / "blobs", "api_keys": f"shop-a={TENANT_A},shop-b={TENANT_B}", "admin_key": ADMIN,
    }
    return Settings(**(values | extra))  # type: ignore[arg-type]


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _register(http: httpx.Client, key: str, sku: str | None = None) -> httpx.Response:
    data = {"category": "upper"} | ({"sku": sku} if sku else {})
    return http.post("/v1/garments", files={"image": ("shirt.png", tshirt_png(), "image/png")}, data=data,
                     headers=_auth(key))


def test_catalog_lifecycle_auth_and_restart(repository: Path, tmp_path: Path) -> None:
    settings = _settings(repository, tmp_path)
    with live_gateway(settings) as url, httpx.Client(base_url=url, timeout=60) as http:
        created = _register(http, TENANT_A, sku="SHIRT-1")
        assert created.status_code == 201, created.text
        garment = created.json()
        assert garment["category"] == "upper" and garment["width"] == 320
        assert _register(http, TENANT_A, sku="SHIRT-1").status_code == 409  # SKU unique per tenant
        assert _register(http, TENANT_B, sku="SHIRT-1").status_code == 201  # but not across tenants

        got = http.get(f"/v1/garments/{garment['id']}", headers=_auth(TENANT_A))
        assert got.status_code == 200 and got.json()["sku"] == "SHIRT-1"
        image = http.get(garment["image_url"], headers=_auth(TENANT_A))
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"
        assert http.get(f"/v1/garments/{garment['id']}", headers=_auth(TENANT_B)).status_code == 404  # isolation

        for _ in range(3):
            assert _register(http, TENANT_A).status_code == 201
        page = http.get("/v1/garments", params={"limit": 2, "offset": 1}, headers=_auth(TENANT_A)).json()
        assert page["total"] == 4 and len(page["items"]) == 2 and page["offset"] == 1

        assert http.get("/v1/garments").status_code == 401
        assert http.get("/v1/garments", headers=_auth("wrong")).status_code == 401
        assert http.get("/v1/admin/models", headers=_auth(TENANT_A)).status_code == 403
        assert http.get("/v1/admin/models", headers=_auth(ADMIN)).status_code == 200

        bad = http.post("/v1/garments", files={"image": ("x.png", b"nope", "image/png")}, data={"category": "upper"},
                        headers=_auth(TENANT_A))
        assert bad.status_code == 415
        blank = encode_image(np.full((200, 200, 3), 255, np.uint8), "png")[0]
        empty = http.post("/v1/garments", files={"image": ("x.png", blank, "image/png")}, data={"category": "upper"},
                          headers=_auth(TENANT_A))
        assert empty.status_code == 422 and empty.json()["error"]["field"] == "image"

    # A restart (new process state, same database and blob directory) keeps the catalog.
    with live_gateway(settings) as url, httpx.Client(base_url=url, timeout=60) as http:
        assert http.get(f"/v1/garments/{garment['id']}", headers=_auth(TENANT_A)).status_code == 200
        assert http.delete(f"/v1/garments/{garment['id']}", headers=_auth(TENANT_A)).status_code == 204
        assert http.get(f"/v1/garments/{garment['id']}", headers=_auth(TENANT_A)).status_code == 404
        assert not (tmp_path / "blobs" / "garments" / garment["id"] / "image.png").exists()


def test_tenant_rate_limit_answers_429_with_retry_after(repository: Path, tmp_path: Path) -> None:
    settings = _settings(repository, tmp_path, tenant_rate_per_s=0.5, tenant_burst=2)
    with live_gateway(settings) as url, httpx.Client(base_url=url, timeout=60) as http:
        statuses = [http.post("/v1/tryon", files={"person": ("p.png", b"x", "image/png")},
                              headers=_auth(TENANT_A)).status_code for _ in range(4)]
        assert statuses[:2] == [422, 422]  # admitted, then refused: design mode needs content and style
        assert statuses[2:] == [429, 429]
        limited = http.post("/v1/tryon", files={"person": ("p.png", b"x", "image/png")}, headers=_auth(TENANT_A))
        assert int(limited.headers["retry-after"]) >= 1
        assert "rate limit" in limited.json()["error"]["message"]
        # another tenant is not affected
        other = http.post("/v1/tryon", files={"person": ("p.png", b"x", "image/png")}, headers=_auth(TENANT_B))
        assert other.status_code == 422
        metrics = http.get("/metrics").text
        assert 'tryon_rejected_total{reason="tenant_limit",tenant="shop-a"}' in metrics


def test_refuses_public_bind_without_keys(repository: Path, tmp_path: Path) -> None:
    with pytest.raises(UnsafeConfiguration, match="without API keys"):
        create_app(Settings(model_repository=repository, host="0.0.0.0", database_url=f"sqlite:///{tmp_path}/d.db"))
    create_app(Settings(model_repository=repository, host="127.0.0.1", database_url=f"sqlite:///{tmp_path}/d.db"))


def test_garment_mode_from_catalog_upload_and_batch(repository: Path, tmp_path: Path, person: np.ndarray) -> None:
    settings = _settings(repository, tmp_path)
    photo = encode_image(person, "png")[0]
    with live_gateway(settings) as url, httpx.Client(base_url=url, timeout=120) as http:
        garment_id = _register(http, TENANT_A, sku="TEE").json()["id"]
        from_catalog = http.post("/v1/tryon", files={"person": ("p.png", photo, "image/png")},
                                 data={"mode": "garment", "garment_id": garment_id, "category": "upper"},
                                 headers=_auth(TENANT_A) | {"Accept": "application/json"})
        assert from_catalog.status_code == 200, from_catalog.text
        body = from_catalog.json()
        assert body["mode"] == "garment" and body["path"] == "classical"
        assert "garment_mask" not in body["timings_ms"]  # computed once, at registration
        assert from_catalog.headers["x-tryon-path"] == "classical"

        uploaded = http.post("/v1/tryon", files={"person": ("p.png", photo, "image/png"),
                                                 "garment": ("g.png", tshirt_png(), "image/png")},
                             data={"mode": "garment"}, headers=_auth(TENANT_A))
        assert uploaded.status_code == 200 and uploaded.headers["content-type"] == "image/png"
        assert "garment_mask" in uploaded.headers["server-timing"]

        both = http.post("/v1/tryon", files={"person": ("p.png", photo, "image/png"),
                                             "garment": ("g.png", tshirt_png(), "image/png")},
                         data={"mode": "garment", "garment_id": garment_id}, headers=_auth(TENANT_A))
        assert both.status_code == 422 and both.json()["error"]["field"] == "garment_id"
        unknown = http.post("/v1/tryon", files={"person": ("p.png", photo, "image/png")},
                            data={"mode": "garment", "garment_id": "nope"}, headers=_auth(TENANT_A))
        assert unknown.status_code == 404 and unknown.json()["error"]["field"] == "garment_id"

        batch = http.post("/v1/tryon/batch", files=[("person", ("a.png", photo, "image/png")),
                                                    ("person", ("b.png", b"not an image", "image/png"))],
                          data={"mode": "garment", "garment_id": garment_id}, headers=_auth(TENANT_A))
        assert batch.status_code == 200, batch.text
        results = batch.json()["results"]
        assert results[0]["path"] == "classical" and results[0]["width"] == person.shape[1]
        assert results[1]["error"]["field"] == "person[1]"


def test_keys_issued_through_the_admin_api(repository: Path, tmp_path: Path) -> None:
    settings = _settings(repository, tmp_path)
    with live_gateway(settings) as url, httpx.Client(base_url=url, timeout=60) as http:
        assert http.post("/v1/admin/keys", json={"tenant": "shop-c"}, headers=_auth(TENANT_A)).status_code == 403
        issued = http.post("/v1/admin/keys", json={"tenant": "shop-c"}, headers=_auth(ADMIN))
        assert issued.status_code == 201, issued.text
        key, key_id = issued.json()["key"], issued.json()["key_id"]
        assert _register(http, key, sku="C-1").status_code == 201
        listed = http.get("/v1/admin/keys", headers=_auth(ADMIN)).json()
        assert [k["tenant"] for k in listed] == ["shop-c"] and "key" not in listed[0]
        assert key not in (tmp_path / "tryon.db").read_bytes().decode("latin-1")  # only the digest is stored
    with live_gateway(settings) as url, httpx.Client(base_url=url, timeout=60) as http:  # survives a restart
        assert http.get("/v1/garments", headers=_auth(key)).json()["total"] == 1
        assert http.delete(f"/v1/admin/keys/{key_id}", headers=_auth(ADMIN)).status_code == 204
        assert http.get("/v1/garments", headers=_auth(key)).status_code == 401
        assert http.delete(f"/v1/admin/keys/{key_id}", headers=_auth(ADMIN)).status_code == 404
