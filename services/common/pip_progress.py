"""Run pip with progress a person can read: each download with its bytes and speed, then the install time.

pip's own output is a line per requirement ("Collecting", "Requirement already satisfied", "Using cached")
that buries the one thing worth watching, the downloads. Its `--progress-bar raw` (pip >= 24.1) reports
download progress as "Progress <done> of <total>" lines meant for wrappers like this one: on a terminal
they drive a tqdm bar per download; elsewhere (CI logs) each large download is one plain line with its size
and speed. Either way pip's work ends in one summary line; the rest of its output is shown only when it fails.

The Makefile runs this file as a script before the project is installed, so it imports nothing of the project.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from collections import deque
from importlib import metadata
from typing import TextIO

from tqdm import tqdm

_DOWNLOADING = re.compile(r"^\s*(?:Downloading|Resuming download) (\S+)")
_PROGRESS = re.compile(r"^Progress (\d+) of (\d+)$")
_INSTALLING = re.compile(r"^\s*Installing collected packages: (.+)$")
TAIL_LINES = 40  # how much of pip's output a failure shows
RAW_PROGRESS_PIP = (24, 1)  # the first pip with `--progress-bar raw`
# In a plain log, downloads smaller than this get no line of their own (a cold install fetches dozens).
PLAIN_LINE_MIN_BYTES = 10_000_000


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


class _Display:
    """A bar per download, then an install timer, on a terminal; plain lines for large downloads otherwise."""

    def __init__(self, label: str, stream: TextIO) -> None:
        self.label = label
        self.stream = stream
        self.interactive = stream.isatty()
        self.downloaded: dict[str, int] = {}  # file name: bytes
        self.installed = 0
        self.file = ""
        self.file_started = 0.0
        self.bar: tqdm | None = None
        self.ticker: threading.Thread | None = None
        self.stopped = threading.Event()

    def download(self, url: str) -> None:
        self.end_step()
        self.file = url.rsplit("/", 1)[-1]
        self.file_started = time.monotonic()
        self.downloaded[self.file] = 0
        if self.interactive:
            self.bar = tqdm(desc=f"{self.label}: {self.file}", unit="B", unit_scale=True, unit_divisor=1024,
                            file=self.stream, leave=False, dynamic_ncols=True)

    def progress(self, done: int, total: int) -> None:
        self.downloaded[self.file] = done
        if self.bar is not None:
            if total and self.bar.total != total:
                self.bar.total = total
            self.bar.update(done - self.bar.n)

    def installing(self, packages: int) -> None:
        self.end_step()
        self.installed = packages
        if self.interactive:
            self.bar = tqdm(desc=f"{self.label}: installing {_plural(packages, 'package')}",
                            bar_format="{desc} [{elapsed}]", file=self.stream, leave=False)
            # pip is silent while it unpacks: the elapsed time is refreshed from here.
            self.stopped.clear()
            self.ticker = threading.Thread(target=self._tick, args=(self.bar,), daemon=True)
            self.ticker.start()

    def _tick(self, bar: tqdm) -> None:
        while not self.stopped.wait(1.0):
            bar.refresh()

    def end_step(self) -> None:
        """Close the current bar; in a plain log, report a finished large download."""
        size = self.downloaded.get(self.file, 0)
        if not self.interactive and size >= PLAIN_LINE_MIN_BYTES:
            seconds = max(time.monotonic() - self.file_started, 1e-3)
            tqdm.write(f"{self.label}: downloaded {self.file} ({size / 1e6:.0f} MB, {size / 1e6 / seconds:.1f} MB/s)",
                  file=self.stream)
        self.file = ""
        self.stopped.set()
        if self.ticker is not None:
            self.ticker.join()
            self.ticker = None
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def summary(self, seconds: float) -> str | None:
        """One line for what pip did, or None when it had nothing to fetch or install."""
        done = []
        if self.downloaded:
            size = sum(self.downloaded.values())  # 0 when pip reported no progress (small files, an old pip)
            megabytes = f" ({size / 1e6:.0f} MB)" if size else ""
            done.append(f"downloaded {_plural(len(self.downloaded), 'file')}{megabytes}")
        if self.installed:
            done.append(f"installed {_plural(self.installed, 'package')}")
        return f"{self.label}: {' and '.join(done)} in {seconds:.0f} s" if done else None


def _pip_version() -> tuple[int, ...]:
    """This interpreter's pip, as (major, minor)."""
    return tuple(int(part) for part in metadata.version("pip").split(".")[:2] if part.isdigit())


def run_pip(args: list[str], *, label: str = "pip", python: str = sys.executable,
            stream: TextIO = sys.stderr) -> None:
    """`python -m pip <args>` with readable progress; raises CalledProcessError (pip's output tail) on failure."""
    # An older pip (a venv made by hand, not by the Makefile, which updates pip first) still installs, silently.
    bar = "raw" if python != sys.executable or _pip_version() >= RAW_PROGRESS_PIP else "off"
    command = [python, "-m", "pip", *args, "--progress-bar", bar, "--disable-pip-version-check"]
    display = _Display(label, stream)
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    started = time.monotonic()
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1) as pip:
        assert pip.stdout is not None  # stdout=PIPE
        try:
            for line in pip.stdout:
                if (progress := _PROGRESS.match(line.strip())) is not None:
                    display.progress(int(progress[1]), int(progress[2]))
                    continue
                tail.append(line.rstrip("\n"))
                if (download := _DOWNLOADING.match(line)) is not None:
                    display.download(download[1])
                elif (install := _INSTALLING.match(line)) is not None:
                    display.installing(len(install[1].split(", ")))
        finally:
            display.end_step()
    if pip.returncode != 0:
        raise subprocess.CalledProcessError(pip.returncode, command, output="\n".join(tail))
    summary = display.summary(time.monotonic() - started)
    if summary is not None:
        tqdm.write(summary, file=stream)


def main(argv: list[str]) -> int:
    """The Makefile's entry point: pip's arguments in, pip's exit status out (its output tail on failure)."""
    try:
        run_pip(argv)
    except subprocess.CalledProcessError as failed:
        print(failed.output, file=sys.stderr)
        print(f"error: pip {' '.join(argv)} failed (exit {failed.returncode})", file=sys.stderr)
        return failed.returncode
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
