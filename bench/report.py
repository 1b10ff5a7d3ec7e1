"""Plots (one PNG per result file) and the summary table in bench/README.md, from bench/results/*.json.

The README's hand-written text stays; only the block between the two markers is rewritten.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt

from bench.common import RESULTS, ROOT

log = logging.getLogger(__name__)
README = ROOT / "bench" / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
TARGET_ORT_SPEEDUP = 1.5
TARGET_BATCHING_GAIN = 1.5
TARGET_OVERHEAD_PERCENT = 5.0
TARGET_P50_MS = {"design-512": 400.0, "garment-512": 600.0}  # #15: design, and classical with a catalog garment


def _label(result: dict[str, Any]) -> str:
    m = result["machine"]
    return f"{m['cpu_model']}, {m['cores']} cores, load {m['load_average'][0]:.1f} — {m['commit']} {m['date_utc']}"


def _save(fig: Any, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    log.info("wrote %s", path.relative_to(ROOT))


def _errors(spreads: list[dict[str, float]]) -> list[list[float]]:
    return [[s["median"] - s["min"] for s in spreads], [s["max"] - s["median"] for s in spreads]]


def plot_models(result: dict[str, Any], path: Path) -> None:
    rows = [r for r in result["models"] if "1" in r["batches"]]
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    torch_rows = [r for r in rows if "speedup_ort_default_vs_torch" in r["batches"]["1"]]
    x = range(len(torch_rows))
    for offset, key, label in ((-0.2, "speedup_ort_default_vs_torch", "ORT default"),
                               (0.2, "speedup_ort_tuned_vs_torch", "ORT tuned")):
        spreads = [r["batches"]["1"][key] for r in torch_rows]
        left.bar([i + offset for i in x], [s["median"] for s in spreads], 0.4, yerr=_errors(spreads), capsize=3,
                 label=label)
    left.axhline(TARGET_ORT_SPEEDUP, color="red", linestyle="--", label=f"target {TARGET_ORT_SPEEDUP}x")
    left.axhline(1.0, color="grey", linewidth=0.8)
    left.set_xticks(list(x), [r["model"] for r in torch_rows], rotation=30, ha="right")
    left.set_ylabel("speed-up over torch eager (batch 1)")
    left.set_title("ONNX Runtime vs torch eager, batch 1 (bars: median, whiskers: min-max)")
    left.legend()
    peak = result["sgemm_peak"]["gflops"]["median"]
    variants = ("torch", "ort_default", "ort_tuned")
    for j, variant in enumerate(variants):
        values = [r["batches"]["1"]["gflops"].get(variant, {"median": 0.0})["median"] for r in rows]
        right.bar([i + (j - 1) * 0.27 for i in range(len(rows))], values, 0.27, label=variant)
    right.axhline(peak, color="red", linestyle="--", label=f"sgemm peak {peak:.0f} GFLOP/s")
    right.set_xticks(list(range(len(rows))), [r["model"] for r in rows], rotation=30, ha="right")
    right.set_ylabel("achieved GFLOP/s (median, batch 1)")
    right.set_title("Achieved GFLOP/s vs measured matmul peak")
    right.legend()
    fig.suptitle(_label(result), fontsize=9)
    _save(fig, path)


def plot_tryon(result: dict[str, Any], path: Path) -> None:
    modes = result["end_to_end"]["modes"]
    fig, ax = plt.subplots(figsize=(11, 5.5))
    _stacked_stages(ax, modes, "wall time p50 (stages overlap)")
    ax.plot(list(modes), [m["total"]["p95"] for m in modes.values()], "k_", markersize=20, label="wall time p95")
    for (mode, target), style in zip(TARGET_P50_MS.items(), ("--", ":"), strict=True):
        ax.axhline(target, color="red", linestyle=style, label=f"target: {mode} px p50 {target:.0f} ms")
    ax.set_title("Where the time goes: per-stage p50, embedded backend")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.suptitle(_label(result), fontsize=9)
    _save(fig, path)


def _stacked_stages(ax: Any, runs: dict[str, Any], total_label: str) -> None:
    """One bar per run: its stages' p50 stacked in pipeline order, and its wall-time p50 as a diamond."""
    names = list(runs)
    stages = list(dict.fromkeys(s for r in runs.values() for s in r["stages"]))
    bottom = [0.0] * len(names)
    for stage in stages:
        values = [runs[n]["stages"].get(stage, {"p50": 0.0})["p50"] for n in names]
        ax.bar(names, values, bottom=bottom, label=stage)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.plot(names, [runs[n]["total"]["p50"] for n in names], "kD", label=total_label)
    ax.set_ylabel("ms (stage p50, stacked)")


