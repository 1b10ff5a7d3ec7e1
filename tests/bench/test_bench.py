"""The benchmark's own arithmetic: spreads, ratios, FLOP counts, in-graph normalisation, the summary table."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from bench import report
from bench.common import Spread, percentile, ratio
from bench.flops import onnx_flops
from bench.zoo import DAFLOW_PHOTO, SCHP_PHOTO, U2NET_PHOTO, UNIT_NHWC, Case, Input, Photo, uint8_onnx


def test_spread_ratio_and_inverse_keep_min_below_max() -> None:
    seconds = Spread.of([0.5, 0.4, 1.0])
    assert (seconds.min, seconds.median, seconds.max, seconds.n) == (0.4, 0.5, 1.0, 3)
    rate = seconds.inverse(2.0)
    assert (rate.min, rate.median, rate.max) == (2.0, 4.0, 5.0)
    speedup = ratio(Spread.of([2.0, 3.0]), Spread.of([1.0, 2.0]))
    assert (speedup.min, speedup.median, speedup.max) == (1.0, 2.5 / 1.5, 3.0)


def test_percentile_matches_numpy() -> None:
    values = [5.0, 1.0, 9.0, 3.0, 7.0, 2.0]
    for q in (0, 50, 95, 100):
        assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


def _conv_model() -> onnx.ModelProto:
    weight = numpy_helper.from_array(np.zeros((8, 3, 3, 3), np.float32), "w")
    node = helper.make_node("Conv", ["x", "w"], ["y"], pads=[1, 1, 1, 1])
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3, 16, 16])
    graph = helper.make_graph([node], "g", [x], [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [weight])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_onnx_flops_counts_two_per_multiply_add() -> None:
    counted = onnx_flops(_conv_model(), batch=2)
    assert counted["unresolved_ops"] == []
    assert counted["flops"] == 2 * (2 * 8 * 16 * 16) * (3 * 3 * 3)


@pytest.mark.parametrize("photo", [U2NET_PHOTO, SCHP_PHOTO, DAFLOW_PHOTO, Photo(photos=2, bgr=True)])
def test_torch_wrapper_normalises_like_numpy(photo: Photo) -> None:
    torch = pytest.importorskip("torch")
    from bench.zoo import photos, torch_uint8_wrapper

    channels = 3 * photo.photos
    case = Case("probe", "", (Input("image", (channels, 8, 6), photo),))
    raw = photos(case, 2)
    wrapped = torch_uint8_wrapper(case, torch.nn.Identity())
    with torch.no_grad():
        in_graph = wrapped(torch.from_numpy(raw[0])).numpy()
    np.testing.assert_allclose(in_graph, photo.numpy(raw[0]), rtol=1e-5, atol=1e-5)


def test_uint8_onnx_prepends_the_unit_scaling(tmp_path: Path) -> None:
    node = helper.make_node("Identity", ["image"], ["out"])
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 4, 4, 3])],
                              [helper.make_tensor_value_info("out", TensorProto.FLOAT, [1, 4, 4, 3])])
    source = tmp_path / "identity.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(source))
    case = Case("identity", "", (Input("image", (4, 4, 3), UNIT_NHWC),))
    path = uint8_onnx(case, source, cache=tmp_path)
    pixels = np.arange(48, dtype=np.uint8).reshape(1, 4, 4, 3) * 5
    out = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, {"image": pixels})[0]
    np.testing.assert_allclose(out, UNIT_NHWC.numpy(pixels), rtol=1e-6)


def _entry(torch_s: float, ort_s: float) -> dict[str, object]:
    def s(x: float) -> dict[str, float]:
        return Spread.of([x, x * 1.1]).as_dict()

    return {"warmup": 1, "repeats": 2, "tuned_is_default_session": False,
            "seconds": {"torch": s(torch_s), "ort_default": s(ort_s), "ort_tuned": s(ort_s)},
            "gflops": {"torch": s(10), "ort_default": s(20), "ort_tuned": s(20)},
            "speedup_ort_default_vs_torch": ratio(Spread.of([torch_s]), Spread.of([ort_s])).as_dict(),
            "speedup_ort_tuned_vs_torch": ratio(Spread.of([torch_s]), Spread.of([ort_s])).as_dict(),
            "speedup_ort_tuned_vs_default": Spread.of([1.0]).as_dict()}


def test_summary_states_each_target_and_verdict() -> None:
    machine = {"cpu_model": "CPU", "cores": 2, "memory_gib": 24, "kernel": "k", "python": "3.11",
               "commit": "abc", "commit_dirty": False, "date_utc": "2026-01-01 00:00:00", "load_average": [1, 1, 1]}
    results = {
        "models": {"machine": machine, "command": "python -m bench models", "repeats": 2,
                   "sgemm_peak": {"gflops": Spread.of([100.0]).as_dict(), "blas": []},
                   "tuning": {"best": {"level": "all", "threads": 1}},
                   "models": [{"model": "fast", "resolution": "8x8", "gflop_per_sample": 1.0,
                               "batches": {"1": _entry(2.0, 1.0), "8": {"skipped": "too long"}}},
                              {"model": "slow", "resolution": "8x8", "gflop_per_sample": 1.0,
                               "batches": {"1": _entry(1.0, 1.0)}}]},
    }
    text = report.summary(json.loads(json.dumps(results)))
    assert "ORT >= 1.5x torch eager, batch 1: fast | default 2.00x" in text
    fast, slow = (line for line in text.splitlines() if "batch 1: " in line)
    assert fast.endswith("**met** |") and slow.endswith("**missed** |")
    assert "skipped: too long" in text


def test_cuda_suite_measures_on_a_gpu_and_says_why_not_without_one() -> None:
    torch = pytest.importorskip("torch")
    from bench import gpu
    from bench.zoo import cases

    result = gpu.run(cases(["u2netp"]), repeats=1)
    if not torch.cuda.is_available():
        assert "CUDA" in result["skipped"]
        return
    assert "skipped" not in result and result["device"]
    [model] = result["models"]
    assert "error" not in model, model["error"]
    assert model["batches"]["1"]
