"""`tryon doctor` reads what is built from the repository on disk and says which models are placeholders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from fittingroom.gateway.doctor import model_states, report
from fittingroom.gateway.settings import Backend, Settings

COMMITTED = Path(__file__).resolve().parents[2] / "model_repository"


def _repository(tmp_path: Path, built: dict[str, bool]) -> Path:
    """The committed configs, with a version 1 'built' (an empty model file and its record) for `built`."""
    root = tmp_path / "model_repository"
    for config in COMMITTED.glob("*/config.pbtxt"):
        (root / config.parent.name).mkdir(parents=True)
        shutil.copyfile(config, root / config.parent.name / "config.pbtxt")
    for name, trained in built.items():
        version = root / name / "1"
        version.mkdir()
        (version / "model.onnx").write_bytes(b"")
        (version / "export.json").write_text(json.dumps({"model": name, "trained": trained}))
    return root


def test_states_say_built_and_trained_per_model(tmp_path: Path) -> None:
    root = _repository(tmp_path, {"u2netp": True, "daflow": False})
    states = {s.name: s for s in model_states(root)}
    assert states["u2netp"].built and states["u2netp"].trained
    assert states["daflow"].built and not states["daflow"].trained
    assert not states["style_predict"].built


def test_report_names_placeholders_unbuilt_models_and_the_backend(tmp_path: Path) -> None:
    root = _repository(tmp_path, {"u2netp": True, "daflow": False})
    lines = report(Settings(model_repository=root))
    text = "\n".join(lines)
    assert len(lines) <= 16, text
    assert f"models in {root}: 2 of " in text
    assert "  trained: u2netp" in lines
    assert "  untrained placeholders (seeded random weights): daflow" in lines
    assert "style_predict" in next(line for line in lines if line.startswith("  not built:"))
    assert "  design: not built: " in text  # nor is any other model design mode runs
    assert "backend: embedded ONNX Runtime" in text


def test_paths_say_ready_or_placeholders(tmp_path: Path) -> None:
    trained = ("selfie_segmentation", "pose_detection", "pose_landmark", "style_predict", "style_transform", "u2netp")
    root = _repository(tmp_path, {**dict.fromkeys(trained, True),
                                  "schp_lip": False, "u2net_cloth": False, "daflow": False})
    lines = report(Settings(model_repository=root))
    assert "  design: ready, trained weights" in lines
    assert "  garment_classical: ready, trained weights" in lines
    assert "  garment_daflow: runs, on 3 untrained placeholder(s); path=auto passes it by" in lines
    assert next(line for line in lines if line.startswith("  garment_neural: not built: vitonhd_"))


def test_report_says_when_triton_does_not_answer(tmp_path: Path) -> None:
    settings = Settings(model_repository=_repository(tmp_path, {}), backend=Backend.TRITON,
                        triton_url="127.0.0.1:9")  # discard port: nothing listens there
    assert report(settings)[-1] == "backend: Triton over gRPC at 127.0.0.1:9: not ready"
