"""GET /readyz on the embedded backend: every try-on path reported (ready, missing models, trained); 503 in the
app's error shape only when a path that serves default requests (design, classical garment) cannot run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from helpers import serve_app, untrained

from fittingroom.gateway.app import create_app
from fittingroom.gateway.settings import Settings
from fittingroom.tryon.networks import DAFLOW_MODELS, VITONHD_MODELS, VitonHDPipeline
from fittingroom.tryon.service import TryOnService

READY_AND_TRAINED = {"ready": True, "missing": [], "trained": True}


@pytest.fixture(scope="module")
def app(repository: Path, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    state = tmp_path_factory.mktemp("state")
    return create_app(Settings(model_repository=repository, ort_threads=1,
                               database_url=f"sqlite:///{state / 'tryon.db'}", blob_dir=state / "blobs"))


@pytest.fixture(scope="module")
def http(app: FastAPI) -> Iterator[httpx.Client]:
    with serve_app(app) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield client


@pytest.fixture
def unloaded(http: httpx.Client, request: pytest.FixtureRequest) -> Iterator[str]:
    """The model named by the test's parameter, unloaded for the test and loaded again after it."""
    model: str = request.param
    response = http.post(f"/v1/admin/models/{model}/versions/1/unload")
    assert response.status_code == 200, response.text
    yield model
    assert http.post(f"/v1/admin/models/{model}/versions/1/load").status_code == 200


@pytest.mark.trainedness
def test_every_path_is_reported_and_the_replica_is_ready(http: httpx.Client, repository: Path) -> None:
    response = http.get("/readyz")
    assert response.status_code == 200, response.text
    body = response.json()
    assert "error" not in body
    assert body["ready"] is True and body["backend"] is True and body["saturated"] is False
    assert body["paths"]["design"] == READY_AND_TRAINED
    assert body["paths"]["garment_classical"] == READY_AND_TRAINED
    # Trained when every model of the path is (fixture checkpoints), not when any runs on placeholders.
    assert body["paths"]["garment_neural"] == {"ready": True, "missing": [],
                                               "trained": not untrained(repository, VITONHD_MODELS)}
    assert body["paths"]["garment_daflow"] == {"ready": True, "missing": [],
                                               "trained": not untrained(repository, DAFLOW_MODELS)}
    networks = sorted({*VITONHD_MODELS, *DAFLOW_MODELS})
    placeholders = untrained(repository, networks)
    assert {m: body["versions_trained"][m] for m in networks} == {m: {"1": m not in placeholders} for m in networks}
    assert body["models"]["vitonhd_alias"] is True and body["models"]["style_transform"] is True
    assert 'tryon_model_ready{model="vitonhd_alias",version="any"} 1.0' in http.get("/metrics").text


@pytest.mark.parametrize("unloaded", ["style_transform"], indirect=True)
def test_a_default_path_missing_a_model_is_a_503_naming_it(http: httpx.Client, unloaded: str) -> None:
    response = http.get("/readyz")
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["error"]["code"] == "not_ready"
    assert "path design is missing style_transform" in body["error"]["message"]
    assert body["ready"] is False and body["models"][unloaded] is False
    assert body["paths"]["design"] == {"ready": False, "missing": [unloaded], "trained": False}
    assert body["paths"]["garment_classical"] == READY_AND_TRAINED  # the other modes still run


@pytest.mark.parametrize("unloaded", ["vitonhd_alias"], indirect=True)
def test_a_path_asked_for_by_name_only_is_reported_but_leaves_the_replica_ready(http: httpx.Client,
                                                                                unloaded: str) -> None:
    response = http.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json()["paths"]["garment_neural"] == {"ready": False, "missing": [unloaded], "trained": False}


class _ExtraPath(VitonHDPipeline):
    path = "extra"
    models = ("u2netp", "no_such_model")


def test_a_pipeline_wired_in_later_is_reported_with_no_change_to_readyz(app: FastAPI, http: httpx.Client) -> None:
    tryon: TryOnService = app.state.tryon
    wired = tryon.networks
    tryon.networks = (*wired, _ExtraPath(app.state.client, tryon.router))
    try:
        response = http.get("/readyz")
    finally:
        tryon.networks = wired
    assert response.status_code == 200, response.text
    assert response.json()["paths"]["garment_extra"] == {"ready": False, "missing": ["no_such_model"],
                                                         "trained": False}