def plot_overhead(result: dict[str, Any], path: Path) -> None:
    o = result["gateway_overhead"]
    spreads = [o["direct_ms"], o["png"]["http_ms"], o["jpeg"]["http_ms"]]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.bar(["pipeline called directly", "gateway, PNG answer", "gateway, JPEG answer"],
           [s["median"] for s in spreads], yerr=_errors(spreads), capsize=4,
           color=["tab:blue", "tab:orange", "tab:green"])
    ax.set_ylabel("ms per design try-on at 512 px (median, min-max)")
    ax.set_title(f"Gateway overhead: PNG {o['png']['overhead_percent_of_p50']:.1f} %, JPEG "
                 f"{o['jpeg']['overhead_percent_of_p50']:.1f} % of p50 (target <= 5 %)")
    fig.suptitle(_label(result), fontsize=9)
    _save(fig, path)


def plot_batching(result: dict[str, Any], path: Path) -> None:
    b = result["batching"]
    fig, ax = plt.subplots(figsize=(9, 5))
    latency = ax.twinx()
    for key, colour in (("on", "tab:green"), ("off", "tab:grey")):
        curve = b["curves"][b["configs"][key]]
        xs = [int(c) for c in curve]
        spreads = [curve[c]["requests_per_s"] for c in curve]
        ax.errorbar(xs, [s["median"] for s in spreads], yerr=_errors(spreads), color=colour, marker="o", capsize=3,
                    label=f"throughput, dynamic batching {key}")
        latency.plot(xs, [curve[c]["p95_ms"] for c in curve], color=colour, linestyle="--", marker="x",
                     label=f"p95 latency, batching {key}")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("concurrent clients")
    ax.set_ylabel("requests/s (median, min-max over rounds)")
    latency.set_ylabel("p95 latency, ms")
    ax.set_title(f"Triton dynamic batching on vs off: {b['model']} (python-ort backend, CPU)")
    lines = ax.get_legend_handles_labels()
    more = latency.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], fontsize=8, loc="upper left")
    fig.suptitle(_label(result), fontsize=9)
    _save(fig, path)


def plot_backends(result: dict[str, Any], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(7, 4.5))
    _stacked_stages(ax, result["backends"]["backends"], "wall time p50")
    ax.set_title("Design try-on at 512 px: embedded ORT vs local Triton")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.suptitle(_label(result), fontsize=9)
    _save(fig, path)


def plot_queue_delay(result: dict[str, Any], path: Path) -> None:
    settings = result["settings"]
    clients = list(settings[0]["clients"])
    fig, (rate, latency) = plt.subplots(1, 2, figsize=(13, 5))
    width = 0.8 / len(clients)
    for j, count in enumerate(clients):
        xs = [i + (j - (len(clients) - 1) / 2) * width for i in range(len(settings))]
        spreads = [s["clients"][count]["requests_per_s"] for s in settings]
        label = f"{count} client(s)"
        rate.bar(xs, [s["median"] for s in spreads], width, yerr=_errors(spreads), capsize=3, label=label)
        latency.bar(xs, [s["clients"][count]["p95_ms"] for s in settings], width, label=label)
    for ax, ylabel in ((rate, "requests/s (median, min-max over rounds)"), (latency, "p95 latency, ms")):
        ax.set_xticks(list(range(len(settings))), [s["setting"] for s in settings], rotation=20, ha="right")
        ax.set_ylabel(ylabel)
        ax.legend()
    rate.set_title(f"Triton dynamic batching settings: {result['model']} (python-ort backend, CPU)")
    fig.suptitle(_label(result), fontsize=9)
    _save(fig, path)


def plot_gpu(result: dict[str, Any], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(8, 4))
    if "skipped" in result:
        ax.axis("off")
        ax.text(0.5, 0.5, f"--device cuda skipped on this machine:\n{result['skipped']}", ha="center", va="center",
                wrap=True)
    else:
        rows = result["models"]
        width = 0.8 / len(GPU_VARIANTS)
        for j, variant in enumerate(GPU_VARIANTS):
            ax.bar([i + (j - (len(GPU_VARIANTS) - 1) / 2) * width for i in range(len(rows))],
                   [1000 * (_gpu_median(r, "1", variant) or 0.0) for r in rows], width, label=variant)
        ax.set_xticks(list(range(len(rows))), [r["model"] for r in rows], rotation=30, ha="right")
        ax.set_ylabel("ms per call, batch 1 (median)")
        ax.set_yscale("log")
        ax.legend()
    fig.suptitle(_label(result), fontsize=9)
    _save(fig, path)


