"""Triton pieces that need no server: error mapping, stage routing, the derived python-ort repository."""

from __future__ import annotations

from pathlib import Path

import pytest
from tritonclient.utils import InferenceServerException

from fittingroom.common.errors import (
    BackendUnavailable,
    DeadlineExceeded,
    InvalidInput,
    ModelNotFound,
    ModelNotReady,
    Overloaded,
    TryOnError,
)
from fittingroom.common.repository import ModelRepository
from fittingroom.common.triton_client import map_error
from fittingroom.export.runtimes import PYTHON_MODEL_NAME, derive_repository
from fittingroom.gateway.stage_models import model_urls
from fittingroom.segment import spec as segment_spec
from fittingroom.stylize import spec as stylize_spec


@pytest.mark.parametrize(("status", "message", "expected"), [
    ("NOT_FOUND", "Request for unknown model: 'nope' is not found", ModelNotFound),
    ("NOT_FOUND", "Request for unknown model: 'u2netp' version 7 is not found", ModelNotFound),
    ("NOT_FOUND", "Request for unknown model: 'u2netp' has no available versions", ModelNotFound),
    ("UNAVAILABLE", "Request for unknown model: 'u2netp' version 2 is not at ready state", ModelNotReady),
    ("INVALID_ARGUMENT", "unexpected inference input 'foo' for model 'u2netp'", InvalidInput),
    ("UNAVAILABLE", "[request id: <id_unknown>] Exceeds maximum queue size", Overloaded),
    ("RESOURCE_EXHAUSTED", "too many requests", Overloaded),
    ("DEADLINE_EXCEEDED", "Deadline Exceeded", DeadlineExceeded),
    ("UNAVAILABLE", "failed to connect to all addresses; Connection refused", BackendUnavailable),
    ("INTERNAL", "model.py raised", BackendUnavailable),
])
def test_triton_statuses_map_to_project_errors(status: str, message: str, expected: type[TryOnError]) -> None:
    error = map_error(InferenceServerException(message, status=f"StatusCode.{status}"), "model 'u2netp'")
    assert type(error) is expected
    assert "model 'u2netp'" in error.message and message in error.message


def test_stage_urls_route_every_model_of_the_stage() -> None:
    routes = model_urls({"segment": "seg:8001", "stylize": "style:8001"})
    assert set(routes) == {spec.name for spec in (*segment_spec.SPECS, *stylize_spec.SPECS)}
    assert routes["u2netp"] == "seg:8001" and routes["style_transform"] == "style:8001"
    assert "pose_landmark" not in routes  # its stage has no URL of its own: the default one serves it
    with pytest.raises(ValueError, match="unknown stage"):
        model_urls({"segmnet": "x:1"})


def test_derived_repository_serves_the_same_files_through_the_python_backend(tmp_path: Path) -> None:
    source, target = tmp_path / "onnx", tmp_path / "python-ort"
    (source / "m" / "1").mkdir(parents=True)
    (source / "m" / "1" / "model.onnx").write_bytes(b"onnx bytes")
    (source / "m" / "config.pbtxt").write_text(
        'name: "m"\nplatform: "onnxruntime_onnx"\nmax_batch_size: 8\n'
        'input { name: "x" data_type: TYPE_FP32 dims: 4 }\n'
        'output { name: "y" data_type: TYPE_FP32 dims: 4 }\n'
        'dynamic_batching { preferred_batch_size: 4 max_queue_delay_microseconds: 500 }\n')
    (source / "unexported").mkdir()
    (source / "unexported" / "config.pbtxt").write_text('name: "unexported"\n')  # a config, no model file
    (target / "m" / "9").mkdir(parents=True)  # a version the source no longer has
    (target / "gone").mkdir()
    (target / "gone" / "config.pbtxt").write_text('name: "gone"\n')  # a model the source no longer has

    assert derive_repository(source, target) == ["m"]

    config = ModelRepository(target).config("m")
    assert (config.backend, config.platform, config.max_batch_size) == ("python", "", 8)
    assert config.dynamic_batching and config.inputs == ModelRepository(source).config("m").inputs
    assert (target / "m" / "1" / "model.onnx").read_bytes() == b"onnx bytes"
    assert (target / "m" / "1" / "model.onnx").is_symlink()
    assert (target / "m" / "1" / PYTHON_MODEL_NAME).is_file()
    assert not (target / "m" / "9").exists() and not (target / "gone").exists()
