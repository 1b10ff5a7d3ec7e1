"""Files a flavour needs beside each `model.onnx`: python-ort's shared `model.py`, tensorrt's `model.plan`.

The configs of all flavours come from the same spec, so a repository of one flavour can also be
derived from another without rebuilding models (`derive_repository`): that is how `tryon triton`
and the tests serve `model_repository/` with the pip tritonserver, which only has the python backend.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from google.protobuf import text_format
from tritonclient.grpc import model_config_pb2 as mc

from fittingroom.common.repository import CONFIG_NAME, MODEL_FILE, ModelRepository
from fittingroom.export.profiles import profile_shapes
from fittingroom.export.weights import CACHE_DIR

log = logging.getLogger(__name__)

PYTHON_MODEL = Path(__file__).resolve().parent / "triton_python" / "model.py"
PYTHON_MODEL_NAME = "model.py"
PLAN_FILE = "model.plan"  # the file name Triton's tensorrt_plan platform loads by default
PLAN_RECORD = "tensorrt.json"
# fp16 engines against fp32 ONNX Runtime: outputs in [0, 1] and pixel coordinates both pass at 5e-2.
FP16_ATOL = 5e-2
FP16_RTOL = 5e-2


def install_python_model(version_dir: Path) -> None:
    """Copy the shared ORT python model into a version directory (a copy: deployments are self-contained)."""
    shutil.copyfile(PYTHON_MODEL, version_dir / PYTHON_MODEL_NAME)


def finish_flavour(repository: Path, models: list[str], flavour: str) -> None:
    """Add the flavour's runtime files to every version of `models` that has a `model.onnx`."""
    repo = ModelRepository(repository)
    if flavour == "python-ort":
        for model in models:
            for version in repo.versions_on_disk(model):
                install_python_model(repo.model_path(model, version).parent)
    elif flavour == "tensorrt":
        build_tensorrt_plans(repo, models)


def derive_repository(source: Path, target: Path, *, backend: str = "python") -> list[str]:
    """Write a python-ort view of an onnxruntime repository; returns the model names.

    Configs are the source's with only platform/backend changed; each version's `model.onnx` is a
    symlink to the source file, so nothing is rebuilt and both repositories serve identical weights.
    Models and versions in `target` that the source no longer has are removed: it is a view, not a store.
    A model with a config but no exported version is left out (Triton would refuse to start with it).
    """
    repo = ModelRepository(source)
    names = [m for m in repo.model_names() if repo.versions_on_disk(m)]
    unexported = sorted(set(repo.model_names()) - set(names))
    if unexported:
        log.warning("not serving %s: no exported model.onnx (run the export first)", ", ".join(unexported))
    for stale_model in set(ModelRepository(target).model_names()) - set(names):
        shutil.rmtree(target / stale_model)
    for model in names:
        msg = text_format.Parse((source / model / CONFIG_NAME).read_text(), mc.ModelConfig())
        msg.ClearField("platform")
        msg.backend = backend
        model_dir = target / model
        model_dir.mkdir(parents=True, exist_ok=True)
        (model_dir / CONFIG_NAME).write_text(text_format.MessageToString(msg))
        versions = repo.versions_on_disk(model)
        for stale in (p for p in model_dir.iterdir() if p.is_dir() and p.name.isdigit()):
            if int(stale.name) not in versions:
                shutil.rmtree(stale)
        for version in versions:
            version_dir = model_dir / str(version)
            version_dir.mkdir(exist_ok=True)
            link = version_dir / MODEL_FILE
            link.unlink(missing_ok=True)
            link.symlink_to(repo.model_path(model, version).resolve())
            install_python_model(version_dir)
    log.info("derived %s repository at %s from %s: %s", backend, target, source, ", ".join(names))
    return names


# -- tensorrt ------------------------------------------------------------------------------------


def _trtexec() -> str | None:
    # NGC TensorRT and tritonserver images keep trtexec outside PATH.
    return shutil.which("trtexec") or next(
        (str(p) for p in (Path("/usr/src/tensorrt/bin/trtexec"),) if p.is_file()), None)


def _no_gpu_reason() -> str | None:
    """Why TensorRT engines cannot be built on this machine, or None when they can."""
    smi = shutil.which("nvidia-smi")
    if smi is None or subprocess.run([smi, "-L"], capture_output=True).returncode != 0:
        return "no NVIDIA GPU on this machine"
    if _trtexec() is None:
        return "trtexec not found (use the NGC TensorRT or tritonserver image)"
    if shutil.which("polygraphy") is None:
        return "polygraphy not found (needed to check engines against ONNX Runtime)"
    return None


def _shape_flags(repo: ModelRepository, model: str) -> list[str]:
    """trtexec's optimisation profile: batch 1 to max_batch_size, tuned for the largest preferred size."""
    config = repo.config(model)
    if config.max_batch_size <= 0:
        return []
    text = (repo.root / model / CONFIG_NAME).read_text()
    preferred = list(text_format.Parse(text, mc.ModelConfig()).dynamic_batching.preferred_batch_size)
    low, opt, high = profile_shapes(config.inputs, config.max_batch_size, preferred)
    return [f"--minShapes={low}", f"--optShapes={opt}", f"--maxShapes={high}"]


