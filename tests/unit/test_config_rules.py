"""The config validator: Triton's schema plus the rules Triton applies at load time, on broken configs."""

from __future__ import annotations

from pathlib import Path

import pytest

from fittingroom.export.config_rules import InvalidModelConfig, config_problems, device_problems, repository_problems

ROOT = Path(__file__).resolve().parents[2]

BASE = """name: "m"
platform: "onnxruntime_onnx"
version_policy { latest { num_versions: 1 } }
max_batch_size: 4
input { name: "image" data_type: TYPE_FP32 dims: [3, 8, 8] }
output { name: "mask" data_type: TYPE_FP32 dims: [1, 8, 8] }
dynamic_batching { preferred_batch_size: [1, 4] max_queue_delay_microseconds: 100 }
"""
CPU = 'instance_group { count: 1 kind: KIND_CPU }\n'
GPU = 'instance_group { count: 1 kind: KIND_GPU }\n'
ORT_TRT = ('optimization { execution_accelerators { gpu_execution_accelerator { name: "tensorrt" '
           'parameters { key: "precision_mode" value: "FP16" } '
           'parameters { key: "trt_engine_cache_enable" value: "1" } '
           'parameters { key: "trt_engine_cache_path" value: "/var/cache/triton/trt-engines" } } } }\n')
OPENVINO = 'optimization { execution_accelerators { cpu_execution_accelerator { name: "openvino" } } }\n'


def test_the_committed_repository_is_the_cpu_profile_and_loads() -> None:
    assert (ROOT / "model_repository").is_dir()
    assert repository_problems(ROOT / "model_repository", device="cpu") == {}


def test_the_committed_repository_is_not_the_gpu_profile() -> None:
    problems = repository_problems(ROOT / "model_repository", device="gpu")
    assert problems and all(any("KIND_CPU instance group in the gpu profile" in p for p in v)
                            for v in problems.values())


@pytest.mark.parametrize("text", [BASE + CPU, BASE + GPU + ORT_TRT, BASE + CPU + OPENVINO,
                                  BASE.replace('platform: "onnxruntime_onnx"', 'platform: "tensorrt_plan"') + GPU,
                                  BASE.replace('platform: "onnxruntime_onnx"', 'backend: "python"') + CPU])
def test_valid_configs_pass(text: str) -> None:
    assert config_problems(text) == []


@pytest.mark.parametrize(("text", "expected"), [
    # KIND_CPU + tensorrt_plan: the TensorRT backend refuses to create the instance.
    (BASE.replace('"onnxruntime_onnx"', '"tensorrt_plan"') + CPU, "TensorRT backend supports only GPU devices"),
    # A GPU accelerator on a CPU instance: ONNX Runtime's backend skips it silently, the GPU idles.
    (BASE + CPU + ORT_TRT, "gpu_execution_accelerator on a KIND_CPU instance group"),
    # Accelerators on a platform that does not read them.
    (BASE.replace('"onnxruntime_onnx"', '"tensorrt_plan"') + GPU + ORT_TRT, "read only by the onnxruntime"),
    (BASE.replace('platform: "onnxruntime_onnx"', 'backend: "python"') + GPU, "CPU provider only"),
    (BASE.replace('platform: "onnxruntime_onnx"', 'backend: "python"') + CPU + ORT_TRT, "read only by the onnxruntime"),
    (BASE + GPU + OPENVINO, "cpu_execution_accelerator (openvino) with a KIND_GPU"),
    (BASE + GPU + ORT_TRT.replace('"precision_mode"', '"precision"'), "unknown TensorRT accelerator parameter"),
    (BASE + GPU + ORT_TRT.replace('value: "FP16"', 'value: "FP8"'), "precision_mode FP8"),
    (BASE + GPU + ORT_TRT.replace('name: "tensorrt"', 'name: "tensorrtx"'), "unknown GPU execution accelerator"),
    (BASE + GPU + ORT_TRT.replace('parameters { key: "trt_engine_cache_path" value: "/var/cache/triton/trt-engines" }',
                                  ''), "trt_engine_cache_enable without trt_engine_cache_path"),
    (BASE + CPU + OPENVINO.replace("openvino", "onednn"), "unknown CPU execution accelerator"),
    (BASE.replace("max_batch_size: 4", "max_batch_size: 2") + CPU, "preferred_batch_size 4 is outside 1..max"),
    (BASE.replace("max_batch_size: 4", "max_batch_size: 0") + CPU, "dynamic_batching needs max_batch_size > 0"),
    (BASE.replace('platform: "onnxruntime_onnx"', 'platform: "onnxruntime_onnx" backend: "tensorrt"') + CPU,
     "unexpected 'platform' and 'backend' pair"),
    (BASE.replace('version_policy { latest { num_versions: 1 } }', '') + CPU, "no version_policy"),
    (BASE.replace("dims: [3, 8, 8]", "dims: [3, 0, 8]") + CPU, "each must be positive or -1"),
    (BASE, "no instance_group"),
    (BASE + 'instance_group { count: 1 kind: KIND_AUTO }\n', "KIND_AUTO depends on the node"),
    (BASE + 'instance_group { count: 1 kind: KIND_CPU gpus: [0] }\n', "KIND_CPU instance group lists gpus"),
    (BASE + CPU + 'instance_group { count: 1 kind: KIND_CPU profile: ["0"] }\n', "only for tensorrt_plan"),
])
def test_broken_configs_are_caught(text: str, expected: str) -> None:
    problems = config_problems(text)
    assert any(expected in p for p in problems), problems


def test_an_unknown_field_fails_in_tritons_own_schema() -> None:
    with pytest.raises(InvalidModelConfig, match="not a Triton model config"):
        config_problems(BASE + CPU + "instance_kind: KIND_GPU\n")


@pytest.mark.parametrize(("text", "device", "expected"), [
    (BASE + CPU, "gpu", "KIND_CPU instance group in the gpu profile"),
    (BASE + GPU, "gpu", "no TensorRT gpu_execution_accelerator"),
    (BASE + GPU + ORT_TRT, "cpu", "KIND_GPU instance group in the cpu profile"),
])
def test_device_profiles_are_enforced(text: str, device: str, expected: str) -> None:
    assert any(expected in p for p in device_problems(text, device))
    assert device_problems(BASE + GPU + ORT_TRT, "gpu") == device_problems(BASE + CPU, "cpu") == []
