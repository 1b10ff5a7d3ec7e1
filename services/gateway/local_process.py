"""The gateway as a child process on loopback (`tryon serve`): how `make cluster` and `make load` start it."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from fittingroom.common.loopback import LOOPBACK, free_port, http_status

STOP_TIMEOUT_S = 40.0  # above the gateway's own drain on SIGTERM: past it the process is killed


@contextmanager
def gateway_process(env: Mapping[str, str], log_file: Path, *, cwd: Path, timeout_s: float = 120.0
                    ) -> Iterator[str]:
    """`tryon serve` on a free loopback port, yielding its URL once it is ready (/readyz 200: its backend
    and the default paths' models are up); stopped with SIGTERM, so that it drains, and killed if it hangs."""
    port = free_port()
    command = [str(Path(sys.executable).parent / "tryon"), "serve", "--host", LOOPBACK, "--port", str(port)]
    with log_file.open("ab") as output:
        process = subprocess.Popen(command, env=dict(env), stdout=output, stderr=subprocess.STDOUT, cwd=cwd)
    url = f"http://{LOOPBACK}:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while http_status(f"{url}/readyz") != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the gateway at {url} did not become ready; see {log_file}")
            time.sleep(0.2)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
