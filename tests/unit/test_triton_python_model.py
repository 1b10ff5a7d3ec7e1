"""The shared python-backend model (export/triton_python/model.py) outside Triton, with a fake pb_utils."""

from __future__ import annotations

import importlib.util
import json
import sys
import types
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from fittingroom.export.runtimes import PYTHON_MODEL


class FakeTensor:
    """Holds an array and speaks DLPack, like pb_utils.Tensor (the model must not use as_numpy)."""

    def __init__(self, name: str, array: np.ndarray) -> None:
        self.name, self.array = name, array

    def __dlpack__(self, **kwargs: Any) -> Any:
        return self.array.__dlpack__(**kwargs)

    def __dlpack_device__(self) -> Any:
        return self.array.__dlpack_device__()

    @classmethod
    def from_dlpack(cls, name: str, obj: Any) -> FakeTensor:
        return cls(name, np.from_dlpack(obj))


class FakeError:
    INVALID_ARG, INTERNAL = "INVALID_ARG", "INTERNAL"

    def __init__(self, message: str, code: str) -> None:
        self.message, self.code = message, code


class FakeResponse:
    def __init__(self, output_tensors: list[FakeTensor], error: FakeError | None = None) -> None:
        self.outputs = {t.name: t.array for t in output_tensors}
        self.error = error


def _pb_utils() -> types.ModuleType:
    module = types.ModuleType("triton_python_backend_utils")
    module.Tensor = FakeTensor  # type: ignore[attr-defined]
    module.TritonError = FakeError  # type: ignore[attr-defined]
    module.InferenceResponse = FakeResponse  # type: ignore[attr-defined]
    module.Logger = types.SimpleNamespace(log_info=lambda m: None, log_warn=lambda m: None)  # type: ignore[attr-defined]
    module.get_input_tensor_by_name = lambda request, name: request.get(name)  # type: ignore[attr-defined]
    module.triton_string_to_numpy = {"TYPE_FP32": np.float32, "TYPE_FP16": np.float16}.get  # type: ignore[attr-defined]
    return module


def _double_model(path: Path) -> None:
    """y = 2x and z = x + 1 over [batch, 4], dynamic batch, like our exported graphs."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4])
    z = helper.make_tensor_value_info("z", TensorProto.FLOAT, ["batch", 4])
    two = helper.make_tensor("two", TensorProto.FLOAT, [], [2.0])
    one = helper.make_tensor("one", TensorProto.FLOAT, [], [1.0])
    nodes = [helper.make_node("Mul", ["x", "two"], ["y"]), helper.make_node("Add", ["x", "one"], ["z"])]
    graph = helper.make_graph(nodes, "double", [x], [y, z], initializer=[two, one])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    path.parent.mkdir(parents=True)
    onnx.save(model, str(path))


class CountingSession:
    def __init__(self, session: Any) -> None:
        self.session, self.calls = session, 0

    def run(self, names: list[str], feed: dict[str, np.ndarray]) -> Any:
        self.calls += 1
        return self.session.run(names, feed)


@pytest.fixture
def model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setitem(sys.modules, "triton_python_backend_utils", _pb_utils())
    monkeypatch.setattr(sys, "unraisablehook", sys.unraisablehook)  # model.py installs its own filter
    spec = importlib.util.spec_from_file_location("triton_ort_model", PYTHON_MODEL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    _double_model(tmp_path / "1" / "model.onnx")
    config = {"name": "double", "max_batch_size": 8,
              "input": [{"name": "x", "data_type": "TYPE_FP32", "dims": [4]}],
              "output": [{"name": "y", "data_type": "TYPE_FP32", "dims": [4]},
                         {"name": "z", "data_type": "TYPE_FP16", "dims": [4]}]}
    instance = module.TritonPythonModel()
    instance.initialize({"model_config": json.dumps(config), "model_repository": str(tmp_path),
                         "model_version": "1"})
    instance.session = CountingSession(instance.session)
    return instance


def _request(*rows: float, width: int = 4) -> dict[str, FakeTensor]:
    return {"x": FakeTensor("x", np.array([[r] * width for r in rows], dtype=np.float32))}


def test_batches_requests_into_one_run_and_splits_the_results(model: Any) -> None:
    responses = model.execute([_request(1), _request(2, 3), _request(4)])
    assert model.session.calls == 1
    assert [r.error for r in responses] == [None, None, None]
    assert [r.outputs["y"][:, 0].tolist() for r in responses] == [[2], [4, 6], [8]]
    assert responses[1].outputs["y"].shape == (2, 4)


def test_outputs_have_the_configured_dtypes(model: Any) -> None:
    (response,) = model.execute([_request(1)])
    assert response.outputs["y"].dtype == np.float32
    assert response.outputs["z"].dtype == np.float16
    assert response.outputs["z"][0, 0] == 2


def test_a_bad_request_gets_its_own_error_and_its_neighbours_still_succeed(model: Any) -> None:
    responses = model.execute([_request(1), _request(5, width=3), {}, _request(2)])
    ok, wrong_shape, missing, ok_too = responses
    assert ok.error is None and ok.outputs["y"][0, 0] == 2
    assert ok_too.error is None and ok_too.outputs["y"][0, 0] == 4
    assert wrong_shape.error.code == FakeError.INVALID_ARG and "x" in wrong_shape.error.message
    assert missing.error.code == FakeError.INVALID_ARG and "needs input 'x'" in missing.error.message


def test_unbatched_config_runs_each_request_alone(model: Any) -> None:
    model.max_batch_size = 0
    responses = model.execute([_request(1), _request(2)])
    assert model.session.calls == 2
    assert [r.outputs["y"][0, 0] for r in responses] == [2, 4]
