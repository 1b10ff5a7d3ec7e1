"""Shared pieces of the reliability tests: settings on a private state directory, a `tryon serve`
subprocess, memory readings from /proc, and a raw HTTP client for bodies no library would send."""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from fittingroom.common.loopback import free_port
from fittingroom.gateway.settings import Settings

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]
TENANT_KEY = "tenant-key-5c1f0e7a9b2d4c6e"
ADMIN_KEY = "admin-key-8d3b6a1f0c9e2d7b"


def gateway_settings(repository: Path, state: Path, **extra: Any) -> Settings:
    """A gateway on its own SQLite file and blob directory, one ORT thread per session (2-core machine)."""
    values: dict[str, Any] = {
        "model_repository": repository, "ort_threads": 1, "database_url": f"sqlite:///{state / 'tryon.db'}",
        "blob_dir": state / "blobs",
    }
    return Settings(**(values | extra))


def settings_env(settings: Settings) -> dict[str, str]:
    """The TRYON_* environment that reproduces `settings` in a `tryon serve` process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRYON_")}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if hasattr(value, "get_secret_value"):
            value = value.get_secret_value()
        if isinstance(value, dict):
            continue  # triton_urls: the default (empty) is what these tests use
        env[f"TRYON_{name.upper()}"] = str(value)
    return env


class GatewayProcess:
    """`tryon serve` as a child process (its own session: signals reach it alone), output to a file."""

    def __init__(self, settings: Settings, log_file: Path) -> None:
        self.port = free_port()
        self.settings = settings.model_copy(update={"port": self.port})
        self.log_file = log_file
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 60.0) -> GatewayProcess:
        with self.log_file.open("ab") as output:
            self.process = subprocess.Popen(
                [str(Path(sys.executable).parent / "tryon"), "serve"], env=settings_env(self.settings),
                stdout=output, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"tryon serve exited with {self.process.returncode}:\n{self.output()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"tryon serve did not answer within {timeout_s:.0f}s:\n{self.output()}")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def output(self) -> str:
        return self.log_file.read_text(errors="replace") if self.log_file.is_file() else ""

    def memory_kb(self) -> dict[str, int]:
        """VmRSS (now) and VmHWM (peak resident set since start) of the gateway process, in KiB."""
        fields = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0])
        return fields

    def terminate(self) -> None:
        os.kill(self.pid, signal.SIGTERM)

    def wait(self, timeout_s: float) -> int:
        assert self.process is not None
        return self.process.wait(timeout_s)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def __enter__(self) -> GatewayProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def requests_in_flight(metrics: str) -> float:
    """Requests in flight on every route (from a /metrics scrape), less the /metrics request asking."""
    return sum(float(v) for v in re.findall(r"^tryon_requests_in_flight\{[^}]*\} ([0-9.]+)$", metrics, re.M)) - 1


def multipart(parts: list[tuple[str, str | None, bytes]], boundary: str = "reliability-boundary") -> bytes:
    """A multipart/form-data body from (field, filename or None, content)."""
    out = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
        out += (b"Content-Type: application/octet-stream\r\n" if filename else b"") + b"\r\n" + content + b"\r\n"
    return out


def stream_chunked(url: str, path: str, head: bytes, filler_bytes: int, *, chunk: int = 64 * 1024,
                   boundary: str = "reliability-boundary") -> tuple[int, bytes, int]:
    """POST a multipart body in chunked encoding (no Content-Length): `head`, then one file part of
    `filler_bytes` zeros. A reader thread collects the answer while we send; sending stops as soon as
    the server has answered or closed. Returns (status, body, bytes sent)."""
    host, port = url.removeprefix("http://").split(":")
    answer = bytearray()
    answered = threading.Event()
    with socket.create_connection((host, int(port)), timeout=30) as sock:

        def read() -> None:
            try:
                while len(answer) < _expected_length(bytes(answer)) or b"\r\n\r\n" not in answer:
                    more = sock.recv(65536)
                    if not more:
                        break
                    answer.extend(more)
            except OSError:
                pass
            answered.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n"
                     f"Content-Type: multipart/form-data; boundary={boundary}\r\n\r\n".encode())
        part = (f'--{boundary}\r\nContent-Disposition: form-data; name="person"; filename="big.png"\r\n'
                "Content-Type: image/png\r\n\r\n").encode()
        sent = 0
        frames = [head + part] + [b"\0" * chunk] * (filler_bytes // chunk)
        for data in frames:
            if answered.is_set():
                break
            try:
                sock.sendall(b"%x\r\n" % len(data) + data + b"\r\n")
            except OSError:  # the server answered and closed while we were still sending
                break
            sent += len(data)
        reader.join(30)
    raw = bytes(answer)
    status = int(raw.split(b" ", 2)[1]) if raw.startswith(b"HTTP/1.1") else 0
    return status, raw.partition(b"\r\n\r\n")[2], sent


def _expected_length(answer: bytes) -> int:
    """Bytes of a complete answer (head + Content-Length), or 0 while the head is incomplete."""
    head, sep, _ = answer.partition(b"\r\n\r\n")
    if not sep:
        return 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(head) + 4 + int(value)
    return len(answer)


def send_then_read(url: str, request_head: str, body: bytes) -> tuple[int, bytes]:
    """POST as a browser or `requests` does: the whole body goes out before the answer is read.
    Returns (status, body); a connection reset while reading counts as no answer (status 0)."""
    host, port = url.removeprefix("http://").split(":")
    answer = bytearray()
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        try:
            sock.sendall(request_head.encode() + b"\r\n\r\n" + body)
            while len(answer) < _expected_length(bytes(answer)) or b"\r\n\r\n" not in answer:
                more = sock.recv(65536)
                if not more:
                    break
                answer.extend(more)
        except OSError:  # reset by the server: whatever it had sent is lost with it
            return 0, b""
    raw = bytes(answer)
    status = int(raw.split(b" ", 2)[1]) if raw.startswith(b"HTTP/1.1") else 0
    return status, raw.partition(b"\r\n\r\n")[2]
