"""Triton python-backend model that runs ONNX Runtime on its version directory's `model.onnx`.

The `python-ort` flavour copies this one file into every `<model>/<version>/`, so Triton builds
without the onnxruntime backend (the pip `tritonserver`) serve the same models, tensor names and
batching as the NGC images. It must stay self-contained: the stub imports it with nothing but
numpy, onnxruntime and `triton_python_backend_utils` available.

Dynamic batching hands `execute` several requests at once; their inputs are concatenated along the
batch dimension, run in one ORT call and split back. A request that fails gets its own error
response, so one bad request never fails its batch neighbours.

Tensors cross the stub boundary through DLPack, not `as_numpy()` / `Tensor(name, ndarray)`: the stub
of the pip tritonserver 2.51 is built against numpy 1.x, and with numpy 2 those two calls silently
read zeros and send empty outputs. DLPack is correct with numpy 1.x and 2.x alike.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import numpy as np
import onnxruntime as ort
import triton_python_backend_utils as pb_utils
from onnxruntime.capi.onnxruntime_pybind11_state import InvalidArgument

MODEL_FILE = "model.onnx"
# Optional config parameter: ORT intra-op threads per instance (0 = ORT's default, one per core).
THREADS_PARAMETER = "ort_intra_op_threads"
_CAPSULE_NAME_ERROR = "PyCapsule_GetPointer called with incorrect name"
_default_unraisablehook = sys.unraisablehook


def _ignore_consumed_capsules(unraisable: Any) -> None:
    """Drop the one harmless error `Tensor.from_dlpack` causes; pass every other one on.

    The stub marks a consumed capsule "used_dlpack" where numpy looks for "used_dltensor", so numpy's
    capsule destructor reports a ValueError for every output tensor (the stub releases the memory itself).
    """
    if isinstance(unraisable.exc_value, ValueError) and str(unraisable.exc_value) == _CAPSULE_NAME_ERROR:
        return
    _default_unraisablehook(unraisable)


sys.unraisablehook = _ignore_consumed_capsules


class TritonPythonModel:
    """One ORT session per model instance, shared by every request Triton schedules on it."""

    def initialize(self, args: dict[str, str]) -> None:
        config = json.loads(args["model_config"])
        self.model_name = config["name"]
        self.max_batch_size = int(config.get("max_batch_size", 0))
        self.input_names = [t["name"] for t in config["input"]]
        self.output_dtypes = {
            t["name"]: pb_utils.triton_string_to_numpy(t["data_type"]) for t in config["output"]}
        parameters = config.get("parameters", {})
        threads = int(parameters.get(THREADS_PARAMETER, {}).get("string_value", "0") or 0)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        path = os.path.join(args["model_repository"], args["model_version"], MODEL_FILE)
        self.session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        pb_utils.Logger.log_info(f"{self.model_name}: ONNX Runtime {ort.__version__} session on {path}")

    def execute(self, requests: list[Any]) -> list[Any]:
        feeds: list[dict[str, np.ndarray] | Exception] = []
        for request in requests:
            try:
                feeds.append(self._feed(request))
            except ValueError as exc:
                feeds.append(exc)
        good = [f for f in feeds if isinstance(f, dict)]
        if self.max_batch_size > 0 and len(good) > 1:
            try:
                batched = iter(self._run_batched(good))
            except Exception as exc:  # ORT raises untyped errors; find the culprit one request at a time
                pb_utils.Logger.log_warn(f"{self.model_name}: batch of {len(good)} failed ({exc}); "
                                         "running its requests one by one")
            else:
                return [_error(f) if isinstance(f, Exception) else _response(next(batched)) for f in feeds]
        return [_error(f) if isinstance(f, Exception) else self._run_one(f) for f in feeds]

    def finalize(self) -> None:
        del self.session

    # -- helpers ---------------------------------------------------------------------------------

    def _feed(self, request: Any) -> dict[str, np.ndarray]:
        feed = {}
        for name in self.input_names:
            tensor = pb_utils.get_input_tensor_by_name(request, name)
            if tensor is None:  # Triton checks names first; this only guards optional inputs
                raise ValueError(f"model '{self.model_name}' needs input '{name}'")
            feed[name] = np.from_dlpack(tensor)
        return feed

    def _run(self, feed: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        names = list(self.output_dtypes)
        results = self.session.run(names, feed)
        return {n: np.asarray(r, dtype=self.output_dtypes[n]) for n, r in zip(names, results, strict=True)}

    def _run_batched(self, feeds: list[dict[str, np.ndarray]]) -> list[dict[str, np.ndarray]]:
        sizes = [len(next(iter(f.values()))) for f in feeds]
        merged = {name: np.concatenate([f[name] for f in feeds]) for name in self.input_names}
        outputs = self._run(merged)
        bounds = np.cumsum(sizes)[:-1]
        split = {name: np.split(value, bounds) for name, value in outputs.items()}
        return [{name: parts[i] for name, parts in split.items()} for i in range(len(feeds))]

    def _run_one(self, feed: dict[str, np.ndarray]) -> Any:
        try:
            return _response(self._run(feed))
        except Exception as exc:  # reported to this request's caller, not raised into the stub
            return _error(exc)


def _response(outputs: dict[str, np.ndarray]) -> Any:
    tensors = [pb_utils.Tensor.from_dlpack(n, np.ascontiguousarray(v)) for n, v in outputs.items()]
    return pb_utils.InferenceResponse(output_tensors=tensors)


def _error(exc: Exception) -> Any:
    # ORT's messages name the offending input and shape, which is what the caller needs to fix it.
    bad_input = isinstance(exc, ValueError | InvalidArgument)
    code = pb_utils.TritonError.INVALID_ARG if bad_input else pb_utils.TritonError.INTERNAL
    return pb_utils.InferenceResponse(output_tensors=[], error=pb_utils.TritonError(str(exc), code))
