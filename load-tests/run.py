"""`make load`: start the stack on loopback, run locust headless per scenario, stop everything, report.

    python load-tests/run.py [--backend embedded|triton] [--scenarios design,catalog,register,mixed]
                             [--steps 1,2,4,8] [--step-seconds 30] [--rate 0.25] [--out load-tests/results]

The stack: the gateway (`tryon serve`, a child process on a free 127.0.0.1 port) over the embedded backend,
or over a local tritonserver (the project's `TritonServer`) with `--backend triton`. Its repository is
`model_repository/` plus a version 2 of style_transform (links to the same file), so the admin can move a
split between real versions. Catalog, blobs and routing live in a temporary directory.

Per scenario it writes <name>_stats.csv, <name>_stats_history.csv, <name>_failures.csv (locust's CSVs),
<name>.html (locust's report), <name>_requests.csv (every request), <name>.png (throughput, p50/p95/p99
and error rate per concurrency step, with the knee) and <name>-summary.json. Only loopback is ever
contacted; every run is bounded by the steps and stops by itself.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fittingroom.common.loopback import free_port
from fittingroom.gateway.local_process import gateway_process

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "load-tests"
SWITCHED_MODEL = "style_transform"
SCENARIOS = {  # locust user classes of each scenario; mixed adds the admin who moves the split
    "design": ["DesignTryOn"],
    "catalog": ["CatalogTryOn"],
    "register": ["GarmentRegistration"],
    "mixed": ["DesignTryOn", "CatalogTryOn", "GarmentRegistration", "Admin"],
}
KNEE_FACTOR = 1.5  # latency "departs" at the first step whose p50 exceeds 1.5x the first step's p50
log = logging.getLogger("load")


def repository_with_v2(source: Path, target: Path) -> Path:
    """`source`'s exported models linked into `target`, with a version 2 of SWITCHED_MODEL (the same file again)."""
    for model_dir in source.iterdir():
        if not (model_dir / "config.pbtxt").is_file() or not (model_dir / "1" / "model.onnx").is_file():
            continue
        (target / model_dir.name / "1").mkdir(parents=True)
        shutil.copy(model_dir / "config.pbtxt", target / model_dir.name / "config.pbtxt")
        (target / model_dir.name / "1" / "model.onnx").symlink_to((model_dir / "1" / "model.onnx").resolve())
    (target / SWITCHED_MODEL / "2").mkdir()
    (target / SWITCHED_MODEL / "2" / "model.onnx").symlink_to((source / SWITCHED_MODEL / "1" / "model.onnx").resolve())
    return target


def write_images(directory: Path) -> None:
    """The request bodies: the sample person, content and artwork, and the synthetic catalog T-shirt."""
    from fittingroom.common.garment import Category
    from fittingroom.common.imagecodec import encode_image
    from fittingroom.gateway.sample_garment import sample_garment
    from fittingroom.gateway.samples import SAMPLE_ARTWORK, SAMPLE_CONTENT, SAMPLE_PERSON

    directory.mkdir(parents=True, exist_ok=True)
    for name, path in (("person", SAMPLE_PERSON), ("content", SAMPLE_CONTENT), ("style", SAMPLE_ARTWORK)):
        shutil.copy(path, directory / f"{name}.png")
    (directory / "garment.png").write_bytes(encode_image(sample_garment(Category.UPPER), "png")[0])


def warm_up(url: str, images: Path, api_key: str) -> None:
    """One request of each kind, so that no scenario pays for opening ONNX Runtime sessions."""
    import httpx

    with httpx.Client(base_url=url, timeout=120, headers={"X-API-Key": api_key}) as http:
        files = {k: (f"{k}.png", (images / f"{k}.png").read_bytes(), "image/png")
                 for k in ("person", "content", "style")}
        http.post("/v1/tryon/design", files=files).raise_for_status()
        garment = {"image": ("garment.png", (images / "garment.png").read_bytes(), "image/png")}
        http.post("/v1/garments", files=garment, data={"category": "upper"}).raise_for_status()


