"""Check a config.pbtxt the way Triton does when it loads the model, before the config leaves export/.

Parsing uses Triton's own `model_config.proto` (shipped in tritonclient), so an unknown field or a
wrong type fails here as it would in tritonserver. On top, the rules Triton's core and backends apply
at load time, as read in the r24.10 branches (tritonserver 24.10, the deployed image) of
triton-inference-server/core (`ValidateModelConfig`, `ValidateInstanceGroup`), tensorrt_backend
(`instance_state.cc`) and onnxruntime_backend (`onnxruntime.cc`), and three that Triton
does not enforce but that would silently leave a GPU idle or a model unservable here (marked
"project rule"). `device_problems` adds what a device profile promises (export/profiles.py).
"""

from __future__ import annotations

from pathlib import Path

from google.protobuf import text_format
from tritonclient.grpc import model_config_pb2 as mc

from fittingroom.common.repository import CONFIG_NAME

KIND_CPU = mc.ModelInstanceGroup.Kind.Value("KIND_CPU")
KIND_GPU = mc.ModelInstanceGroup.Kind.Value("KIND_GPU")

# platform -> the backend Triton maps it to (core: GetBackendTypeFromPlatform).
PLATFORM_BACKENDS = {"onnxruntime_onnx": "onnxruntime", "tensorrt_plan": "tensorrt",
                     "tensorflow_savedmodel": "tensorflow", "tensorflow_graphdef": "tensorflow",
                     "pytorch_libtorch": "pytorch"}
# Accelerators the ONNX Runtime backend reads; any other name fails the load ("unknown Execution
# Accelerator"). The tensorflow backend also reads accelerators; no model here uses it, so its names are
# not listed and a TensorFlow config with accelerators is reported rather than guessed at.
GPU_ACCELERATORS = {"onnxruntime": {"tensorrt", "cuda"}}
CPU_ACCELERATORS = {"onnxruntime": {"openvino"}}
# Keys the ONNX Runtime backend accepts for its TensorRT accelerator; others fail the load
# ("unknown parameter ... is provided for TensorRT Execution Accelerator").
ORT_TENSORRT_PARAMETERS = frozenset({
    "precision_mode", "max_workspace_size_bytes", "int8_calibration_table_name",
    "int8_use_native_calibration_table", "trt_max_partition_iterations", "trt_min_subgraph_size",
    "trt_dla_enable", "trt_dla_core", "trt_engine_cache_enable", "trt_engine_cache_path",
    "trt_engine_cache_prefix", "trt_dump_subgraphs", "trt_force_sequential_engine_build",
    "trt_context_memory_sharing_enable", "trt_layer_norm_fp32_fallback", "trt_timing_cache_enable",
    "trt_timing_cache_path", "trt_force_timing_cache", "trt_detailed_build_log", "trt_build_heuristics_enable",
    "trt_sparsity_enable", "trt_builder_optimization_level", "trt_auxiliary_streams", "trt_tactic_sources",
    "trt_extra_plugin_lib_paths", "trt_profile_min_shapes", "trt_profile_max_shapes", "trt_profile_opt_shapes",
    "trt_cuda_graph_enable", "trt_dump_ep_context_model", "trt_ep_context_file_path", "trt_ep_context_embed_mode",
})
PRECISION_MODES = {"FP32", "FP16", "INT8"}


class InvalidModelConfig(ValueError):
    """A generated config that Triton would refuse, or that would run on the wrong device."""


def parse(text: str) -> mc.ModelConfig:
    """Parse with Triton's schema; InvalidModelConfig names the offending line."""
    try:
        return text_format.Parse(text, mc.ModelConfig())
    except text_format.ParseError as e:
        raise InvalidModelConfig(f"not a Triton model config: {e}") from e


def backend_of(msg: mc.ModelConfig) -> str:
    return PLATFORM_BACKENDS.get(msg.platform, msg.backend)


def _batching_problems(msg: mc.ModelConfig) -> list[str]:
    problems = []
    if msg.max_batch_size < 0:
        problems.append(f"max_batch_size {msg.max_batch_size} must be non-negative")
    if msg.HasField("dynamic_batching"):
        if msg.max_batch_size == 0:
            # Triton rejects any preferred size then, and a model that cannot batch gains nothing.
            problems.append("dynamic_batching needs max_batch_size > 0")
        for size in msg.dynamic_batching.preferred_batch_size:
            if not 0 < size <= msg.max_batch_size:
                problems.append(f"preferred_batch_size {size} is outside 1..max_batch_size ({msg.max_batch_size})")
    for io in (*msg.input, *msg.output):
        if not io.name:
            problems.append("a tensor has no name")
        if any(d == 0 or d < -1 for d in io.dims):
            problems.append(f"tensor {io.name} has dims {list(io.dims)}: each must be positive or -1")
    return problems


