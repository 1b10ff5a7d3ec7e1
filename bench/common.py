"""What every benchmark shares: spreads, timing loops, the machine description and result files."""

from __future__ import annotations

import datetime
import json
import logging
import os
import platform
import statistics
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CACHE = ROOT / ".cache" / "bench"


@dataclass(frozen=True)
class Spread:
    """min / median / max of repeated measurements (n of them), in the unit of the samples."""

    min: float
    median: float
    max: float
    n: int

    @classmethod
    def of(cls, samples: Sequence[float]) -> Spread:
        if not samples:
            raise ValueError("a spread needs at least one sample")
        return cls(min(samples), statistics.median(samples), max(samples), len(samples))

    def scaled(self, factor: float) -> Spread:
        """The same spread in another unit (a positive factor keeps min below max)."""
        return Spread(self.min * factor, self.median * factor, self.max * factor, self.n)

    def inverse(self, numerator: float = 1.0) -> Spread:
        """numerator / x for every sample: a time spread becomes a rate spread (min and max swap)."""
        return Spread(numerator / self.max, numerator / self.median, numerator / self.min, self.n)

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def ratio(numerator: Spread, denominator: Spread) -> Spread:
    """numerator / denominator with a conservative spread: worst case over best case and vice versa."""
    return Spread(numerator.min / denominator.max, numerator.median / denominator.median,
                  numerator.max / denominator.min, min(numerator.n, denominator.n))


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), linear between closest ranks (numpy's default method)."""
    ordered = sorted(samples)
    if not ordered:
        raise ValueError("no samples")
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def time_calls(call: Callable[[], object], *, repeats: int, warmup: int = 1) -> list[float]:
    """Seconds per call over `repeats` calls, after `warmup` untimed ones (first runs allocate)."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 2**20, 1)
    return 0.0


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine() -> dict[str, Any]:
    """What the numbers were measured on; the load average tells how shared the machine was."""
    dirty = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "cpu_model": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "kernel": platform.release(),
        "commit": _git("rev-parse", "--short=12", "HEAD"),
        "commit_dirty": dirty not in ("", "unknown"),
        "date_utc": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S"),
        # Older OpenBLAS builds need these on some CPUs; they also slow a current numpy (sgemm peak notes).
        "openblas_env": {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ},
    }


class LoadWatch:
    """The machine as a suite starts, and the highest 1-minute load average seen while it runs.

    The machine is shared: the load at the start alone would not tell whether a neighbour's test run came in
    halfway through, so a background thread samples it every few seconds.
    """

    def __init__(self, interval_s: float = 5.0) -> None:
        self.at_start = machine()
        self.peak = os.getloadavg()[0]
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="load-watch", daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(self._interval_s):
            self.peak = max(self.peak, os.getloadavg()[0])

    def finish(self) -> dict[str, Any]:
        self._stop.set()
        self._thread.join()
        return {**self.at_start, "load_1min_max_during": round(self.peak, 2),
                "load_average_end": [round(x, 2) for x in os.getloadavg()]}


def write_result(name: str, data: dict[str, Any], command: str, machine_info: dict[str, Any],
                 results: Path = RESULTS) -> Path:
    """results/<name>.json with the machine and the command that reproduces these numbers alone."""
    results.mkdir(parents=True, exist_ok=True)
    path = results / f"{name}.json"
    document = {"name": name, "command": command, "machine": machine_info, **data}
    path.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n")
    log.info("wrote %s", path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return path


def read_results(results: Path = RESULTS) -> dict[str, dict[str, Any]]:
    """The suites' result files (profile-*.json beside them are supplements of a suite, not results)."""
    return {p.stem: json.loads(p.read_text()) for p in sorted(results.glob("*.json"))
            if not p.name.startswith("profile-")}
