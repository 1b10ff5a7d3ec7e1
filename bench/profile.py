"""Flame graphs (py-spy, every thread, native frames included) of what a missed target spends its time on.

    python -m bench.profile design 512 --seconds 15        # the design try-on, looped
    python -m bench.profile model u2netp ort_default       # one model variant at batch 1, looped
    python -m bench.profile gateway png                    # the design try-on over HTTP, PNG answers

`record` runs one of these and, once it is warm, attaches `py-spy record --native --threads` to write an SVG
flame graph. Every thread is sampled, ONNX Runtime's and OpenCV's workers included, and native frames show
the libraries the time goes to (onnxruntime, cv2, torch), which a Python-only profiler cannot see.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.common import ROOT

log = logging.getLogger(__name__)
PY_SPY_RATE = 67  # samples/s: enough for a 15 s loop, and not a round number (no aliasing with periodic work)
WARM = "warm"  # what a loop prints once its first run is done


def _py_spy() -> str | None:
    found = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(found).is_file():
        log.warning("py-spy not found: no profile (pip install -e '.[bench]')")
        return None
    return found


def _options(out: Path) -> list[str]:
    out.parent.mkdir(parents=True, exist_ok=True)
    return ["--native", "--threads", "--rate", str(PY_SPY_RATE), "--format", "flamegraph", "--output", str(out)]


def attach(pid: int, out: Path, seconds: float) -> subprocess.Popen[bytes] | None:
    """py-spy recording the running process `pid` for `seconds` (a Triton python-backend stub, say)."""
    py_spy = _py_spy()
    if py_spy is None:
        return None
    log.info("profiling pid %d for %.0f s -> %s", pid, seconds, out.name)
    return subprocess.Popen([py_spy, "record", "--pid", str(pid), "--duration", str(round(seconds)), *_options(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def record(target: list[str], out: Path, seconds: float) -> Path | None:
    """py-spy's flame graph of `python -m bench.profile <target>` once it is warm; None (logged) on failure.

    The loop starts first and says "warm" after its first run; py-spy attaches only then, so imports and
    session start-up stay out of the picture.
    """
    loop = subprocess.Popen([sys.executable, "-m", "bench.profile", *target, "--seconds", str(seconds + 5)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert loop.stdout is not None
        if loop.stdout.readline().strip() != WARM:
            log.warning("profile target %s did not start", " ".join(target))
            return None
        recorder = attach(loop.pid, out, seconds)
        if recorder is None or recorder.wait() != 0:
            log.warning("py-spy could not record %s", " ".join(target))
            return None
    finally:
        loop.wait()
    return out


def _loop_design(side: int, seconds: float) -> int:
    from bench.tryon import design_request
    from fittingroom.common.embedded import EmbeddedClient
    from fittingroom.gateway.routing import TrafficRouter
    from fittingroom.tryon.design import DesignPipeline

    async def loop() -> int:
        client = EmbeddedClient(ROOT / "model_repository")
        pipeline = DesignPipeline(client, TrafficRouter(client))
        request = design_request(side)
        await pipeline(request)
        print(WARM, flush=True)
        runs, deadline = 0, time.monotonic() + seconds
        while time.monotonic() < deadline:
            await pipeline(request)
            runs += 1
        await client.close()
        return runs

    return asyncio.run(loop())


def _loop_gateway(fmt: str, seconds: float) -> int:
    """The design try-on through the gateway over HTTP on loopback, answers in `fmt` (the overhead's profile)."""
    import httpx

    from bench.tryon import gateway_files
    from fittingroom.gateway.settings import Settings
    from tests.helpers import live_gateway

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(model_repository=ROOT / "model_repository", database_url=f"sqlite:///{tmp}/db",
                            blob_dir=Path(tmp) / "blobs")
        with live_gateway(settings) as url, httpx.Client(base_url=url, timeout=120) as http:
            files = gateway_files()
            http.post("/v1/tryon/design", files=files, data={"format": fmt}).raise_for_status()
            print(WARM, flush=True)
            runs, deadline = 0, time.monotonic() + seconds
            while time.monotonic() < deadline:
                http.post("/v1/tryon/design", files=files, data={"format": fmt}).raise_for_status()
                runs += 1
    return runs


def _loop_model(name: str, variant: str, seconds: float) -> int:
    from bench.models import default_session, graphs, ort_call, torch_call
    from bench.zoo import cases, photos

    case = cases([name])[0]
    module = case.build() if case.build else None
    float_path, _ = graphs(case, module)
    raw = photos(case, 1)
    call = torch_call(module, case, raw) if variant == "torch" else \
        ort_call(default_session(float_path), case, raw, uint8=False)
    call()
    print(WARM, flush=True)
    runs, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        call()
        runs += 1
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=["design", "gateway", "model"])
    parser.add_argument("args", nargs="+", help="design: SIDE; gateway: png|jpeg; model: NAME torch|ort_default")
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()
    if args.kind == "design":
        runs = _loop_design(int(args.args[0]), args.seconds)
    elif args.kind == "gateway":
        runs = _loop_gateway(args.args[0], args.seconds)
    else:
        runs = _loop_model(args.args[0], args.args[1], args.seconds)
    print(f"{runs} runs in {args.seconds:g} s", file=sys.stderr)


