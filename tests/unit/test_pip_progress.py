"""pip_progress turns pip's raw progress into one bar per download and one summary line, and shows pip's
output when pip fails. A stand-in `pip` module prints what pip 26 prints, so no network is involved."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fittingroom.common.pip_progress import run_pip

PIP_OUTPUT = """\
Collecting torch==2.13.0
  Downloading https://files.example/packages/torch-2.13.0-cp311-none-linux_x86_64.whl (20.0 MB)
Progress 0 of 20000000
Progress 10000000 of 20000000
Progress 20000000 of 20000000
Collecting tiny==1.0
  Using cached tiny-1.0-py3-none-any.whl (3 kB)
Installing collected packages: tiny, torch
Successfully installed tiny-1.0 torch-2.13.0
"""


def _fake_pip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: str, exit_code: int = 0) -> None:
    package = tmp_path / "pip"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "__main__.py").write_text(textwrap.dedent(f"""
        import sys
        sys.stdout.write({output!r})
        raise SystemExit({exit_code})
    """))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))


def test_plain_log_gets_a_line_per_large_download_and_one_summary(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_pip(tmp_path, monkeypatch, PIP_OUTPUT)
    log = io.StringIO()  # not a terminal: plain lines, no carriage returns
    run_pip(["install", "torch==2.13.0", "tiny==1.0"], label="setup", python=sys.executable, stream=log)
    lines = log.getvalue().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("setup: downloaded torch-2.13.0-cp311-none-linux_x86_64.whl (20 MB, ")
    assert lines[0].endswith(" MB/s)")
    assert lines[1].startswith("setup: downloaded 1 file (20 MB) and installed 2 packages in ")
    assert "\r" not in log.getvalue()


def test_nothing_to_do_prints_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_pip(tmp_path, monkeypatch, "Requirement already satisfied: tiny==1.0\n")
    log = io.StringIO()
    run_pip(["install", "tiny==1.0"], python=sys.executable, stream=log)
    assert log.getvalue() == ""


def test_a_failure_carries_what_pip_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_pip(tmp_path, monkeypatch, "ERROR: No matching distribution found for nosuch==9\n", exit_code=1)
    with pytest.raises(subprocess.CalledProcessError) as failed:
        run_pip(["install", "nosuch==9"], python=sys.executable, stream=io.StringIO())
    assert "No matching distribution found for nosuch==9" in failed.value.output
