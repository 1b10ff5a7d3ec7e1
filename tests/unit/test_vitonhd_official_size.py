"""VITON-HD at its official 1024x768 (TRYON_VTON_SIZE=1024x768): the three models export with ONNX Runtime
matching torch, and the neural path frames the person on the larger canvas it reads from the served config.

The default repository serves 512x384; this builds the official size into a temporary repository (about
two minutes and 6 GB of memory on 2 cores, most of it the ALIAS generator) beside the other exported models.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from model_checks import GARMENT_RELATIVE_TOLERANCE, garment_parity

from fittingroom.common.embedded import EmbeddedClient
from fittingroom.common.repository import ModelRepository
from fittingroom.export.driver import export_all
from fittingroom.export.model_recipes import recipes
from fittingroom.export.settings import ExportSettings
from fittingroom.gateway.routing import TrafficRouter
from fittingroom.gateway.sample_garment import sample_garment
from fittingroom.tryon.networks import VITONHD_MODELS, VitonHDPipeline
from fittingroom.tryon.requests import GarmentRequest
from fittingroom.warp_gen.spec import VITONHD_ALIAS, VITONHD_GMM, VITONHD_SEG

VITONHD = [VITONHD_SEG.name, VITONHD_GMM.name, VITONHD_ALIAS.name]
OFFICIAL_SIZE = ExportSettings(vton_size="1024x768")


@pytest.fixture(scope="module")
def official_size_repository(repository: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """VITON-HD exported at 1024x768; the person and parsing models linked from the default repository."""
    target = tmp_path_factory.mktemp("repository-1024")
    export_all(target, models=VITONHD, recipes=recipes(OFFICIAL_SIZE))
    for model in set(VITONHD_MODELS) - set(VITONHD):
        (target / model).symlink_to(repository / model, target_is_directory=True)
    return target


@pytest.mark.slow
def test_the_three_models_export_at_1024x768_with_parity(official_size_repository: Path) -> None:
    served = ModelRepository(official_size_repository)
    assert served.config(VITONHD_ALIAS.name).inputs[0].dims == (3, 1024, 768)
    assert served.config(VITONHD_GMM.name).outputs[0].dims == (3, 1024, 768)
    for model in VITONHD:
        parity = garment_parity(official_size_repository, model, OFFICIAL_SIZE)
        assert parity["relative_diff"] <= GARMENT_RELATIVE_TOLERANCE, (model, parity)


@pytest.mark.slow
async def test_the_neural_path_runs_on_the_official_canvas(official_size_repository: Path,
                                                           person: np.ndarray) -> None:
    client = EmbeddedClient(official_size_repository, intra_op_threads=2)
    try:
        pipeline = VitonHDPipeline(client, TrafficRouter(client))
        assert await pipeline.canvas() == (1024, 768)
        result = await pipeline(GarmentRequest(person, sample_garment()))
    finally:
        await client.close()
    assert result.image.shape == person.shape and result.image.dtype == np.uint8
    assert {"seg", "gmm", "alias", "paste"} <= set(result.timings_ms)