if __name__ == "__main__":
    main()


def op_profiles(name: str, runs: int = 3, top: int = 12) -> dict[str, Any]:
    """Per-op time of one model at batch 1 in ONNX Runtime (its own profiler) and torch (torch.profiler).

    A flame graph ends in Session.run: ONNX Runtime's kernels are not symbolised, so only the runtimes' own
    profilers can say which operators the time goes to (and which one the other runtime does better).
    """
    import onnxruntime as ort
    import torch

    from bench.models import graphs, ort_call, torch_call
    from bench.zoo import cases, photos

    case = cases([name])[0]
    module = case.build() if case.build else None
    float_path, _ = graphs(case, module)
    raw = photos(case, 1)
    with tempfile.TemporaryDirectory() as tmp:
        options = ort.SessionOptions()
        options.enable_profiling = True
        options.profile_file_prefix = str(Path(tmp) / "ort")
        session = ort.InferenceSession(str(float_path), options, providers=["CPUExecutionProvider"])
        call = ort_call(session, case, raw, uint8=False)
        for _ in range(runs):
            call()
        events = json.loads(Path(session.end_profiling()).read_text())
    ort_us: dict[str, float] = defaultdict(float)
    for event in events:
        if event.get("cat") == "Node" and event.get("name", "").endswith("_kernel_time"):
            ort_us[event["args"]["op_name"]] += float(event["dur"])
    result: dict[str, Any] = {"model": name, "runs": runs, "onnxruntime": _top(ort_us, runs, top)}
    if module is not None:
        eager = torch_call(module, case, raw)
        eager()
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as profiler:
            for _ in range(runs):
                eager()
        torch_us = {a.key: float(a.self_cpu_time_total) for a in profiler.key_averages()}
        result["torch"] = _top(torch_us, runs, top)
    return result


def _top(micros: dict[str, float], runs: int, top: int) -> dict[str, Any]:
    total = sum(micros.values()) or 1.0
    ranked = sorted(micros.items(), key=lambda kv: kv[1], reverse=True)[:top]
    return {"ms_per_run": total / runs / 1000,
            "ops": [{"op": op, "ms_per_run": us / runs / 1000, "share": us / total} for op, us in ranked]}


def plot_op_profiles(profile: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runtimes = [r for r in ("onnxruntime", "torch") if r in profile]
    fig, axes = plt.subplots(1, len(runtimes), figsize=(6 * len(runtimes), 4.5), squeeze=False)
    for ax, runtime in zip(axes[0], runtimes, strict=True):
        ops = profile[runtime]["ops"][::-1]
        ax.barh([o["op"] for o in ops], [o["ms_per_run"] for o in ops])
        ax.set_xlabel("ms per run (self time)")
        ax.set_title(f"{runtime}: {profile[runtime]['ms_per_run']:.0f} ms per run in ops", fontsize=10)
    fig.suptitle(f"{profile['model']}, batch 1: where each runtime spends its time", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