GPU_VARIANTS = ("torch_eager", "torch_fp16", "ort_cuda", "tensorrt_fp16")


def _gpu_median(record: dict[str, Any], batch: str, variant: str) -> float | None:
    """Seconds per call; trtexec entries keep theirs under "seconds", failed or skipped ones have none."""
    entry = record["batches"].get(batch, {}).get(variant)
    if not isinstance(entry, dict):
        return None
    spread = entry.get("seconds", entry)
    return float(spread["median"]) if "median" in spread else None


def _gpu_table(gpu: dict[str, Any]) -> list[str]:
    """Per model: ms per call at batch 1 and 8, and fp16's speed-up over fp32 at batch 8."""
    lines = ["| model | resolution | " + " | ".join(f"{v} b1 / b8 (ms)" for v in GPU_VARIANTS[:2]) +
             " | fp16 / fp32 at b8 | images/s fp16 b8 |", "|---|---|---|---|---|---|"]
    for r in gpu["models"]:
        cells = []
        for variant in GPU_VARIANTS[:2]:
            b1, b8 = _gpu_median(r, "1", variant), _gpu_median(r, "8", variant)
            cells.append(f"{1000 * b1:.1f} / {1000 * b8:.1f}" if b1 and b8 else "-")
        fp32, fp16 = _gpu_median(r, "8", "torch_eager"), _gpu_median(r, "8", "torch_fp16")
        gain = f"{fp32 / fp16:.2f}x" if fp32 and fp16 else "-"
        rate = f"{8 / fp16:.0f}" if fp16 else "-"
        lines.append(f"| {r['model']} | {r['resolution']} | {' | '.join(cells)} | {gain} | {rate} |")
    skipped = sorted({f"{k}: {v}" for r in gpu["models"] for k, v in r.get("skipped", {}).items()})
    return lines + (["", f"Not measured: {'; '.join(skipped)}."] if skipped else [])


PLOTS = {"models": plot_models, "tryon": plot_tryon, "batching": plot_batching, "queue_delay": plot_queue_delay,
         "gpu": plot_gpu}


def plot_all(results: dict[str, dict[str, Any]], directory: Path = RESULTS) -> None:
    for name, result in results.items():
        if name in PLOTS:
            PLOTS[name](result, directory / f"{name}.png")
        if name == "tryon":
            plot_overhead(result, directory / "gateway_overhead.png")
        if name == "batching":
            plot_backends(result, directory / "backends.png")


# -- the summary table -------------------------------------------------------------------------------------

def spread(s: dict[str, float], scale: float = 1.0, digits: int = 2, unit: str = "") -> str:
    """'median (min to max)' in one cell ("to", not a dash: spreads of differences can be negative)."""
    f = f"{{:.{digits}f}}"
    return f"{f.format(s['median'] * scale)}{unit} ({f.format(s['min'] * scale)} to {f.format(s['max'] * scale)})"


def _pair(peak: dict[str, Any]) -> str:
    values = peak.get("before_and_after_gflops_median")
    return " and ".join(f"{v:.0f}" for v in values) if values else "one measurement"


def _verdict(met: bool) -> str:
    return "**met**" if met else "**missed**"


def _machine_lines(results: dict[str, dict[str, Any]]) -> list[str]:
    first = next(iter(results.values()))["machine"]
    lines = [
        f"- CPU: {first['cpu_model']}, {first['cores']} cores, {first['memory_gib']} GiB memory "
        f"(Linux {first['kernel']}, Python {first['python']})",
        "- commits measured: per file below" + (" (the working tree also had uncommitted changes)"
                                                if first["commit_dirty"] else ""),
    ]
    for name, result in results.items():
        m = result["machine"]
        during = (f", highest 1-min load while it ran {m['load_1min_max_during']}, at the end "
                  f"{m['load_average_end']}") if "load_1min_max_during" in m else ""
        lines.append(f"- `{name}.json`: {m['date_utc']} UTC, commit `{m['commit']}`, load average at start "
                     f"{m['load_average']} (1/5/15 min){during}; command `{result['command']}`")
    return lines


