"""Runtime flavours: the same models, names, versions and batching, for different Triton builds."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Flavour:
    name: str
    platform: str
    backend: str
    help: str


FLAVOURS = {f.name: f for f in (
    Flavour("onnxruntime", "onnxruntime_onnx", "",
            "NGC tritonserver images (onnxruntime backend); also what the embedded backend reads"),
    Flavour("python-ort", "", "python",
            "Triton builds without the onnxruntime backend (the pip tritonserver): a python model runs ORT"),
    Flavour("tensorrt", "tensorrt_plan", "", "TensorRT engines built on a GPU node (fp16)"),
)}
DEFAULT_FLAVOUR = "onnxruntime"
