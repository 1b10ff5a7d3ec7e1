"""Flame graphs (py-spy, every thread, native frames included) of what a missed target spends its time on.

    python -m bench.profile design 512 --seconds 15        # the design try-on, looped
    python -m bench.profile model u2netp ort_default       # one model variant at batch 1, looped

`record` runs one of these under `py-spy record --native --threads` and writes an SVG flame graph: native
frames show which kernels (MLAS convolutions, OpenCV's GrabCut, torch's oneDNN) the time goes to, which a
Python-only profiler cannot see inside ONNX Runtime's worker threads.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.common import ROOT

log = logging.getLogger(__name__)
PY_SPY_RATE = 67  # samples/s: enough for a 15 s loop, and not a round number (no aliasing with periodic work)


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
    """py-spy's flame graph of `python -m bench.profile <target>`; None (logged) when it cannot be made."""
    py_spy = _py_spy()
    if py_spy is None:
        return None
    command = [py_spy, "record", *_options(out), "--", sys.executable, "-m", "bench.profile", *target,
               "--seconds", str(seconds)]
    log.info("profiling %s -> %s", " ".join(target), out.relative_to(ROOT) if out.is_relative_to(ROOT) else out)
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        log.warning("py-spy failed (%d): %s", done.returncode, done.stderr[-1000:])
        return None
    return out


def _loop_design(side: int, seconds: float) -> int:
    from bench.tryon import design_request
    from fittingroom.common.embedded import EmbeddedClient
    from fittingroom.gateway.pipeline import DesignPipeline

    async def loop() -> int:
        client = EmbeddedClient(ROOT / "model_repository")
        pipeline = DesignPipeline(client)
        request = design_request(side)
        await pipeline(request)
        runs, deadline = 0, time.monotonic() + seconds
        while time.monotonic() < deadline:
            await pipeline(request)
            runs += 1
        await client.close()
        return runs

    return asyncio.run(loop())


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
    runs, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        call()
        runs += 1
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=["design", "model"])
    parser.add_argument("args", nargs="+", help="design: SIDE; model: NAME VARIANT (torch|ort_default)")
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()
    runs = _loop_design(int(args.args[0]), args.seconds) if args.kind == "design" else \
        _loop_model(args.args[0], args.args[1], args.seconds)
    print(f"{runs} runs in {args.seconds:g} s")


if __name__ == "__main__":
    main()
