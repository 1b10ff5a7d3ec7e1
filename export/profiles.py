"""Device profiles: the same models, names, versions and batching, placed on CPU or on GPU instances.

`cpu` (the default, and what the committed `model_repository/` holds): KIND_CPU instance groups.
`gpu` (what the prod overlay serves): KIND_GPU instance groups; `onnxruntime_onnx` models also ask
Triton's ONNX Runtime backend for the TensorRT execution accelerator as NVIDIA documents it
(onnxruntime_backend README, "ONNX Runtime with TensorRT optimization"): fp16, a bounded workspace,
engines cached on a writable volume, and an optimisation profile covering batch 1..max_batch_size so
that a new batch size never rebuilds an engine while traffic waits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from google.protobuf import text_format
from tritonclient.grpc import model_config_pb2 as mc

from fittingroom.common.modelspec import ModelSpec
from fittingroom.common.repository import render_config
from fittingroom.common.tensors import TensorSpec
from fittingroom.export.flavours import Flavour


@dataclass(frozen=True)
class Device:
    name: str
    instance_kind: str
    help: str


DEVICES = {d.name: d for d in (
    Device("cpu", "KIND_CPU", "KIND_CPU instances: the committed model_repository/, dev and the tests"),
    Device("gpu", "KIND_GPU", "KIND_GPU instances; ONNX models with ONNX Runtime's TensorRT accelerator (prod)"),
)}
DEFAULT_DEVICE = "cpu"

# Where ONNX Runtime keeps the TensorRT engines it builds: an emptyDir mounted into every GPU Triton pod
# (deploy/k8s/overlays/prod), so an engine never outlives the pod, its GPU model or its TensorRT release.
TRT_ENGINE_CACHE_PATH = "/var/cache/triton/trt-engines"
TRT_WORKSPACE_BYTES = 2 << 30  # per engine build; TensorRT falls back to slower tactics beyond it
TRT_PRECISION = "FP16"


def profile_shapes(inputs: Sequence[TensorSpec], max_batch_size: int,
                   preferred: Sequence[int]) -> tuple[str, str, str]:
    """TensorRT's min/opt/max shapes as `name:1x3x320x320,...`: batch 1, the largest preferred, the max.

    The same strings serve trtexec (--minShapes...) and ONNX Runtime's trt_profile_*_shapes.
    """
    opt = max((b for b in preferred if b <= max_batch_size), default=max_batch_size)

    def shapes(batch: int) -> str:
        return ",".join(f"{t.name}:{'x'.join(str(d) for d in (batch, *t.dims))}" for t in inputs)

    return shapes(1), shapes(opt), shapes(max_batch_size)


def tensorrt_accelerator(spec: ModelSpec) -> dict[str, str]:
    """The parameters of ONNX Runtime's TensorRT accelerator for one model."""
    params = {
        "precision_mode": TRT_PRECISION,
        "max_workspace_size_bytes": str(TRT_WORKSPACE_BYTES),
        "trt_engine_cache_enable": "1",
        "trt_engine_cache_path": TRT_ENGINE_CACHE_PATH,
    }
    if spec.max_batch_size > 0:
        low, opt, high = profile_shapes(spec.inputs, spec.max_batch_size, spec.preferred_batch_sizes)
        params |= {"trt_profile_min_shapes": low, "trt_profile_opt_shapes": opt, "trt_profile_max_shapes": high}
    return params


def render_profile_config(spec: ModelSpec, flavour: Flavour, device: Device) -> str:
    """The config.pbtxt of one model for a flavour on a device (cpu: exactly `render_config`'s text)."""
    text = render_config(spec, platform=flavour.platform, backend=flavour.backend, kind=device.instance_kind)
    if device.instance_kind != "KIND_GPU" or flavour.platform != "onnxruntime_onnx":
        return text
    msg = text_format.Parse(text, mc.ModelConfig())
    accelerator = msg.optimization.execution_accelerators.gpu_execution_accelerator.add(name="tensorrt")
    accelerator.parameters.update(tensorrt_accelerator(spec))
    return text_format.MessageToString(msg)