def run_locust(scenario: str, url: str, out: Path, env: dict[str, str], steps: list[int], step_s: float) -> int:
    admins = 1 if "Admin" in SCENARIOS[scenario] else 0
    env = {**env, "LOAD_SAMPLES": str(out / f"{scenario}_requests.csv"), "LOAD_ADMINS": str(admins),
           "LOAD_STEPS": ",".join(map(str, steps)), "LOAD_STEP_S": str(step_s)}
    command = [sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless", "--host", url,
               "--csv", str(out / scenario), "--csv-full-history", "--html", str(out / f"{scenario}.html"),
               "--loglevel", "WARNING", "--only-summary", *SCENARIOS[scenario]]
    log.info("locust %s: %s shoppers, %g s each", scenario, steps, step_s)
    # The shape stops the run; the timeout only guards against a hung locust.
    done = subprocess.run(command, env=env, cwd=ROOT, timeout=len(steps) * step_s + 120)
    return done.returncode


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def analyse(samples: Path, steps: list[int], step_s: float) -> dict[str, Any]:
    """Per step: throughput, latency percentiles (shopper requests) and error rate (all requests); the knee."""
    with samples.open() as f:
        rows = list(csv.DictReader(f))
    per_step: list[dict[str, Any]] = []
    for i, users in enumerate(steps):
        in_step = [r for r in rows if i * step_s <= float(r["start_s"]) < (i + 1) * step_s]
        shoppers = [r for r in in_step if not r["name"].startswith("admin") and "on_start" not in r["name"]]
        ok = [float(r["response_ms"]) for r in shoppers if r["ok"] == "1"]
        failures = sum(r["ok"] != "1" for r in in_step)
        per_step.append({
            "users": users, "requests": len(in_step), "failures": failures,
            "error_rate": failures / len(in_step) if in_step else 0.0,
            "throughput_per_s": len(ok) / step_s,
            **({f"p{q}_ms": _percentile(ok, q) for q in (50, 95, 99)} if ok else {}),
        })
    measured = [s for s in per_step if "p50_ms" in s]
    knee = None
    if measured:
        base = measured[0]["p50_ms"]
        departed = next((s for s in measured if s["p50_ms"] > KNEE_FACTOR * base), None)
        knee = {"users": departed["users"], "p50_ms": departed["p50_ms"], "first_step_p50_ms": base} if departed \
            else None
    return {"steps": per_step, "requests": len(rows), "failures": sum(r["ok"] != "1" for r in rows),
            "knee": knee, "knee_rule": f"first step whose p50 exceeds {KNEE_FACTOR}x the first step's p50"}