def _instance_problems(msg: mc.ModelConfig, backend: str) -> list[str]:
    if not msg.instance_group:
        return ["no instance_group (Triton: must specify one or more 'instance group's)"]
    problems = []
    for group in msg.instance_group:
        kind = mc.ModelInstanceGroup.Kind.Name(group.kind)
        if group.kind not in (KIND_CPU, KIND_GPU):
            problems.append(f"instance kind {kind}: say KIND_CPU or KIND_GPU (KIND_AUTO depends on the node)")
        if group.kind == KIND_CPU and group.gpus:
            problems.append("a KIND_CPU instance group lists gpus")
        if group.profile and msg.platform != "tensorrt_plan":
            problems.append("instance_group.profile is only for tensorrt_plan models")
        if backend == "tensorrt" and group.kind != KIND_GPU:
            problems.append(f"tensorrt_plan with a {kind} instance group: the TensorRT backend supports only "
                            "GPU devices (use --device gpu)")
        if backend == "python" and group.kind == KIND_GPU:
            problems.append("project rule: the python-ort model.py runs ONNX Runtime on the CPU provider only, "
                            "so a KIND_GPU instance would hold a GPU and leave it idle (use the onnxruntime "
                            "flavour on GPUs)")
    return problems


def _accelerator_problems(msg: mc.ModelConfig, backend: str) -> list[str]:
    accelerators = msg.optimization.execution_accelerators
    gpu, cpu = list(accelerators.gpu_execution_accelerator), list(accelerators.cpu_execution_accelerator)
    kinds = {g.kind for g in msg.instance_group}
    problems = []
    if (gpu or cpu) and backend not in GPU_ACCELERATORS:
        problems.append("accelerators of the tensorflow backend are not checked here" if backend == "tensorflow"
                        else f"execution accelerators are read only by the onnxruntime and tensorflow backends, "
                             f"not {backend or 'an unnamed backend'}: they would be ignored")
        return problems
    if gpu and kinds != {KIND_GPU}:
        # The ONNX Runtime backend reads gpu_execution_accelerator only for GPU instances and skips it
        # silently on CPU ones: the model loads and runs on the CPU.
        problems.append("gpu_execution_accelerator on a KIND_CPU instance group: Triton ignores it there")
    if cpu and KIND_GPU in kinds:
        problems.append("project rule: cpu_execution_accelerator (openvino) with a KIND_GPU instance group "
                        "would put CPU work on a GPU instance")
    for accelerator in gpu:
        if accelerator.name not in GPU_ACCELERATORS[backend]:
            problems.append(f"unknown GPU execution accelerator '{accelerator.name}' for {backend}")
        if backend == "onnxruntime" and accelerator.name == "tensorrt":
            problems += _ort_tensorrt_problems(dict(accelerator.parameters))
    problems += [f"unknown CPU execution accelerator '{a.name}' for {backend}"
                 for a in cpu if a.name not in CPU_ACCELERATORS[backend]]
    return problems


def _ort_tensorrt_problems(params: dict[str, str]) -> list[str]:
    problems = [f"unknown TensorRT accelerator parameter '{k}'" for k in sorted(set(params) - ORT_TENSORRT_PARAMETERS)]
    if params.get("precision_mode", "FP32") not in PRECISION_MODES:
        problems.append(f"precision_mode {params['precision_mode']} is not one of {sorted(PRECISION_MODES)}")
    if params.get("trt_engine_cache_enable") in ("1", "true") and not params.get("trt_engine_cache_path"):
        problems.append("project rule: trt_engine_cache_enable without trt_engine_cache_path writes engines to "
                        "the working directory, which is read-only in the pods")
    return problems


def config_problems(text: str) -> list[str]:
    """Everything Triton (or a project rule) would object to in one config.pbtxt; [] when it loads."""
    msg = parse(text)
    backend = backend_of(msg)
    problems = []
    if msg.platform and msg.backend and PLATFORM_BACKENDS.get(msg.platform) != msg.backend:
        problems.append(f"unexpected 'platform' and 'backend' pair: {msg.platform}, {msg.backend}")
    if not backend:
        problems.append("neither platform nor backend is set")
    if not msg.HasField("version_policy"):
        problems.append("no version_policy")
    return problems + _batching_problems(msg) + _instance_problems(msg, backend) + _accelerator_problems(msg, backend)


def device_problems(text: str, device: str) -> list[str]:
    """What the config lacks for a device profile: cpu = CPU instances only; gpu = GPU instances only,
    and the TensorRT accelerator on every ONNX Runtime model."""
    msg = parse(text)
    want = KIND_GPU if device == "gpu" else KIND_CPU
    problems = [f"{mc.ModelInstanceGroup.Kind.Name(g.kind)} instance group in the {device} profile"
                for g in msg.instance_group if g.kind != want]
    accelerators = {a.name for a in msg.optimization.execution_accelerators.gpu_execution_accelerator}
    if device == "gpu" and backend_of(msg) == "onnxruntime" and "tensorrt" not in accelerators:
        problems.append("no TensorRT gpu_execution_accelerator in the gpu profile (ONNX Runtime would run "
                        "plain CUDA kernels)")
    return problems


def check_config(text: str, *, device: str | None = None, where: str = "config.pbtxt") -> None:
    """Raise InvalidModelConfig listing every problem of one config (and of its device profile)."""
    problems = config_problems(text) + (device_problems(text, device) if device else [])
    if problems:
        raise InvalidModelConfig(f"{where}: " + "; ".join(problems))


def repository_problems(root: Path, *, device: str | None = None) -> dict[str, list[str]]:
    """Problems per model of every `<model>/config.pbtxt` under `root` (only models that have some)."""
    found = {}
    for path in sorted(root.glob(f"*/{CONFIG_NAME}")):
        text = path.read_text()
        try:
            problems = config_problems(text) + (device_problems(text, device) if device else [])
        except InvalidModelConfig as e:
            problems = [str(e)]
        if problems:
            found[path.parent.name] = problems
    return found
