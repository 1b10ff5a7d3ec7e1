"""POST /v1/tryon in garment mode with `path`: auto picks classical while the try-on networks are untrained
(as here); neural (VITON-HD) or daflow asked for explicitly runs and says which models are untrained."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from fittingroom.common.garment import Category
from fittingroom.common.imagecodec import encode_image
from fittingroom.gateway.app import create_app
from fittingroom.gateway.sample_garment import sample_garment
from fittingroom.gateway.settings import Settings

UNTRAINED_HERE = "schp_lip, u2net_cloth, vitonhd_alias, vitonhd_gmm, vitonhd_seg"


@pytest.fixture(scope="module")
def client(repository: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    state = tmp_path_factory.mktemp("state")
    settings = Settings(model_repository=repository, ort_threads=1, request_timeout_s=120,
                        database_url=f"sqlite:///{state / 'tryon.db'}", blob_dir=state / "blobs")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def files(person: np.ndarray) -> dict[str, tuple[str, bytes, str]]:
    return {"person": ("person.png", encode_image(person, "png")[0], "image/png"),
            "garment": ("shirt.png", encode_image(sample_garment(Category.UPPER), "png")[0], "image/png")}


@pytest.mark.parametrize(("data", "field"), [({"path": "diffusion"}, "path"),
                                             ({"path": "neural", "category": "lower"}, "category"),
                                             ({"path": "neural", "seed": "-1"}, "seed"),
                                             ({"path": "neural", "noise": "loud"}, "noise")])
def test_a_path_that_cannot_serve_the_request_is_a_422(client: TestClient, files: dict, data: dict,
                                                       field: str) -> None:
    response = client.post("/v1/tryon", files=files, data={"mode": "garment", **data})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


@pytest.mark.slow
def test_auto_is_classical_while_the_neural_models_are_untrained(client: TestClient, files: dict) -> None:
    response = client.post("/v1/tryon", files=files, data={"mode": "garment", "path": "auto"})
    assert response.status_code == 200, response.text
    assert response.headers["x-tryon-path"] == "classical"
    assert "x-untrained-models" not in response.headers


@pytest.mark.slow
def test_neural_runs_on_request_and_names_the_untrained_models(client: TestClient, files: dict,
                                                               person: np.ndarray) -> None:
    response = client.post("/v1/tryon", files=files, data={"mode": "garment", "path": "neural", "seed": "1234"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200, response.text
    assert response.headers["x-tryon-path"] == "neural"
    assert response.headers["x-tryon-seed"] == "1234" and response.json()["seed"] == 1234  # reproduces the image
    assert response.headers["x-untrained-models"] == UNTRAINED_HERE
    body = response.json()
    assert body["path"] == "neural" and body["untrained_models"] == UNTRAINED_HERE.split(", ")
    assert (body["height"], body["width"]) == person.shape[:2]
    assert {"seg", "gmm", "alias", "paste"} <= set(body["timings_ms"])


@pytest.mark.slow
def test_daflow_on_a_catalog_garment_uses_its_stored_mask(client: TestClient, files: dict,
                                                          person: np.ndarray) -> None:
    registered = client.post("/v1/garments", files={"image": files["garment"]}, data={"category": "upper"})
    assert registered.status_code == 201, registered.text
    response = client.post("/v1/tryon", files={"person": files["person"]},
                           data={"mode": "garment", "path": "daflow", "garment_id": registered.json()["id"]},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200, response.text
    assert response.headers["x-tryon-path"] == "daflow"
    # The cloth-mask model did not run (the catalog mask stood in for it), so it is not named.
    assert response.headers["x-untrained-models"] == "daflow, schp_lip"
    body = response.json()
    assert "daflow" in body["timings_ms"] and "cloth_mask" not in body["timings_ms"]
    assert body["seed"] is None and "x-tryon-seed" not in response.headers  # DAFlow draws nothing
    assert (body["height"], body["width"]) == person.shape[:2]


def test_admin_models_say_whether_each_network_is_at_its_official_size(client: TestClient) -> None:
    response = client.get("/v1/admin/models")
    assert response.status_code == 200, response.text
    views = {view["name"]: view for view in response.json()}
    assert views["vitonhd_alias"]["official_size"] is False  # the CPU default, 512x384, is not 1024x768
    assert views["daflow"]["official_size"] is True  # 256x192, as its checkpoint was tested
    assert views["u2netp"]["official_size"] is None  # not a try-on network
