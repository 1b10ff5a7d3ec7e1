"""Garment-transfer models: ONNX Runtime against torch eager run here, honest `trained` flags from the served
configs, checkpoint handling (with fixture checkpoints in the official release formats)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from helpers import REPOSITORY
from model_checks import GARMENT_RELATIVE_TOLERANCE, garment_parity, traced_module, write_fixture_checkpoint
from torch import nn

from fittingroom.common.modelspec import ModelSpec, Provenance
from fittingroom.common.repository import ModelRepository
from fittingroom.common.tensors import fp32
from fittingroom.common.wheels import sha256
from fittingroom.export import builders_garment as garment
from fittingroom.export.driver import export_all, fingerprint
from fittingroom.export.model_recipes import BUILDERS, recipes
from fittingroom.export.settings import ExportSettings
from fittingroom.segment.schp import AdaptiveAvgPool
from fittingroom.warp_gen.vitonhd import GMM

ROOT = Path(__file__).resolve().parents[2]
RECIPES = recipes(ExportSettings())
GARMENT_MODELS = sorted(name for name, recipe in RECIPES.items() if recipe.checkpoint is not None)


def _exported(path: Path) -> Path:
    """`path`, which `make repository` writes."""
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `make repository`")
    return path


def _record(name: str) -> dict[str, object]:
    return dict(json.loads(_exported(REPOSITORY / name / "1" / "export.json").read_text()))


def test_every_garment_model_has_an_official_checkpoint_file() -> None:
    assert set(GARMENT_MODELS) == set(garment.CHECKPOINT_FILES)


@pytest.mark.trainedness
@pytest.mark.parametrize("name", GARMENT_MODELS)
def test_served_graph_is_todays_build(name: str) -> None:
    # The model on disk is the one today's weights, code and config make (else: re-export).
    assert _record(name)["fingerprint"] == fingerprint(RECIPES[name])


@pytest.mark.slow
@pytest.mark.trainedness
@pytest.mark.parametrize("name", GARMENT_MODELS)
def test_onnx_runtime_matches_torch_eager(name: str) -> None:
    _exported(REPOSITORY / name / "1" / "model.onnx")
    parity = garment_parity(REPOSITORY, name)
    print(f"{name}: ONNX Runtime vs torch eager {parity}")
    assert parity["relative_diff"] <= GARMENT_RELATIVE_TOLERANCE, parity


@pytest.mark.trainedness
@pytest.mark.parametrize("name", GARMENT_MODELS)
def test_untrained_unless_the_checkpoint_is_there(name: str) -> None:
    """Trained, naming the checkpoint file and its sha256, exactly when TRYON_WEIGHTS_DIR supplies it."""
    recipe = RECIPES[name]
    assert recipe.checkpoint is not None
    _exported(REPOSITORY / name / "config.pbtxt")
    config = ModelRepository(REPOSITORY).config(name)
    record_path = REPOSITORY / name / "1" / "export.json"
    record = json.loads(record_path.read_text()) if record_path.is_file() else None
    assert recipe.checkpoint.file_name in config.parameters["weights_source"]
    if recipe.checkpoint.path is not None:
        assert config.trained
        assert not config.parameters["weights_license"].startswith("none")
        if record is not None:
            assert record["trained"] is True
            assert record["checkpoint"] == {"file": recipe.checkpoint.file_name,
                                            "sha256": sha256(recipe.checkpoint.path)}
        return
    assert not config.trained
    assert config.parameters["weights_source"].startswith(garment.UNTRAINED_SOURCE)
    if record is not None:
        assert record["trained"] is False and record["checkpoint"] is None
        assert record["seed"] == garment.seed_for(name)


@pytest.mark.slow
def test_a_fixture_checkpoint_exports_trained_with_its_license(tmp_path: Path) -> None:
    """An operator's checkpoint (here a fixture in the official gmm_final.pth format) goes through the real
    export: strictly loaded, the served config says trained with the official license, and ONNX Runtime
    matches torch eager with those weights."""
    weights = tmp_path / "weights"
    write_fixture_checkpoint("vitonhd_gmm", weights)
    settings = ExportSettings(weights_dir=weights)
    export_all(tmp_path / "repository", models=["vitonhd_gmm"], recipes=recipes(settings))
    config = ModelRepository(tmp_path / "repository").config("vitonhd_gmm")
    assert config.trained
    assert config.parameters["weights_license"].startswith("CC BY-NC 4.0")
    assert "gmm_final.pth from TRYON_WEIGHTS_DIR" in config.parameters["weights_source"]
    assert garment_parity(tmp_path / "repository", "vitonhd_gmm", settings)["relative_diff"] \
        <= GARMENT_RELATIVE_TOLERANCE


def test_a_checkpoint_marks_trained_and_changes_the_fingerprint(tmp_path: Path) -> None:
    empty = garment.garment_recipes(ExportSettings(weights_dir=tmp_path / "none"))["vitonhd_seg"]
    (tmp_path / "seg_final.pth").write_bytes(b"first")
    supplied = garment.garment_recipes(ExportSettings(weights_dir=tmp_path))["vitonhd_seg"]
    assert not empty.spec.provenance.trained
    assert supplied.spec.provenance.trained
    assert supplied.spec.provenance.license.startswith("CC BY-NC 4.0")
    assert "seg_final.pth" in supplied.spec.provenance.source
    assert fingerprint(supplied) != fingerprint(empty)
    before = fingerprint(supplied)
    (tmp_path / "seg_final.pth").write_bytes(b"second")
    assert fingerprint(supplied) != before  # the bytes are hashed at every export: a new file rebuilds


def test_vton_size_flag_changes_only_vitonhd_shapes() -> None:
    large = garment.garment_recipes(ExportSettings(vton_size="1024x768"))
    assert large["vitonhd_alias"].spec.outputs[0].dims == (3, 1024, 768)
    assert large["vitonhd_gmm"].spec.inputs[0].dims == (1, 1024, 768)
    assert large["vitonhd_seg"].spec.inputs[-1].dims == (1, 256, 192)  # the noise stays at network size
    assert large["daflow"].spec.inputs[0].dims == BUILDERS["daflow"].spec.inputs[0].dims == (3, 256, 192)
    assert BUILDERS["vitonhd_alias"].spec.outputs[0].dims == (3, 512, 384)


def test_every_model_is_in_the_committed_repository() -> None:
    assert set(BUILDERS) == set(RECIPES) >= {"schp_lip", "schp_atr", "schp_pascal", "daflow", "vitonhd_alias"}
    committed = ROOT / "model_repository"
    assert {p.name for p in committed.iterdir() if (p / "config.pbtxt").is_file()} == set(BUILDERS)


def test_official_checkpoint_is_loaded_strictly(tmp_path: Path) -> None:
    torch.manual_seed(1)
    official = GMM().state_dict()
    torch.save(official, tmp_path / "gmm_final.pth")
    loaded = traced_module("vitonhd_gmm", ExportSettings(weights_dir=tmp_path)).state_dict()
    assert all(torch.equal(loaded[f"gmm.{key}"], value) for key, value in official.items())

    del official["regression.linear.bias"]
    torch.save(official, tmp_path / "gmm_final.pth")
    with pytest.raises(RuntimeError, match=r"regression\.linear\.bias"):
        traced_module("vitonhd_gmm", ExportSettings(weights_dir=tmp_path))


def test_export_checked_names_tensors_and_batches(tmp_path: Path) -> None:
    spec = ModelSpec("tiny", (fp32("image", 3, 8, 8),), (fp32("scores", 2, 8, 8),), Provenance(False, "test", "none"))
    torch.manual_seed(0)
    built = garment.export_checked(nn.Conv2d(3, 2, 3, padding=1).eval(), spec, tmp_path)
    graph = built.model.graph
    assert [i.name for i in graph.input] == ["image"] and [o.name for o in graph.output] == ["scores"]
    assert graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    assert built.parity["max_abs_diff"] < 1e-6
    assert np.isfinite(built.parity["relative_diff"])


@pytest.mark.parametrize(("size", "bins"), [(30, 6), (32, 3), (32, 6), (17, 2)])
def test_schp_pyramid_pooling_is_adaptive_average_pooling(size: int, bins: int) -> None:
    """The exportable pool keeps PyTorch's bins where ATR/Pascal's 32x32 features do not divide."""
    x = torch.randn(2, 4, size, size + 3)
    np.testing.assert_allclose(AdaptiveAvgPool(bins)(x), nn.AdaptiveAvgPool2d(bins)(x), atol=1e-6)
