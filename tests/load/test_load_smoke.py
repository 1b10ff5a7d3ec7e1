"""`make load` in small: the stack on loopback, 2 shoppers + the admin for 20 s, no failure, every report file."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT / "load-tests" / "run.py"


def _runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("load_run", RUNNER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_knee_is_the_first_step_whose_p50_departs(tmp_path: Path) -> None:
    samples = tmp_path / "requests.csv"
    rows = ["start_s,name,response_ms,ok"]
    for step, latency in enumerate((100, 110, 400)):
        rows += [f"{step * 10 + i},design try-on,{latency},1" for i in range(5)]
    rows.append("25,admin: move split,5,0")
    samples.write_text("\n".join(rows) + "\n")
    summary = _runner().analyse(samples, [1, 2, 4], 10.0)
    assert summary["knee"]["users"] == 4
    assert summary["failures"] == 1
    assert summary["steps"][2]["error_rate"] == pytest.approx(1 / 6)
    assert summary["steps"][0]["throughput_per_s"] == pytest.approx(0.5)


def test_load_smoke_mixed_scenario(repository: Path, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(RUNNER), "--scenarios", "mixed", "--steps", "2", "--step-seconds", "20",
                           "--rate", "0.2", "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    summary = json.loads((tmp_path / "mixed-summary.json").read_text())
    assert summary["requests"] > 0
    assert summary["failures"] == 0, (tmp_path / "mixed_failures.csv").read_text()
    for name in ("mixed_stats.csv", "mixed_stats_history.csv", "mixed_failures.csv", "mixed.html", "mixed.png",
                 "mixed_requests.csv"):
        assert (tmp_path / name).stat().st_size > 0, name
