"""The garment-transfer network paths on a real tritonserver: VITON-HD (`path=neural`) from an uploaded
garment and DAFlow (`path=daflow`) from a catalog garment, through the gateway over gRPC, each with its
per-stage timings, and the same picture as the embedded backend makes from the same repository.

The test checks serving, not the picture's quality, and the untrained models named in each response against
the served configs (placeholders, or the operator's checkpoints).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from helpers import live_gateway, python_ort_triton, tshirt_png, untrained_header

from fittingroom.common.imagecodec import decode_image
from fittingroom.common.triton_server import TritonServer
from fittingroom.gateway.samples import SAMPLE_PERSON
from fittingroom.gateway.settings import Settings
from fittingroom.tryon.classical import PRODUCT_MODELS
from fittingroom.tryon.networks import DAFLOW_MODELS, VITONHD_MODELS

pytestmark = pytest.mark.integration
MEAN_ABS_DIFF_LIMIT = 0.5  # pixel values: the same graphs in the same ONNX Runtime, batches of one
NETWORK_STAGES = {"neural": {"parsing", "cloth_mask", "agnostic", "seg", "gmm", "alias", "paste"},
                  "daflow": {"parsing", "agnostic", "daflow", "paste"}}  # a catalog garment: no cloth_mask
# The models each path runs here: a catalog garment brings its own mask, so DAFlow's u2net_cloth does not run.
RUN_MODELS = {"neural": VITONHD_MODELS, "daflow": tuple(m for m in DAFLOW_MODELS if m != "u2net_cloth")}


@pytest.fixture(scope="module")
def triton(repository: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TritonServer]:
    with python_ort_triton(repository, tmp_path_factory.mktemp("triton-garment"),
                           sorted({*VITONHD_MODELS, *DAFLOW_MODELS, *PRODUCT_MODELS})) as server:
        yield server


def _try_ons(settings: Settings) -> dict[str, httpx.Response]:
    """One VITON-HD try-on of an uploaded garment and one DAFlow try-on of a catalog garment (registered first,
    which runs PRODUCT_MODELS)."""
    person = ("person.png", SAMPLE_PERSON.read_bytes(), "image/png")
    garment = ("shirt.png", tshirt_png(), "image/png")
    with live_gateway(settings) as url, httpx.Client(base_url=url, timeout=300) as http:
        registered = http.post("/v1/garments", files={"image": garment}, data={"category": "upper"})
        assert registered.status_code == 201, registered.text
        return {
            "neural": http.post("/v1/tryon", files={"person": person, "garment": garment},
                                # One seed for both backends: VITON-HD's noise inputs are drawn from it.
                                data={"mode": "garment", "path": "neural", "format": "png", "seed": "7"}),
            "daflow": http.post("/v1/tryon", files={"person": person},
                                data={"mode": "garment", "path": "daflow", "format": "png",
                                      "garment_id": registered.json()["id"]}),
        }


@pytest.mark.trainedness
def test_network_paths_on_triton_match_the_embedded_backend(triton: TritonServer, repository: Path,
                                                            tmp_path: Path) -> None:
    answers = {}
    for backend in ("embedded", "triton"):
        state = tmp_path / backend
        state.mkdir()
        answers[backend] = _try_ons(Settings(
            backend=backend, triton_url=triton.grpc_url, model_repository=repository, ort_threads=1,
            request_timeout_s=240, database_url=f"sqlite:///{state / 'tryon.db'}", blob_dir=state / "blobs"))
    for path, stages in NETWORK_STAGES.items():
        images = {}
        for backend, responses in answers.items():
            response = responses[path]
            assert response.status_code == 200, (backend, path, response.text)
            assert response.headers["x-tryon-path"] == path
            timed = {entry.split(";")[0].strip() for entry in response.headers["server-timing"].split(",")}
            assert stages <= timed, (backend, path, timed)
            assert response.headers.get("x-untrained-models") == untrained_header(repository, RUN_MODELS[path])
            images[backend] = decode_image(response.content, field=path, max_pixels=10**8).astype(np.float64)
        difference = float(np.abs(images["triton"] - images["embedded"]).mean())
        assert difference <= MEAN_ABS_DIFF_LIMIT, f"{path}: mean abs diff {difference:.3f} pixel values"