def _model_rows(models: dict[str, Any]) -> list[str]:
    rows = ["| model | resolution | batch | torch eager | ORT default | ORT tuned | ORT default / torch | "
            "ORT tuned / torch | GFLOP | GFLOP/s (torch / ORT def. / tuned) |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for r in models["models"]:
        for batch, entry in r["batches"].items():
            if "skipped" in entry:
                rows.append(f"| {r['model']} | {r['resolution']} | {batch} | skipped: {entry['skipped']} "
                            "| | | | | | |")
                continue
            s = entry["seconds"]
            torch_cell = spread(s["torch"], 1000, 0, " ms") if "torch" in s else "no torch definition"
            tuned = spread(s["ort_tuned"], 1000, 0, " ms") + (" (= default session)"
                                                              if entry["tuned_is_default_session"] else "")
            sp_d = spread(entry["speedup_ort_default_vs_torch"], digits=2, unit="x") \
                if "speedup_ort_default_vs_torch" in entry else "n/a"
            sp_t = spread(entry["speedup_ort_tuned_vs_torch"], digits=2, unit="x") \
                if "speedup_ort_tuned_vs_torch" in entry else "n/a"
            g = entry["gflops"]
            gflops = " / ".join(f"{g[v]['median']:.0f}" if v in g else "-"
                                for v in ("torch", "ort_default", "ort_tuned"))
            rows.append(f"| {r['model']} | {r['resolution']} | {batch} (n={entry['repeats']}) | {torch_cell} | "
                        f"{spread(s['ort_default'], 1000, 0, ' ms')} | {tuned} | {sp_d} | {sp_t} | "
                        f"{r['gflop_per_sample'] * int(batch):.1f} | {gflops} |")
    return rows


def _tryon_rows(tryon: dict[str, Any]) -> list[str]:
    rows = ["| mode | side | wall p50 | wall p95 | stages p50 / p95 (ms) |", "|---|---|---|---|---|"]
    runs = {**tryon["end_to_end"]["modes"], **tryon["end_to_end"].get("experiments", {}),
            **tryon["end_to_end"].get("networks", {})}
    for name, m in runs.items():
        mode, side = name.split("-")[:2]
        if name in tryon["end_to_end"].get("experiments", {}):
            mode += " (experiment: 1 ORT thread per session)"
        stages = ", ".join(f"{s} {v['p50']:.0f}/{v['p95']:.0f}" for s, v in m["stages"].items())
        rows.append(f"| {mode} | {side} px | {m['total']['p50']:.0f} ms | {m['total']['p95']:.0f} ms "
                    f"(n={m['total']['n']}) | {stages} |")
    return rows


def _targets(results: dict[str, dict[str, Any]]) -> list[str]:
    rows = ["| target | measured | verdict |", "|---|---|---|"]
    models = results.get("models")
    if models:
        for r in models["models"]:
            entry = r["batches"].get("1", {})
            if "speedup_ort_default_vs_torch" not in entry:
                continue
            d, t = entry["speedup_ort_default_vs_torch"], entry["speedup_ort_tuned_vs_torch"]
            verdict = _verdict(d["median"] >= TARGET_ORT_SPEEDUP)
            if d["median"] < TARGET_ORT_SPEEDUP <= t["median"]:
                verdict = "**missed** by the default session, met by the tuned one"
            rows.append(f"| ORT >= {TARGET_ORT_SPEEDUP}x torch eager, batch 1: {r['model']} | default "
                        f"{spread(d, unit='x')}, tuned {spread(t, unit='x')} | {verdict} |")
    batching = results.get("batching")
    if batching:
        b = batching["batching"]
        gain = b["throughput_gain_on_vs_off"].get("8")
        if gain is not None:
            on = b["curves"][b["configs"]["on"]]["8"]
            off = b["curves"][b["configs"]["off"]]["8"]
            rows.append(f"| dynamic batching >= {TARGET_BATCHING_GAIN}x throughput at 8 clients ({b['model']}) | "
                        f"{gain:.2f}x ({on['requests_per_s']['median']:.1f} vs {off['requests_per_s']['median']:.1f}"
                        f" req/s; p95 {on['p95_ms']:.0f} vs {off['p95_ms']:.0f} ms) | "
                        f"{_verdict(gain >= TARGET_BATCHING_GAIN)} |")
    tryon = results.get("tryon")
    if tryon:
        for fmt in ("png", "jpeg"):
            o = tryon["gateway_overhead"][fmt]
            default = " (the API's default)" if fmt == "png" else ""
            rows.append(f"| gateway overhead <= {TARGET_OVERHEAD_PERCENT:g} % of p50, {fmt.upper()} answer{default} | "
                        f"{o['overhead_percent_of_p50']:.1f} % ({o['overhead_ms_p50']:.0f} ms of "
                        f"{o['http_ms']['median']:.0f} ms; per pair "
                        f"{spread(o['overhead_percent_per_pair'], digits=1, unit=' %')}) | "
                        f"{_verdict(o['overhead_percent_of_p50'] <= TARGET_OVERHEAD_PERCENT)} |")
        for mode, target in TARGET_P50_MS.items():
            run = tryon["end_to_end"]["modes"].get(mode)
            if run:
                p50 = run["total"]["p50"]
                what = "design" if mode.startswith("design") else "classical garment (catalog)"
                rows.append(f"| {what} try-on 512 px p50 <= {target:.0f} ms on 2 cores | {p50:.0f} ms (p95 "
                            f"{run['total']['p95']:.0f} ms, n={run['total']['n']}) | {_verdict(p50 <= target)} |")
    return rows


def _queue_delay_lines(result: dict[str, Any]) -> list[str]:
    clients = list(result["settings"][0]["clients"])
    rows = ["| setting | " + " | ".join(f"{c} client(s): req/s | p50 / p95 ms | mean batch" for c in clients) + " |",
            "|---|" + "---|---|---|" * len(clients)]
    for s in result["settings"]:
        cells = [f"{spread(level['requests_per_s'], digits=1)} | {level['p50_ms']:.0f} / {level['p95_ms']:.0f} | "
                 f"{level['mean_batch']:.2f}" for level in (s["clients"][c] for c in clients)]
        rows.append(f"| {s['setting']} | {' | '.join(cells)} |")
    return ["### Triton: dynamic batching settings (`queue_delay.json`, `queue_delay.png`)", "",
            f"Command: `{result['command']}`. {result['model']}, {result['requests_per_level']} requests per setting, "
            "number of clients and round; one copy of the model per setting, the settings alternating round by round.",
            "", *rows, ""]


def summary(results: dict[str, dict[str, Any]]) -> str:
    lines = ["## Results (generated by `python -m bench report`)", "", "### Machine", "",
             *_machine_lines(results), ""]
    lines += ["### Targets", "", *_targets(results), ""]
    models = results.get("models")
    if models:
        peak = models["sgemm_peak"]
        tuned = models["tuning"]["best"]
        lines += ["### Per model: torch eager vs ONNX Runtime (`models.json`, `models.png`)", "",
                  f"Command: `{models['command']}`. sgemm peak of this CPU (numpy float32 2048², "
                  f"{peak['blas'][0]['architecture'] if peak['blas'] else '?'} kernel, "
                  f"{peak['blas'][0]['num_threads'] if peak['blas'] else '?'} threads): "
                  f"**{spread(peak['gflops'], digits=1, unit=' GFLOP/s')}** (the better of the medians measured "
                  f"before and after the models: {_pair(peak)}). Times per call, median (min-max) "
                  f"over n interleaved repeats ({models['repeats']}, or 2 for calls over 4 s), from a uint8 NHWC batch "
                  "to the outputs. GFLOP per call: torch's flop counter where a torch definition exists, else the "
                  "ONNX graph's Conv/MatMul/Gemm. "
                  f"ORT tuned = optimisation level `{tuned['level']}`, {tuned['threads'] or 'default'} intra-op "
                  "thread(s) (best of the sweep in `models.json` → `tuning`) plus uint8 NHWC input with the "
                  "normalisation inside the graph where the model takes photos.", "",
                  *_model_rows(models), ""]
    tryon = results.get("tryon")
    if tryon:
        o = tryon["gateway_overhead"]
        lines += ["### Try-on end to end (`tryon.json`, `tryon.png`, `gateway_overhead.png`)", "",
                  f"Command: `{tryon['command']}`. Embedded backend, sequential calls after one warm-up.", "",
                  *_tryon_rows(tryon), "",
                  "Gateway overhead (design, 512 px): direct "
                  f"{spread(o['direct_ms'], digits=0, unit=' ms')}; through HTTP with a PNG answer "
                  f"{spread(o['png']['http_ms'], digits=0, unit=' ms')}: **{o['png']['overhead_percent_of_p50']:.1f} "
                  f"%** of the HTTP p50; with a JPEG answer {spread(o['jpeg']['http_ms'], digits=0, unit=' ms')}: "
                  f"**{o['jpeg']['overhead_percent_of_p50']:.1f} %**. Encoding the 512 px answer alone: PNG "
                  f"{o['answer_encode_ms']['png']:.0f} ms, JPEG {o['answer_encode_ms']['jpeg']:.0f} ms.", ""]
    batching = results.get("batching")
    if batching:
        b = batching["batching"]
        lines += ["### Triton: dynamic batching on vs off, embedded vs Triton (`batching.json`, `batching.png`, "
                  "`backends.png`)", "", f"Command: `{batching['command']}`.", "",
                  "| clients | batching on: req/s | p50 / p95 ms | mean batch | batching off: req/s | p50 / p95 ms "
                  "| gain |",
                  "|---|---|---|---|---|---|---|"]
        on, off = (b["curves"][b["configs"][k]] for k in ("on", "off"))
        for c in on:
            lines.append(f"| {c} | {spread(on[c]['requests_per_s'], digits=1)} | {on[c]['p50_ms']:.0f} / "
                         f"{on[c]['p95_ms']:.0f} | {on[c]['mean_batch']:.2f} | "
                         f"{spread(off[c]['requests_per_s'], digits=1)} | "
                         f"{off[c]['p50_ms']:.0f} / {off[c]['p95_ms']:.0f} | "
                         f"{b['throughput_gain_on_vs_off'][c]:.2f}x |")
        k = batching["backends"]
        e, t = k["backends"]["embedded"]["total"], k["backends"]["triton"]["total"]
        lines += ["", f"Design try-on at {k['side']} px, same machine: embedded p50 {e['p50']:.0f} ms "
                  f"({e['min']:.0f} to {e['max']:.0f}), Triton p50 {t['p50']:.0f} ms "
                  f"({t['min']:.0f} to {t['max']:.0f}): "
                  f"Triton / embedded = {k['triton_over_embedded_p50']:.2f}.", ""]
    queue_delay = results.get("queue_delay")
    if queue_delay:
        lines += _queue_delay_lines(queue_delay)
    replicas = results.get("replicas")
    if replicas:
        lines += _replicas_lines(replicas)
    gpu = results.get("gpu")
    if gpu:
        lines += ["### GPU (`--device cuda`: TensorRT fp16 vs ORT CUDA vs torch eager fp32 / fp16)", "",
                  f"Command: `{gpu['command']}`. " + (f"Skipped here: {gpu['skipped']}." if "skipped" in gpu else
                                                       f"Device: {gpu['device']}; see `gpu.json`."), ""]
        if "skipped" not in gpu:
            lines += [*_gpu_table(gpu), ""]
    return "\n".join(lines)


def _replicas_lines(r: dict[str, Any]) -> list[str]:
    lines = [f"### Two Triton replicas behind one target ({r['model']}): NVIDIA's perf_analyzer vs our client", "",
             f"Command: `{r['command']}`. Shares: the inferences each replica served (its own "
             "`nv_inference_request_success`).", "",
             "| clients | client | req/s | p50 / p99 ms | replica shares |", "|---|---|---|---|---|"]
    names = {"perf_analyzer": "perf_analyzer on the group's target", "perf_analyzer_per_replica":
             "perf_analyzer, one per replica", "ours": "ours (TritonClient, round_robin)"}
    for c, level in r["levels"].items():
        for key, name in names.items():
            m = level[key]
            lines.append(f"| {c} | {name} | {m['requests_per_s']:.1f} | {m['p50_ms']:.1f} / {m['p99_ms']:.1f} | "
                         f"{m['replica_shares']} |")
    return [*lines, ""]


def write_readme(results: dict[str, dict[str, Any]], readme: Path = README) -> None:
    text = readme.read_text() if readme.is_file() else f"# Benchmarks\n\n{START}\n{END}\n"
    if START not in text or END not in text:
        text += f"\n{START}\n{END}\n"
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{START}\n{summary(results)}\n{END}{tail}")
    log.info("wrote %s", readme.relative_to(ROOT))
