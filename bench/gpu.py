"""`--device cuda`: per model, TensorRT fp16 vs ONNX Runtime CUDA vs torch eager (fp32 and fp16), on an NVIDIA GPU.

Runs unchanged on a GPU machine; anywhere else it says why it cannot and skips cleanly (the result file
records the reason). Each path needs its own runtime, checked one by one and skipped alone when missing:
torch built with CUDA; `onnxruntime-gpu` for the CUDA and TensorRT execution providers; failing the
TensorRT provider, `trtexec` (NGC images) for the fp16 engine, whose own GPU compute time is then reported.
torch fp16 is the same module cast to half precision, inputs too: the speed TensorRT's fp16 engine starts from.
Same graphs and inputs as the CPU benchmark (bench/zoo.py); float inputs, batch 1 and 8. Times include the
host<->device copies of inputs and outputs for torch and ORT (what a server pays per request); trtexec
reports pure GPU compute.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import CACHE, ROOT, Spread
from bench.zoo import Case, export_torch, float_inputs, photos

log = logging.getLogger(__name__)
BATCHES = (1, 8)


def unavailable_reason() -> str | None:
    """Why the CUDA benchmark cannot run here, or None when it can."""
    try:
        import torch
    except ImportError:
        return "torch is not installed (pip install -e '.[export]')"
    if not torch.cuda.is_available():
        built = torch.version.cuda
        return ("no CUDA device visible to torch" + ("" if built else f" (this torch {torch.__version__} is a "
                                                                      "CPU-only build)"))
    return None


def _trtexec() -> str | None:
    # NGC TensorRT and tritonserver images keep trtexec outside PATH.
    found = shutil.which("trtexec")
    return found or next((str(p) for p in (Path("/usr/src/tensorrt/bin/trtexec"),) if p.is_file()), None)


def _time(call: Callable[[], object], sync: Callable[[], None], repeats: int) -> Spread:
    call()
    sync()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        sync()
        samples.append(time.perf_counter() - start)
    return Spread.of(samples)


def _float_path(case: Case, module: Any) -> Path:
    if case.served:
        return ROOT / "model_repository" / case.served / "1" / "model.onnx"
    return export_torch(case, module, "float")


def _trtexec_fp16(case: Case, path: Path, batch: int, trtexec: str) -> dict[str, Any]:
    shapes = ",".join(f"{i.name}:{'x'.join(str(d) for d in (batch, *i.shape))}" for i in case.inputs)
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([trtexec, f"--onnx={path}", "--fp16", f"--shapes={shapes}",
                               f"--saveEngine={Path(tmp) / 'engine.plan'}", "--iterations=20", "--warmUp=500"],
                              capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": done.stdout[-2000:] + done.stderr[-2000:]}
    match = re.search(r"GPU Compute Time: min = ([\d.]+) ms, max = ([\d.]+) ms, mean = [\d.]+ ms, "
                      r"median = ([\d.]+) ms", done.stdout)
    if not match:
        return {"error": "trtexec printed no GPU compute time"}
    low, high, median = (float(x) / 1000 for x in match.groups())
    return {"seconds": Spread(low, median, high, 20).as_dict(), "how": "trtexec --fp16 GPU compute time"}


def measure_case(case: Case, repeats: int) -> dict[str, Any]:
    import onnxruntime as ort
    import torch

    module = case.build() if case.build else None
    providers = ort.get_available_providers()
    needs_onnx = {"CUDAExecutionProvider", "TensorrtExecutionProvider"} & set(providers) or _trtexec() is not None
    # Exported on the CPU, before the module moves to the GPU; only for a runtime that reads it.
    path = _float_path(case, module) if needs_onnx else None
    record: dict[str, Any] = {"model": case.name, "resolution": case.resolution, "batches": {}}
    modules: dict[str, tuple[Any, Any]] = {}  # variant -> (module on the GPU, input dtype)
    if module is not None:
        import copy

        modules["torch_fp16"] = (copy.deepcopy(module).cuda().half(), torch.float16)
        modules["torch_eager"] = (module.cuda(), torch.float32)
    sessions: dict[str, Any] = {}
    if "CUDAExecutionProvider" in providers:
        sessions["ort_cuda"] = ort.InferenceSession(str(path), providers=["CUDAExecutionProvider"])
    if "TensorrtExecutionProvider" in providers:
        cache = CACHE / "trt"
        cache.mkdir(parents=True, exist_ok=True)
        sessions["tensorrt_fp16"] = ort.InferenceSession(str(path), providers=[
            ("TensorrtExecutionProvider", {"trt_fp16_enable": True, "trt_engine_cache_enable": True,
                                           "trt_engine_cache_path": str(cache)}), "CUDAExecutionProvider"])
    missing = {"ort_cuda": "CUDAExecutionProvider" not in providers,
               "tensorrt_fp16": "TensorrtExecutionProvider" not in providers and _trtexec() is None}
    record["skipped"] = {k: f"not available here: onnxruntime has {providers}, no trtexec on PATH"
                         for k, v in missing.items() if v}
    names = [i.name for i in case.inputs]
    for batch in BATCHES:
        feeds = float_inputs(case, photos(case, batch, seed=batch))
        entry: dict[str, Any] = {}
        for variant, (net, dtype) in modules.items():
            def eager(net: Any = net, dtype: Any = dtype, arrays: list[Any] = feeds) -> object:
                with torch.inference_mode():
                    return [t.float().cpu() for t in _tensors(net(*(torch.from_numpy(x).cuda().to(dtype)
                                                                      for x in arrays)))]
            entry[variant] = _time(eager, torch.cuda.synchronize, repeats).as_dict()
        for name, session in sessions.items():
            def run_ort(s: Any = session, arrays: list[Any] = feeds) -> object:
                return s.run(None, dict(zip(names, arrays, strict=True)))
            entry[name] = _time(run_ort, lambda: None, repeats).as_dict()
        if "tensorrt_fp16" not in sessions and (trtexec := _trtexec()) is not None and path is not None:
            entry["tensorrt_fp16"] = _trtexec_fp16(case, path, batch, trtexec)
        record["batches"][str(batch)] = entry
    return record


def _tensors(output: Any) -> list[Any]:
    return list(output) if isinstance(output, tuple | list) else [output]


def run(cases: list[Case], repeats: int) -> dict[str, Any]:
    reason = unavailable_reason()
    if reason is not None:
        log.warning("--device cuda: %s; skipped", reason)
        return {"skipped": reason}
    import torch

    torch.backends.cudnn.benchmark = True  # fixed shapes per call, as a server's: let cuDNN pick its kernels
    return {"device": torch.cuda.get_device_name(0), "torch": torch.__version__,
            "models": [_measured_or_error(c, repeats) for c in cases]}


def _measured_or_error(case: Case, repeats: int) -> dict[str, Any]:
    """One model's record; a model that fails on this GPU is recorded as such and the others still run."""
    try:
        return measure_case(case, repeats)
    except Exception as exc:
        log.exception("--device cuda: %s failed", case.name)
        return {"model": case.name, "resolution": case.resolution, "batches": {}, "error": repr(exc)}
