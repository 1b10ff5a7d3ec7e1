"""Gateway routes over HTTP (TestClient) on the real embedded models."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from fittingroom.common.imagecodec import encode_image
from fittingroom.gateway.app import create_app
from fittingroom.gateway.settings import Settings


def _png(image: np.ndarray) -> bytes:
    return encode_image(image, "png")[0]


@pytest.fixture(scope="module")
def client(repository: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    state = tmp_path_factory.mktemp("state")
    settings = Settings(model_repository=repository, ort_threads=1, max_upload_bytes=2_000_000,
                        database_url=f"sqlite:///{state / 'tryon.db'}", blob_dir=state / "blobs")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def files(person: np.ndarray, content: np.ndarray, artwork: np.ndarray) -> dict[str, tuple[str, bytes, str]]:
    return {name: (f"{name}.png", _png(image), "image/png")
            for name, image in (("person", person), ("content", content), ("style", artwork))}


def test_design_tryon_returns_an_image_with_timings(client: TestClient, files: dict, person: np.ndarray) -> None:
    response = client.post("/v1/tryon/design", files=files, data={"garment": "upper"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    image = np.asarray(Image.open(io.BytesIO(response.content)))
    assert image.shape == person.shape
    assert not np.array_equal(image, person)  # the garment was repainted
    stages = [part.split(";")[0].strip() for part in response.headers["server-timing"].split(",")]
    assert {"person_mask", "pose", "style_vector", "stylize", "garment_mask", "composite"} <= set(stages)
    assert "selfie_segmentation=1" in response.headers["x-model-versions"]
    assert response.headers["x-request-id"]


def test_json_variant_and_request_id(client: TestClient, files: dict) -> None:
    response = client.post("/v1/tryon/design", files=files, data={"format": "jpeg", "max_side": "256"},
                           headers={"Accept": "application/json", "X-Request-Id": "abc123"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert response.headers["x-request-id"] == "abc123"
    assert body["media_type"] == "image/jpeg" and max(body["width"], body["height"]) == 256
    assert Image.open(io.BytesIO(base64.b64decode(body["image"]))).format == "JPEG"
    assert body["models"]["style_transform"] == {"version": 1, "trained": True}
    assert body["untrained_models"] == []


@pytest.mark.parametrize(
    ("override", "data", "status", "field"),
    [
        ({"person": ("p.jpg", b"not an image", "image/jpeg")}, {}, 415, "person"),
        ({"content": ("c.png", b"", "image/png")}, {}, 422, "content"),
        ({}, {"garment": "hat"}, 422, "garment"),
        ({}, {"format": "bmp"}, 422, "format"),
        ({}, {"opacity": "2"}, 422, "opacity"),
    ],
)
def test_bad_requests_are_precise(client: TestClient, files: dict, override: dict, data: dict, status: int,
                                  field: str) -> None:
    response = client.post("/v1/tryon/design", files={**files, **override}, data=data)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["field"] == field and error["message"]
    assert "Traceback" not in response.text


def test_missing_file_names_the_field(client: TestClient, files: dict) -> None:
    response = client.post("/v1/tryon/design", files={"person": files["person"]})
    assert response.status_code == 422
    assert "content" in response.json()["error"]["message"]


def test_oversized_body_is_refused_before_reading(client: TestClient) -> None:
    big = b"\0" * 2_100_000
    response = client.post("/v1/tryon/design", files={"person": ("p.png", big, "image/png")})
    assert response.status_code == 413
    assert "limit" in response.json()["error"]["message"]


def test_no_person_in_photo(client: TestClient, files: dict) -> None:
    blank = _png(np.full((256, 256, 3), 128, np.uint8))
    response = client.post("/v1/tryon/design", files={**files, "person": ("p.png", blank, "image/png")})
    assert response.status_code == 422, response.text


def test_health_readiness_and_metrics(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["ready"] is True
    metrics = client.get("/metrics").text
    for name, kind in (("tryon_request_duration_seconds", "histogram"), ("tryon_stage_duration_seconds", "histogram"),
                       ("tryon_requests_in_flight", "gauge"), ("tryon_requests_total", "counter"),
                       ("tryon_errors_total", "counter"), ("tryon_rejected_total", "counter")):
        assert f"# TYPE {name} {kind}" in metrics
    assert 'route="/healthz"' in metrics


def test_unknown_route_is_json(client: TestClient) -> None:
    response = client.get("/nope")
    assert response.status_code == 404 and response.json()["error"]["code"] == "http_404"


def test_metric_labels_are_route_templates(client: TestClient) -> None:
    client.get("/v1/garments/some-id-1")
    client.get("/v1/garments/some-id-2")
    client.get("/no/such/path/123")
    metrics = client.get("/metrics").text
    assert 'route="/v1/garments/{garment_id}"' in metrics  # one series for every id
    assert "some-id" not in metrics and "/no/such/path" not in metrics
    assert 'route="unmatched"' in metrics


def test_openapi_documents_the_route(client: TestClient) -> None:
    assert "/v1/tryon/design" in client.get("/openapi.json").json()["paths"]