def plot(summary: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [s for s in summary["steps"] if "p50_ms" in s]
    users = [s["users"] for s in steps]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7), sharex=True)
    for q, style in ((50, "o-"), (95, "s--"), (99, "^:")):
        top.plot(users, [s[f"p{q}_ms"] for s in steps], style, label=f"p{q}")
    top.set_ylabel("latency, ms (successful shopper requests)")
    knee = summary["knee"]
    if knee:
        top.axvline(knee["users"], color="red", linestyle="--", label=f"knee: {knee['users']} users")
    top.legend()
    top.set_title(f"{summary['scenario']} ({summary['backend']} backend), {summary['rate_per_user']:g} req/s per "
                  f"shopper\n{summary['machine']}", fontsize=8)
    bottom.plot(users, [s["throughput_per_s"] for s in steps], "o-", label="throughput, req/s")
    errors = bottom.twinx()
    errors.bar(users, [100 * s["error_rate"] for s in steps], alpha=0.3, color="red", width=0.3)
    errors.set_ylabel("error rate, % (bars)")
    errors.set_ylim(0, max(5.0, *(100 * s["error_rate"] for s in steps)))
    bottom.set_xlabel("concurrent shoppers")
    bottom.set_ylabel("successful requests/s")
    bottom.set_xscale("log", base=2)
    bottom.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "unknown CPU")
    commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    now = datetime.now(UTC)
    return f"{model}, {os.cpu_count()} cores; load average {load}; commit {commit}; {now:%Y-%m-%d %H:%M} UTC"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["embedded", "triton"], default="embedded")
    parser.add_argument("--scenarios", default="design,catalog,register,mixed")
    parser.add_argument("--steps", default="1,2,4,8", help="concurrent shoppers per step")
    parser.add_argument("--step-seconds", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=0.25, help="requests/s per shopper (think time fills the rest)")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--report-only", action="store_true",
                        help="redraw the PNGs and summary.md from the <scenario>-summary.json files in --out")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    scenarios = args.scenarios.split(",")
    unknown = sorted(set(scenarios) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown scenario(s) {unknown}; known: {sorted(SCENARIOS)}")
    steps = [int(s) for s in args.steps.split(",")]
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    if args.report_only:
        done = {p.name.removesuffix("-summary.json"): json.loads(p.read_text())
                for p in sorted(out.glob("*-summary.json"))}
        for scenario, summary in done.items():
            plot(summary, out / f"{scenario}.png")
        (out / "summary.md").write_text(markdown(done))
        return 0
    api_key, admin_key = secrets.token_hex(16), secrets.token_hex(16)
    summaries: dict[str, Any] = {}
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        repo = repository_with_v2(ROOT / "model_repository", tmp / "repository")
        images = tmp / "images"
        write_images(images)
        env = {**os.environ, "TRYON_MODEL_REPOSITORY": str(repo), "TRYON_DATABASE_URL": f"sqlite:///{tmp / 'db'}",
               "TRYON_BLOB_DIR": str(tmp / "blobs"), "TRYON_API_KEYS": f"loadtest={api_key}",
               "TRYON_ADMIN_KEY": admin_key,
               # The tenant limits would answer 429 long before the machine saturates: the test is about the
               # machine, so they are raised; the global admission limits stay as deployed.
               "TRYON_TENANT_RATE_PER_S": "1000", "TRYON_TENANT_BURST": "1000", "TRYON_TENANT_MAX_IN_FLIGHT": "256",
               "LOAD_DATA": str(images), "LOAD_API_KEY": api_key, "LOAD_ADMIN_KEY": admin_key,
               "LOAD_RATE_PER_USER": str(args.rate)}
        if args.backend == "triton":
            from fittingroom.common.triton_server import TritonServer
            from fittingroom.export.runtimes import derive_repository

            derive_repository(repo, tmp / "python-ort")
            server = stack.enter_context(TritonServer(
                tmp / "python-ort", http_port=free_port(), grpc_port=free_port(), metrics_port=free_port(),
                log_file=out / "tritonserver.log"))
            env |= {"TRYON_BACKEND": "triton", "TRYON_TRITON_URL": server.grpc_url}
        url = stack.enter_context(gateway_process(env, out / "gateway.log", cwd=ROOT))
        warm_up(url, images, api_key)
        for scenario in scenarios:
            machine = _machine()  # as this scenario starts: the load average moves between scenarios
            code = run_locust(scenario, url, out, env, steps, args.step_seconds)
            summary = analyse(out / f"{scenario}_requests.csv", steps, args.step_seconds)
            summary |= {"scenario": scenario, "backend": args.backend, "rate_per_user": args.rate,
                        "step_seconds": args.step_seconds, "locust_exit_code": code, "machine": machine,
                        "command": " ".join(["python load-tests/run.py", *sys.argv[1:]])}
            (out / f"{scenario}-summary.json").write_text(json.dumps(summary, indent=2) + "\n")
            plot(summary, out / f"{scenario}.png")
            summaries[scenario] = summary
            log.info("%s: %d requests, %d failures, knee %s", scenario, summary["requests"], summary["failures"],
                     summary["knee"])
    (out / "summary.md").write_text(markdown(summaries))
    for scenario, s in summaries.items():
        knee = f"{s['knee']['users']} shoppers" if s["knee"] else "not reached"
        print(f"{scenario}: {s['requests']} requests, {s['failures']} failures, knee: {knee}")
    return 0


def markdown(summaries: dict[str, Any]) -> str:
    """One table per scenario: the steps, their throughput, latency percentiles and errors, and the knee."""
    lines = ["# Load test results\n", "Written by `load-tests/run.py`; the load average counts the stack under test "
             "too (gateway, locust). Open `<scenario>.html` for locust's own report.\n"]
    for scenario, s in summaries.items():
        knee = s["knee"]
        lines += [f"## {scenario} ({s['backend']} backend)\n", f"Measured on: {s['machine']}.\n",
                  f"Command: `{s['command']}`; {s['rate_per_user']:g} requests/s per shopper (think time fills "
                  f"the rest), {s['step_seconds']:g} s per step; {s['requests']} requests, {s['failures']} "
                  f"failed. Knee ({s['knee_rule']}): "
                  + (f"**{knee['users']} shoppers** (p50 {knee['p50_ms']:.0f} ms vs {knee['first_step_p50_ms']:.0f} ms "
                     "at the first step)." if knee else "not reached."), "",
                  "| shoppers | offered req/s | served req/s | p50 ms | p95 ms | p99 ms | errors |",
                  "|---|---|---|---|---|---|---|"]
        for step in s["steps"]:
            cells = " | ".join(f"{step[k]:.0f}" if k in step else "-" for k in ("p50_ms", "p95_ms", "p99_ms"))
            lines.append(f"| {step['users']} | {step['users'] * s['rate_per_user']:.2f} | "
                         f"{step['throughput_per_s']:.2f} | {cells} | {step['failures']} of {step['requests']} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