def build_target() -> dict[str, str]:
    """The GPU model and TensorRT release a plan is built for: a plan runs only on that pair."""
    smi = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"],
                         capture_output=True, text=True, check=True).stdout.splitlines()[0]
    gpu, driver = (part.strip() for part in smi.split(",", 1))
    trtexec = _trtexec()
    banner = subprocess.run([str(trtexec), "--help"], capture_output=True, text=True).stdout if trtexec else ""
    return {"gpu": gpu, "driver": driver, "tensorrt": tensorrt_release(banner)}


def tensorrt_release(trtexec_banner: str) -> str:
    """'10.5.0' from trtexec's banner ('[TensorRT v100500]'); 'unknown' when it has none."""
    found = re.search(r"TensorRT v(\d+)", trtexec_banner)
    if not found:
        return "unknown"
    number = int(found.group(1))  # major*1000 + minor*100 + patch up to TensorRT 8, major*10000 from 10 on
    scale = 10000 if number >= 100000 else 1000
    return f"{number // scale}.{number % scale // 100}.{number % 100}"


def _check_against_ort(repo: ModelRepository, model: str, onnx_path: Path, plan: Path) -> dict[str, object]:
    """Run the fp16 engine and ONNX Runtime on the same random batch and compare within fp16 tolerance."""
    config = repo.config(model)
    batch = [config.max_batch_size] if config.max_batch_size > 0 else []
    shapes = [f"{t.name}:{[*batch, *t.dims]}".replace(" ", "") for t in config.inputs]
    with tempfile.TemporaryDirectory() as tmp:
        inputs, outputs = Path(tmp) / "inputs.json", Path(tmp) / "ort.json"
        subprocess.run(["polygraphy", "run", str(onnx_path), "--onnxrt", "--input-shapes", *shapes,
                        "--save-inputs", str(inputs), "--save-outputs", str(outputs)],
                       check=True, capture_output=True, text=True)
        compared = subprocess.run(
            ["polygraphy", "run", str(plan), "--model-type", "engine", "--trt", "--load-inputs", str(inputs),
             "--load-outputs", str(outputs), "--atol", str(FP16_ATOL), "--rtol", str(FP16_RTOL)],
            capture_output=True, text=True)
    return {"reference": "ONNX Runtime fp32 (polygraphy)", "atol": FP16_ATOL, "rtol": FP16_RTOL,
            "passed": compared.returncode == 0, "report": compared.stdout[-4000:]}


class NoTensorRTBuild(RuntimeError):
    """The tensorrt flavour was asked for where no plan can be built (no GPU, trtexec or polygraphy)."""


def build_tensorrt_plans(repo: ModelRepository, models: list[str]) -> None:
    """Build an fp16 `model.plan` for each version and check it against ONNX Runtime.

    Without a GPU and the tools this raises NoTensorRTBuild: a tensorrt repository without plans
    cannot be served, so it must never look finished (the model-export Job publishes only on success).
    """
    reason = _no_gpu_reason()
    if reason is not None:
        raise NoTensorRTBuild(f"tensorrt flavour: {reason}; configs and model.onnx are written, no model.plan "
                              f"for {', '.join(models)}: build plans on a node of the GPU model that serves them")
    trtexec = _trtexec()
    assert trtexec is not None  # _no_gpu_reason checked it
    target = build_target()
    log.info("building TensorRT plans for %s, TensorRT %s", target["gpu"], target["tensorrt"])
    for model in models:
        for version in repo.versions_on_disk(model):
            onnx_path = repo.model_path(model, version)
            plan = onnx_path.parent / PLAN_FILE
            staged = plan.with_suffix(".part")
            log.info("building fp16 TensorRT engine for %s v%d", model, version)
            subprocess.run([trtexec, f"--onnx={onnx_path}", f"--saveEngine={staged}", "--fp16",
                            *_shape_flags(repo, model)], check=True, capture_output=True)
            staged.replace(plan)
            record = {"built_for": target, **_check_against_ort(repo, model, onnx_path, plan)}
            (plan.parent / PLAN_RECORD).write_text(json.dumps(record, indent=2) + "\n")
            if not record["passed"]:
                raise RuntimeError(f"fp16 engine of {model} v{version} differs from ONNX Runtime beyond "
                                   f"atol={FP16_ATOL}/rtol={FP16_RTOL}; see {plan.parent / PLAN_RECORD}")
            log.info("%s v%d: fp16 engine matches ONNX Runtime", model, version)


def serving_repository(repository: Path, cache_dir: Path = CACHE_DIR) -> Path:
    """The repository the pip tritonserver can load: `repository` itself, or its python-ort view.

    The pip build has no onnxruntime backend, so an `onnxruntime_onnx` repository (the default
    `model_repository/`) is served through a derived python-ort repository of symlinks.
    """
    configs = [(repository / m / CONFIG_NAME).read_text() for m in ModelRepository(repository).model_names()]
    if not any("onnxruntime_onnx" in text for text in configs):
        return repository
    target = cache_dir / "repositories" / "python-ort"
    derive_repository(repository, target)
    return target
