"""The try-on network paths (VITON-HD, DAFlow): path choice, input checks, and runs end to end on the exported
models (untrained placeholders, or the operator's checkpoints): the tests check the plumbing and the labels,
which must match the served configs, never the picture.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import auto_path, untrained
from model_checks import write_fixture_checkpoint

from fittingroom.common.embedded import EmbeddedClient
from fittingroom.common.errors import InvalidInput, ModelNotFound
from fittingroom.common.garment import Category
from fittingroom.common.inference import ModelMetadata
from fittingroom.common.stage import ModelUse
from fittingroom.export.driver import export_all
from fittingroom.export.model_recipes import recipes
from fittingroom.export.settings import ExportSettings
from fittingroom.gateway.cli import _write, main
from fittingroom.gateway.routing import TrafficRouter
from fittingroom.gateway.sample_garment import sample_garment
from fittingroom.tryon.classical import ClassicalGarmentPipeline
from fittingroom.tryon.networks import (
    DAFLOW_MODELS,
    DAFLOW_PATH,
    VITONHD_MODELS,
    VITONHD_PATH,
    DAFlowPipeline,
    VitonHDPipeline,
)
from fittingroom.tryon.requests import SEED_LIMIT, GarmentRequest, GeneratorNoise
from fittingroom.tryon.result import TryOnResult
from fittingroom.tryon.selection import GarmentPath, choose_garment_pipeline

STAGES = {"person_mask", "pose", "limb_gaps", "parsing", "cloth_mask", "agnostic", "seg", "gmm", "alias", "paste"}
# No cloth_mask: a catalog one.
DAFLOW_STAGES = {"person_mask", "pose", "limb_gaps", "parsing", "agnostic", "daflow", "paste"}


class Metadata:
    """A backend whose models say trained=`trained` (but those in `untrained`), less the `missing` ones."""

    def __init__(self, trained: bool, missing: tuple[str, ...] = (), untrained: tuple[str, ...] = ()) -> None:
        self.trained, self.missing, self.untrained = trained, missing, untrained

    async def model_metadata(self, model: str, version: int | None = None) -> ModelMetadata:
        if model in self.missing:
            raise ModelNotFound(f"model '{model}' is not in the repository")
        trained = self.trained and model not in self.untrained
        return ModelMetadata(model, (1,), "onnxruntime_onnx", (), (), 4, {"trained": str(trained).lower()})


async def _chosen(backend: Any, path: GarmentPath, category: Category = Category.UPPER, *,
                  catalog_mask: bool = False) -> str | None:
    chosen = await choose_garment_pipeline(
        path, category, catalog_mask=catalog_mask, classical=ClassicalGarmentPipeline(backend, TrafficRouter(backend)),
        networks=(VitonHDPipeline(backend, TrafficRouter(backend)), DAFlowPipeline(backend, TrafficRouter(backend))))
    return chosen.path


async def test_auto_takes_a_network_only_when_every_model_it_runs_is_trained() -> None:
    assert await _chosen(Metadata(trained=True), GarmentPath.AUTO) == VITONHD_PATH
    assert await _chosen(Metadata(trained=True), GarmentPath.AUTO, Category.DRESS) == "classical"  # tops only
    assert await _chosen(Metadata(trained=False), GarmentPath.AUTO) == "classical"
    # VITON-HD first; DAFlow when VITON-HD cannot; classical when neither can.
    assert await _chosen(Metadata(trained=True, missing=("vitonhd_alias",)), GarmentPath.AUTO) == DAFLOW_PATH
    assert await _chosen(Metadata(trained=True, untrained=("vitonhd_gmm",)), GarmentPath.AUTO) == DAFLOW_PATH
    assert await _chosen(Metadata(trained=True, missing=("vitonhd_alias", "daflow")), GarmentPath.AUTO) == "classical"
    # An untrained cloth-mask model does not matter for a catalog garment: it brings its own mask.
    assert await _chosen(Metadata(trained=True, untrained=("u2net_cloth",)), GarmentPath.AUTO) == "classical"
    assert await _chosen(Metadata(trained=True, untrained=("u2net_cloth",)), GarmentPath.AUTO,
                         catalog_mask=True) == VITONHD_PATH
    assert await _chosen(Metadata(trained=False), GarmentPath.NEURAL) == VITONHD_PATH  # asked for: runs, labelled
    assert await _chosen(Metadata(trained=False), GarmentPath.DAFLOW) == DAFLOW_PATH
    assert await _chosen(Metadata(trained=True), GarmentPath.CLASSICAL) == "classical"


@pytest.mark.trainedness
async def test_auto_follows_the_served_configs(embedded: EmbeddedClient, repository: Path) -> None:
    assert await _chosen(embedded, GarmentPath.AUTO) == auto_path(repository)


def test_only_tops_and_valid_images_are_accepted() -> None:
    person = np.zeros((100, 100, 3), np.uint8)
    for pipeline in (VitonHDPipeline, DAFlowPipeline):
        with pytest.raises(InvalidInput) as error:
            pipeline.check_inputs(GarmentRequest(person, person, Category.LOWER))
        assert error.value.field == "category"
    with pytest.raises(InvalidInput) as error:
        VitonHDPipeline.check_inputs(GarmentRequest(person, np.zeros((10, 100, 3), np.uint8)))
    assert error.value.field == "garment"
    for seed in (-1, SEED_LIMIT):
        with pytest.raises(InvalidInput) as error:
            VitonHDPipeline.check_inputs(GarmentRequest(person, person, seed=seed))
        assert error.value.field == "seed"


@pytest.mark.slow
async def test_neural_tryon_runs_end_to_end_and_names_its_untrained_models(embedded: EmbeddedClient,
                                                                           person: np.ndarray,
                                                                           repository: Path) -> None:
    observed: list[tuple[str, str, str]] = []
    pipeline = VitonHDPipeline(embedded, TrafficRouter(embedded), observe=lambda stage, model, _v, outcome, _s:
                               observed.append((stage, model, outcome)))
    result = await pipeline(GarmentRequest(person, sample_garment(Category.UPPER)))
    assert result.mode == "garment" and result.path == VITONHD_PATH
    assert result.image.shape == person.shape and result.image.dtype == np.uint8
    assert set(result.timings_ms) == STAGES
    assert {stage for stage, _, outcome in observed if outcome == "ok"} == STAGES
    assert {("seg", "vitonhd_seg"), ("gmm", "vitonhd_gmm"), ("alias", "vitonhd_alias"),
            ("parsing", "schp_lip"), ("cloth_mask", "u2net_cloth")} <= {(s, m) for s, m, _ in observed}
    assert set(result.models) == set(VITONHD_MODELS)
    # Placeholders are named, never passed off as trained; trained checkpoints are not named.
    assert result.untrained_models == untrained(repository, VITONHD_MODELS)
    # The person is framed from the head down, centred on the neck; right of that frame the photo is untouched.
    assert np.array_equal(result.image[:, 440:], person[:, 440:])
    assert result.seed is not None and 0 <= result.seed < SEED_LIMIT  # drawn fresh, and reported


@pytest.mark.slow
async def test_the_reported_seed_reproduces_the_vitonhd_image(embedded: EmbeddedClient, person: np.ndarray) -> None:
    pipeline = VitonHDPipeline(embedded, TrafficRouter(embedded))
    garment = sample_garment(Category.UPPER)
    first = await pipeline(GarmentRequest(person, garment))
    assert first.seed is not None
    again = await pipeline(GarmentRequest(person, garment, seed=first.seed))
    assert again.seed == first.seed and np.array_equal(again.image, first.image)
    quiet = await pipeline(GarmentRequest(person, garment, seed=first.seed, noise=GeneratorNoise.OFF))
    assert quiet.seed == first.seed  # the placeholders' noise scales are zero: no image difference to expect


@pytest.mark.slow
async def test_a_model_with_the_operators_checkpoint_is_not_named(repository: Path, person: np.ndarray,
                                                                  tmp_path: Path) -> None:
    """The labels follow the served configs, not the placeholders: with a checkpoint for vitonhd_gmm (a fixture
    in gmm_final.pth's release format, exported for real) the same try-on names every untrained model but it."""
    weights = tmp_path / "weights"
    write_fixture_checkpoint("vitonhd_gmm", weights)
    served = tmp_path / "repository"
    export_all(served, models=["vitonhd_gmm"], recipes=recipes(ExportSettings(weights_dir=weights)))
    for model in set(VITONHD_MODELS) - {"vitonhd_gmm"}:
        (served / model).symlink_to(repository / model, target_is_directory=True)
    client = EmbeddedClient(served, intra_op_threads=1)
    try:
        result = await VitonHDPipeline(client, TrafficRouter(client))(
            GarmentRequest(person, sample_garment(Category.UPPER)))
    finally:
        await client.close()
    assert result.models["vitonhd_gmm"].trained and "vitonhd_gmm" not in result.untrained_models
    assert result.untrained_models == untrained(served, VITONHD_MODELS)


@pytest.mark.slow
async def test_daflow_tryon_with_a_catalog_mask_runs_end_to_end(embedded: EmbeddedClient, person: np.ndarray,
                                                                repository: Path) -> None:
    garment = sample_garment(Category.UPPER)
    stored_mask = (garment.min(axis=2) < 250).astype(np.uint8)  # what registration stores: 0/1, garment = 1
    observed: list[tuple[str, str]] = []
    pipeline = DAFlowPipeline(embedded, TrafficRouter(embedded),
                              observe=lambda stage, model, _v, _o, _s: observed.append((stage, model)))
    result = await pipeline(GarmentRequest(person, garment, product_mask=stored_mask))
    assert result.mode == "garment" and result.path == DAFLOW_PATH
    assert result.image.shape == person.shape and result.image.dtype == np.uint8
    assert set(result.timings_ms) == DAFLOW_STAGES
    assert ("daflow", "daflow") in observed and "u2net_cloth" not in {model for _, model in observed}
    assert set(result.models) == set(DAFLOW_MODELS) - {"u2net_cloth"}
    assert result.untrained_models == untrained(repository, set(DAFLOW_MODELS) - {"u2net_cloth"})
    assert np.array_equal(result.image[:, 440:], person[:, 440:])


def test_cli_report_names_the_path_and_warns_about_placeholders(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    result = TryOnResult(image=np.zeros((8, 8, 3), np.uint8), mode="garment", path=VITONHD_PATH,
                         models={"vitonhd_alias": ModelUse("vitonhd_alias", 1, trained=False)}, seed=5)
    _write(result, tmp_path / "tryon.png", None, {})
    assert "WARNING: untrained placeholder weights in ['vitonhd_alias']" in capsys.readouterr().out
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["path"] == VITONHD_PATH and report["untrained_models"] == ["vitonhd_alias"]
    assert report["seed"] == 5  # the seed that reproduces the image


@pytest.mark.parametrize(("argv", "message"), [(["--seed", "-5"], "must be in [0, 2147483648), got -5"),
                                               (["--seed", "x"], "not an integer: 'x'"),
                                               (["--noise", "loud"], "invalid choice: 'loud'")])
def test_cli_refuses_a_bad_seed_or_noise_in_one_line(argv: list[str], message: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["garment", *argv])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err.splitlines()[-1]
