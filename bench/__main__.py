"""`python -m bench [SUITE ...]`: run benchmark suites, write bench/results/<suite>.json + PNGs, update README.

Suites (default: all CPU suites, then profiles of missed targets, then the report):
  models    per model, batch 1 and 8: torch eager vs ORT default vs ORT tuned; sgemm peak; ORT option sweep
  tryon     design and garment try-on per stage at 512 and 1024 px; gateway overhead over HTTP on loopback
  batching  local Triton: dynamic batching on vs off at 1..16 clients; embedded vs Triton backend
  queue-delay  local Triton: one model at 1 and 8 clients under several preferred sizes / max queue delays
  replicas  two Triton replicas behind one target: NVIDIA's perf_analyzer vs our closed-loop client, per-replica
            shares (needs Debian's libb64-0d)
  profiles  py-spy flame graphs for the targets the results in bench/results/ miss
  report    plots and the README table from bench/results/*.json (no measuring)
`python -m bench photos --people DIR --garments DIR ...` runs every try-on mode over a folder of real photos and
writes a contact sheet and per-pair measures (bench/photos.py; `python -m bench photos --help`).
`python -m bench shapes --out DIR` draws catalogue garment shapes the development photos lack, as product photos
with a manifest, for `bench photos` (bench/catalogue_shapes.py).
`--device cuda` runs the GPU suite instead (TensorRT fp16 vs ORT CUDA vs torch eager); without a GPU it says
why and skips cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from typing import Any

from bench import report
from bench.common import RESULTS, ROOT, LoadWatch, read_results, write_result

log = logging.getLogger("bench")
REPOSITORY = ROOT / "model_repository"
CPU_SUITES = ("models", "tryon", "batching", "queue-delay", "replicas")


def _command(suite: str, args: argparse.Namespace, *options: str) -> str:
    selection = [f"--models {','.join(args.models)}"] if args.models else []
    return " ".join(["python -m bench", suite, *options, *selection])


Result = tuple[str, dict[str, Any], str]  # the result file's name, its numbers, the command reproducing them


def run_models(args: argparse.Namespace) -> Result:
    from bench.models import OrtOptions, measure_case, tune
    from bench.peak import sgemm_peak
    from bench.zoo import cases

    # Measured before and after the models, and the better one kept: a neighbour's burst during one of the two
    # would otherwise make every model look closer to the peak than it is.
    before = sgemm_peak()
    log.info("sgemm peak before the models: %.1f GFLOP/s", before["gflops"]["median"])
    tuning = tune(cases(["u2netp"])[0], args.repeats)
    tuned = OrtOptions(**tuning["best"])
    log.info("ORT options sweep on u2netp: best %s", tuned)
    models = [measure_case(case, tuned, repeats=args.repeats, max_call_s=args.max_call_s,
                           peak_gflops=before["gflops"]["median"], cores=os.cpu_count() or 1)
              for case in cases(args.models)]
    after = sgemm_peak()
    log.info("sgemm peak after the models: %.1f GFLOP/s", after["gflops"]["median"])
    peak = max(before, after, key=lambda p: p["gflops"]["median"])
    peak["before_and_after_gflops_median"] = [before["gflops"]["median"], after["gflops"]["median"]]
    for record in models:  # shares against the peak kept
        for entry in record["batches"].values():
            if "gflops" in entry:
                entry["share_of_peak"] = {n: g["median"] / peak["gflops"]["median"] for n, g in entry["gflops"].items()}
    return ("models", {"repeats": args.repeats, "max_call_s": args.max_call_s, "sgemm_peak": peak, "tuning": tuning,
                       "torch_threads": _torch_threads(), "models": models},
            _command("models", args, f"--repeats {args.repeats}", f"--max-call-s {args.max_call_s:g}"))


def _torch_threads() -> int:
    import torch

    return int(torch.get_num_threads())


def run_tryon(args: argparse.Namespace) -> Result:
    from bench.tryon import end_to_end, gateway_overhead

    repeats = {512: args.tryon_repeats, 1024: max(3, args.tryon_repeats * 5 // 8)}
    e2e = asyncio.run(end_to_end(REPOSITORY, repeats))
    overhead = gateway_overhead(REPOSITORY, args.tryon_repeats)
    return ("tryon", {"repeats": {str(k): v for k, v in repeats.items()}, "end_to_end": e2e,
                      "gateway_overhead": overhead},
            _command("tryon", args, f"--tryon-repeats {args.tryon_repeats}"))


def run_batching(args: argparse.Namespace) -> Result:
    from bench import triton

    profile = RESULTS / f"profile-triton-{args.batching_model}-8-clients.svg" if args.profile_batching else None
    data = triton.run(REPOSITORY, batching_model=args.batching_model, rounds=args.rounds,
                      backend_repeats=args.tryon_repeats, profile=profile)
    return ("batching", data, _command("batching", args, f"--batching-model {args.batching_model}",
                                       f"--rounds {args.rounds}", f"--tryon-repeats {args.tryon_repeats}"))


def run_queue_delay(args: argparse.Namespace) -> Result:
    from bench import queue_delay

    data = queue_delay.run(REPOSITORY, model=args.queue_delay_model, requests=args.queue_delay_requests,
                           rounds=args.rounds)
    return ("queue_delay", data, _command("queue-delay", args, f"--queue-delay-model {args.queue_delay_model}",
                                          f"--queue-delay-requests {args.queue_delay_requests}",
                                          f"--rounds {args.rounds}"))


def run_replicas(args: argparse.Namespace) -> Result:
    from bench import replicas

    data = replicas.run(REPOSITORY, model=args.replicas_model, requests=args.replicas_requests)
    return "replicas", data, _command("replicas", args, f"--replicas-model {args.replicas_model}",
                                      f"--replicas-requests {args.replicas_requests}")


def run_gpu(args: argparse.Namespace) -> Result:
    from bench import gpu
    from bench.zoo import cases

    data = gpu.run(cases(args.models, gpu=True), args.repeats)
    if "skipped" in data:
        print(f"--device cuda: skipped: {data['skipped']}")
    return "gpu", data, _command("--device cuda", args, f"--repeats {args.repeats}")


def run_profiles(results: dict[str, dict[str, Any]], seconds: float) -> list[str]:
    """Flame graphs and op profiles for the targets missed (and the design try-on); returns what was written."""
    from bench.profile import op_profiles, plot_op_profiles, record

    written = []
    tryon = results.get("tryon")
    # Always, not only when missed: the design target passes or fails with the load of this shared machine, and
    # the flame graph is where the time goes either way.
    if tryon:
        out = record(["design", "512"], RESULTS / "profile-design-512.svg", seconds)
        written += [out.name] if out else []
    if tryon and tryon["gateway_overhead"]["png"]["overhead_percent_of_p50"] > report.TARGET_OVERHEAD_PERCENT:
        out = record(["gateway", "png"], RESULTS / "profile-gateway-png.svg", seconds)
        written += [out.name] if out else []
    models = results.get("models")
    if models:
        missed = [r for r in models["models"] if r["batches"].get("1", {}).get("speedup_ort_default_vs_torch", {})
                  .get("median", report.TARGET_ORT_SPEEDUP) < report.TARGET_ORT_SPEEDUP]
        missed.sort(key=lambda r: r["batches"]["1"]["speedup_ort_default_vs_torch"]["median"])
        # Per-op profiles of every model that misses (a few runs each); flame graphs of the worst one only, as
        # each costs a model start plus the recording out of the 20 minutes.
        for r in missed:
            profile = op_profiles(r["model"])
            (RESULTS / f"profile-{r['model']}-ops.json").write_text(json.dumps(profile, indent=2) + "\n")
            plot_op_profiles(profile, RESULTS / f"profile-{r['model']}-ops.png")
            written.append(f"profile-{r['model']}-ops.json")
        for r in missed[:1]:
            for variant in ("torch", "ort_default"):
                out = record(["model", r["model"], variant], RESULTS / f"profile-{r['model']}-{variant}.svg", seconds)
                written += [out.name] if out else []
    return written


def main() -> None:
    if sys.argv[1:2] == ["photos"]:  # tools with their own options, not suites of the report
        from bench import photos

        sys.exit(photos.main(sys.argv[2:]))
    if sys.argv[1:2] == ["shapes"]:
        from bench import catalogue_shapes

        sys.exit(catalogue_shapes.main(sys.argv[2:]))
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("suites", nargs="*", help=f"any of {', '.join([*CPU_SUITES, 'profiles', 'report'])} "
                                                  "(default: all of them)")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--models", type=lambda s: s.split(","), default=None, help="comma-separated (default: all)")
    parser.add_argument("--repeats", type=int, default=3, help="timed calls per variant and batch")
    parser.add_argument("--max-call-s", type=float, default=20.0,
                        help="skip a batch-8 measurement whose single call would take longer (20-minute budget)")
    parser.add_argument("--tryon-repeats", type=int, default=8, help="runs at 512 px (1024 px: 5/8 of it, >= 3)")
    parser.add_argument("--batching-model", default="pose_landmark")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds per concurrency level and config (batching, queue-delay)")
    parser.add_argument("--queue-delay-model", default="style_predict")
    parser.add_argument("--queue-delay-requests", type=int, default=48,
                        help="requests per setting, number of clients and round")
    parser.add_argument("--replicas-model", default="style_predict")
    parser.add_argument("--replicas-requests", type=int, default=400,
                        help="requests per concurrency level for our client in the replicas suite")
    parser.add_argument("--profile-seconds", type=float, default=12.0)
    parser.add_argument("--no-profile-batching", dest="profile_batching", action="store_false",
                        help="skip the flame graph of the Triton model at 8 clients")
    args = parser.parse_args()
    unknown = sorted(set(args.suites) - {*CPU_SUITES, "profiles", "report"})
    if unknown:
        parser.error(f"unknown suite(s) {unknown}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", stream=sys.stderr)
    started = time.monotonic()
    if args.device == "cuda":
        watch = LoadWatch()
        write_result(*run_gpu(args), watch.finish())
        suites: list[str] = ["report"]
    else:
        suites = args.suites or [*CPU_SUITES, "profiles", "report"]
    runners = {"models": run_models, "tryon": run_tryon, "batching": run_batching, "queue-delay": run_queue_delay,
               "replicas": run_replicas}
    for suite in suites:
        if suite in runners:
            suite_started = time.monotonic()
            watch = LoadWatch()
            write_result(*runners[suite](args), watch.finish())
            log.info("%s took %.0f s", suite, time.monotonic() - suite_started)
        elif suite == "profiles":
            written = run_profiles(read_results(), args.profile_seconds)
            log.info("profiles: %s", ", ".join(written) or "none needed")
    if "report" in suites:
        results = read_results()
        report.plot_all(results)
        report.write_readme(results)
        print(report.summary(results).split("### Targets", 1)[1].split("###", 1)[0].strip())
    print(f"bench: done in {time.monotonic() - started:.0f} s; results in {RESULTS.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
