"""Per model, batch 1 and 8, at its serving resolution: torch eager vs ONNX Runtime default vs ORT tuned.

Every variant starts from the same uint8 NHWC batch: the float variants (torch, ORT default) include the
numpy normalisation a stage client does; the tuned variant takes uint8 and normalises inside the graph.
Variants are interleaved call by call (A B C A B C ...), so a burst of load from a neighbour on this shared
machine hits all of them alike and the ratios stay meaningful. Achieved GFLOP/s is set against the sgemm
peak measured in the same run.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort

from bench.common import ROOT, Spread, ratio
from bench.flops import onnx_flops, torch_flops
from bench.zoo import Case, export_torch, float_inputs, photos, torch_uint8_wrapper, uint8_onnx

log = logging.getLogger(__name__)

LEVELS = {"basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
          "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
          "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL}
BATCHES = (1, 8)
LONG_CALL_S = 4.0  # longer calls: no warm-up at batch 8 (batch 1 warmed the session), 2 repeats at most


@dataclass(frozen=True)
class OrtOptions:
    level: str = "all"  # ORT's default level
    threads: int = 0  # 0 = ORT's default: one intra-op thread per physical core

    def session(self, path: Path) -> ort.InferenceSession:
        options = ort.SessionOptions()
        options.graph_optimization_level = LEVELS[self.level]
        options.intra_op_num_threads = self.threads
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def is_default(self, cores: int) -> bool:
        return self.level == "all" and self.threads in (0, cores)


def default_session(path: Path) -> ort.InferenceSession:
    """What a plain `InferenceSession(path)` gives: the baseline every tuning is compared with."""
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def interleaved(calls: dict[str, Callable[[], object]], *, repeats: int, warmup: int) -> dict[str, list[float]]:
    """Seconds per call of each named call, run round-robin so that drifting load hits all alike."""
    import time

    for _ in range(warmup):
        for call in calls.values():
            call()
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeats):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            samples[name].append(time.perf_counter() - start)
    return samples


def ort_call(session: ort.InferenceSession, case: Case, raw: list[np.ndarray], *, uint8: bool) -> Callable[[], object]:
    names = [i.name for i in case.inputs]

    def call() -> object:
        arrays = raw if uint8 else float_inputs(case, raw)
        return session.run(None, dict(zip(names, arrays, strict=True)))
    return call


def torch_call(module: Any, case: Case, raw: list[np.ndarray]) -> Callable[[], object]:
    import torch

    def call() -> object:
        with torch.inference_mode():
            return module(*(torch.from_numpy(x) for x in float_inputs(case, raw)))
    return call


def tune(case: Case, repeats: int) -> dict[str, Any]:
    """Sweep optimisation level x intra-op threads on `case`'s float graph at batch 1; then the best with uint8.

    One cheap model stands in for all: sweeping every model would cost more than the whole 20-minute budget.
    """
    import os

    float_path, uint8_path = graphs(case, case.build() if case.build else None)
    raw = photos(case, 1)
    cores = os.cpu_count() or 1
    grid = [OrtOptions(level, threads) for level in LEVELS for threads in sorted({1, cores})]
    sessions = {o: o.session(float_path) for o in grid}
    samples = interleaved({f"{o.level}/{o.threads}": ort_call(s, case, raw, uint8=False) for o, s in sessions.items()},
                          repeats=repeats, warmup=1)
    spreads = {name: Spread.of(s) for name, s in samples.items()}
    best_name = min(spreads, key=lambda n: spreads[n].median)
    best = next(o for o in grid if f"{o.level}/{o.threads}" == best_name)
    result: dict[str, Any] = {"model": case.name, "batch": 1,
                              "grid_seconds": {n: s.as_dict() for n, s in spreads.items()},
                              "best": asdict(best)}
    if uint8_path is not None:
        uint8_session = best.session(uint8_path)
        pair = interleaved({"float": ort_call(sessions[best], case, raw, uint8=False),
                            "uint8": ort_call(uint8_session, case, raw, uint8=True)}, repeats=repeats, warmup=1)
        result["best_float_vs_uint8_seconds"] = {n: Spread.of(s).as_dict() for n, s in pair.items()}
    return result


def graphs(case: Case, module: Any) -> tuple[Path, Path | None]:
    """(float graph, uint8 graph or None) of `case`, whose torch module (None without one) is `module`.

    A served model's float graph is its served file; the others are exported from torch.
    """
    if case.served:
        float_path = ROOT / "model_repository" / case.served / "1" / "model.onnx"
    else:
        float_path = export_torch(case, module, "float")
    if not case.has_uint8:
        return float_path, None
    if module is None:
        return float_path, uint8_onnx(case, float_path)
    return float_path, export_torch(case, torch_uint8_wrapper(case, module), "uint8")


def measure_case(case: Case, tuned: OrtOptions, *, repeats: int, max_call_s: float, peak_gflops: float,
                 cores: int) -> dict[str, Any]:
    """Every variant of one model at batch 1 and 8 (8 skipped when one call would exceed `max_call_s`)."""
    module = case.build() if case.build else None
    float_path, uint8_path = graphs(case, module)
    counted = onnx_flops(onnx.load(str(float_path)), 1)
    # torch's counter sees every matmul-like op; the ONNX count misses ops whose shapes inference cannot resolve
    # (resizes to computed sizes), so it is the count only where there is no torch definition.
    torch_count = torch_flops(case.build, [(1, *i.shape) for i in case.inputs]) if case.build else None
    flops_1 = torch_count if torch_count is not None else int(counted["flops"])
    record: dict[str, Any] = {
        "model": case.name, "what": case.what, "resolution": case.resolution, "note": case.note,
        "inputs": {i.name: list(i.shape) for i in case.inputs},
        "torch": "yes" if case.build else "no torch definition",
        "uint8_graph": uint8_path is not None, "uint8_reason": case.uint8_reason,
        "gflop_per_sample": flops_1 / 1e9, "flops_counted_by": "torch.utils.flop_counter" if torch_count else "onnx",
        "gflop_per_sample_onnx_graph": counted["flops"] / 1e9, "onnx_ops_unresolved": len(counted["unresolved_ops"]),
        "batches": {},
    }
    default = default_session(float_path)
    # The tuned session differs from the default only by its options and its uint8 graph; with neither, it is the
    # default session itself and is not measured twice.
    same_as_default = tuned.is_default(cores) and uint8_path is None
    tuned_session = None if same_as_default else tuned.session(uint8_path or float_path)
    estimate_1 = 0.0
    for batch in BATCHES:
        raw = photos(case, batch, seed=batch)
        calls: dict[str, Callable[[], object]] = {}
        if module is not None:
            calls["torch"] = torch_call(module, case, raw)
        calls["ort_default"] = ort_call(default, case, raw, uint8=False)
        if tuned_session is not None:
            calls["ort_tuned"] = ort_call(tuned_session, case, raw, uint8=uint8_path is not None)
        if batch > 1 and estimate_1 * batch > max_call_s:
            record["batches"][str(batch)] = {"skipped": f"one call would take about {estimate_1 * batch:.0f} s "
                                                        f"(> --max-call-s {max_call_s:g}) on this machine"}
            continue
        warmup = 0 if batch > 1 and estimate_1 * batch > LONG_CALL_S else 1
        # The warm-up call is timed only to size the run: calls longer than LONG_CALL_S get 2 repeats, not more,
        # which keeps `make bench` within its 20 minutes here.
        first = interleaved(calls, repeats=warmup, warmup=0)
        slow = max((v[0] for v in first.values() if v), default=estimate_1 * batch) > LONG_CALL_S
        count = min(repeats, 2) if slow else repeats
        log.info("%s batch %d: %s, %d repeats", case.name, batch, ", ".join(calls), count)
        samples = interleaved(calls, repeats=count, warmup=0)
        seconds = {name: Spread.of(s) for name, s in samples.items()}
        if same_as_default:
            seconds["ort_tuned"] = seconds["ort_default"]
        if batch == 1:
            estimate_1 = max(s.median for s in seconds.values())
        flops = flops_1 * batch
        entry: dict[str, Any] = {
            "warmup": warmup, "repeats": count, "tuned_is_default_session": same_as_default,
            "seconds": {n: s.as_dict() for n, s in seconds.items()},
            "gflops": {n: s.inverse(flops / 1e9).as_dict() for n, s in seconds.items()},
            "share_of_peak": {n: s.inverse(flops / 1e9).median / peak_gflops for n, s in seconds.items()},
            "per_sample_ms": {n: s.median * 1000 / batch for n, s in seconds.items()},
        }
        if "torch" in seconds:
            entry["speedup_ort_default_vs_torch"] = ratio(seconds["torch"], seconds["ort_default"]).as_dict()
            entry["speedup_ort_tuned_vs_torch"] = ratio(seconds["torch"], seconds["ort_tuned"]).as_dict()
        entry["speedup_ort_tuned_vs_default"] = ratio(seconds["ort_default"], seconds["ort_tuned"]).as_dict()
        record["batches"][str(batch)] = entry
    del module, default, tuned_session
    gc.collect()
    return record
