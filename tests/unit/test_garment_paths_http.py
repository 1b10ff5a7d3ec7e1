"""POST /v1/tryon in garment mode with `path`: auto picks a network path only when every model it runs is
trained (as the served configs say), else classical; neural (VITON-HD) or daflow asked for explicitly runs and
names the untrained models it used."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from helpers import auto_path, untrained, untrained_header
from model_checks import supplied_checkpoint

from fittingroom.common.garment import Category
from fittingroom.common.imagecodec import encode_image
from fittingroom.common.wheels import sha256
from fittingroom.export.builders_garment import CHECKPOINT_FILES
from fittingroom.gateway.app import create_app
from fittingroom.gateway.sample_garment import sample_garment
from fittingroom.gateway.settings import Settings
from fittingroom.tryon.networks import DAFLOW_MODELS, VITONHD_MODELS


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
@pytest.mark.trainedness
def test_auto_takes_a_network_only_when_its_models_are_trained(client: TestClient, files: dict,
                                                               repository: Path) -> None:
    response = client.post("/v1/tryon", files=files, data={"mode": "garment", "path": "auto"})
    assert response.status_code == 200, response.text
    assert response.headers["x-tryon-path"] == auto_path(repository)
    assert "x-untrained-models" not in response.headers  # auto never serves an untrained model


@pytest.mark.slow
def test_neural_runs_on_request_and_names_the_untrained_models(client: TestClient, files: dict,
                                                               person: np.ndarray, repository: Path) -> None:
    response = client.post("/v1/tryon", files=files, data={"mode": "garment", "path": "neural", "seed": "1234"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200, response.text
    assert response.headers["x-tryon-path"] == "neural"
    assert response.headers["x-tryon-seed"] == "1234" and response.json()["seed"] == 1234  # reproduces the image
    assert response.headers.get("x-untrained-models") == untrained_header(repository, VITONHD_MODELS)
    body = response.json()
    assert body["path"] == "neural" and body["untrained_models"] == untrained(repository, VITONHD_MODELS)
    assert (body["height"], body["width"]) == person.shape[:2]
    assert {"seg", "gmm", "alias", "paste"} <= set(body["timings_ms"])


@pytest.mark.slow
def test_daflow_on_a_catalog_garment_uses_its_stored_mask(client: TestClient, files: dict,
                                                          person: np.ndarray, repository: Path) -> None:
    registered = client.post("/v1/garments", files={"image": files["garment"]}, data={"category": "upper"})
    assert registered.status_code == 201, registered.text
    response = client.post("/v1/tryon", files={"person": files["person"]},
                           data={"mode": "garment", "path": "daflow", "garment_id": registered.json()["id"]},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200, response.text
    assert response.headers["x-tryon-path"] == "daflow"
    # The cloth-mask model did not run (the catalog mask stood in for it), so it is not named.
    ran = [model for model in DAFLOW_MODELS if model != "u2net_cloth"]
    assert response.headers.get("x-untrained-models") == untrained_header(repository, ran)
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


@pytest.mark.trainedness
def test_admin_models_label_each_garment_model_by_the_weights_it_was_exported_from(client: TestClient) -> None:
    """Expected from TRYON_WEIGHTS_DIR, not from the served configs: trained with the checkpoint's file and sha256
    when it holds the model's official file, else a seeded untrained placeholder."""
    response = client.get("/v1/admin/models")
    assert response.status_code == 200, response.text
    views = {view["name"]: view for view in response.json()}
    for name, file_name in CHECKPOINT_FILES.items():
        checkpoint = supplied_checkpoint(name)
        version = views[name]["versions"]["1"]
        labels = (views[name]["trained"], version["trained"], version["weights_origin"], version["checkpoint_file"],
                  version["checkpoint_sha256"])
        if checkpoint is None:
            assert labels == (False, False, "seeded", None, None), (name, labels)
        else:
            assert labels == (True, True, "operator_checkpoint", file_name, sha256(checkpoint)), (name, labels)
