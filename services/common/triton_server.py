"""A local tritonserver from PyPI's `nvidia-pytriton` wheel, for development and tests.

The wheel carries a real `tritonserver` (2.51) with only the python backend. It is downloaded
without installing it (it pins numpy<2, which would break our environment) and unpacked into
`.cache/tritonserver/` with the wheel's own layout, because the binary and the backend find their
libraries through RPATHs relative to `nvidia_pytriton.libs/`.

Two environment settings make python-backend models work, both derived from the running interpreter:
its `bin` first on PATH (the stub finds its Python, and so numpy and onnxruntime, through PATH), and
LD_LIBRARY_PATH at the directory of its own `libpython3.X.so.1.0` (otherwise the stub may load another
build of libpython against this interpreter's standard library and crash as soon as threads are used).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import stat
import subprocess
import sys
import sysconfig
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, TracebackType

from fittingroom.common.loopback import LOOPBACK, http_status
from fittingroom.common.repository import ModelRepository
from fittingroom.common.wheels import download_wheel, sha256

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = PROJECT_ROOT / ".cache"
WHEEL_REQUIREMENT = "nvidia-pytriton==0.7.0"
WHEEL_PLATFORM = "manylinux_2_35_x86_64"
WHEEL_SHA256 = "21f063ff93bb426d0c06b7a55e7eb9efcfe62c0dddd9a908e9877e18710128df"
WHEEL_PARTS = ("pytriton/tritonserver/", "nvidia_pytriton.libs/")
STUB_NAME = "triton_python_backend_stub"


@dataclass(frozen=True)
class TritonInstall:
    """An unpacked wheel: `root/pytriton/tritonserver/...` beside `root/nvidia_pytriton.libs/`."""

    root: Path

    @property
    def binary(self) -> Path:
        return self.root / "pytriton" / "tritonserver" / "bin" / "tritonserver"

    @property
    def backend_directory(self) -> Path:
        return self.root / "pytriton" / "tritonserver" / "backends"

    @property
    def stub(self) -> Path:
        return self.backend_directory / "python" / STUB_NAME

    def ready(self) -> bool:
        return self.binary.is_file() and self.stub.is_file()


def _download_wheel(wheel_dir: Path) -> Path:
    wheel = download_wheel(WHEEL_REQUIREMENT, wheel_dir, platform=WHEEL_PLATFORM)
    if sha256(wheel) != WHEEL_SHA256:
        raise RuntimeError(f"{wheel} does not match the pinned sha256 of {WHEEL_REQUIREMENT}; "
                           "delete it and retry")
    return wheel


def install(cache_dir: Path = CACHE_DIR) -> TritonInstall:
    """The unpacked tritonserver, downloading and unpacking the wheel the first time."""
    target = TritonInstall(cache_dir / "tritonserver")
    if target.ready():
        return target
    wheel = _download_wheel(cache_dir / "wheels")
    staging = TritonInstall(cache_dir / "tritonserver.part")
    shutil.rmtree(staging.root, ignore_errors=True)
    with zipfile.ZipFile(wheel) as archive:
        for info in archive.infolist():
            if info.is_dir() or not info.filename.startswith(WHEEL_PARTS):
                continue
            path = Path(archive.extract(info, staging.root))
            # zipfile drops permission bits; the binary, the stubs and libpython must stay executable.
            if (info.external_attr >> 16) & stat.S_IXUSR:
                path.chmod(0o755)
    # The python backend runs the stub found beside libtriton_python.so; same depth, so its RPATH holds.
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    stub = staging.root / "pytriton" / "tritonserver" / "python_backend_stubs" / version / STUB_NAME
    if not stub.is_file():
        raise RuntimeError(f"{WHEEL_REQUIREMENT} has no python backend stub for Python {version}")
    staging.stub.write_bytes(stub.read_bytes())
    staging.stub.chmod(0o755)
    if target.root.exists():  # a half-finished earlier install
        shutil.rmtree(target.root)
    staging.root.rename(target.root)
    log.info("unpacked tritonserver into %s", target.root)
    return target


def server_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment python-backend models need, derived from the running interpreter."""
    env = dict(os.environ if base is None else base)
    libdir = sysconfig.get_config_var("LIBDIR")
    soname = sysconfig.get_config_var("INSTSONAME")  # libpython3.11.so.1.0
    if not libdir or not soname or not (Path(libdir) / soname).is_file():
        raise RuntimeError(f"{sys.executable} was built without a shared libpython ({libdir}/{soname}); "
                           "the python backend stub needs one")
    bin_dir = str(Path(sys.executable).parent)  # the venv's bin, not the resolved base interpreter's
    env["PATH"] = os.pathsep.join([bin_dir, *(p for p in env.get("PATH", "").split(os.pathsep) if p)])
    env["LD_LIBRARY_PATH"] = os.pathsep.join(
        [libdir, *(p for p in env.get("LD_LIBRARY_PATH", "").split(os.pathsep) if p)])
    return env


class TritonServer:
    """One tritonserver process in explicit model-control mode on loopback ports.

    Use as a context manager (tests) or through `serve_forever` (the `tryon triton` command).
    """

    def __init__(self, repository: Path, *, http_port: int = 8000, grpc_port: int = 8001,
                 metrics_port: int = 8002, models: list[str] | None = None, address: str = LOOPBACK,
                 log_file: Path | None = None, cache_dir: Path = CACHE_DIR) -> None:
        self.repository = Path(repository).resolve()
        self.http_port, self.grpc_port, self.metrics_port = http_port, grpc_port, metrics_port
        self.models = models
        self.address = address
        self.log_file = log_file
        self.cache_dir = cache_dir
        self.process: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        self.ready_after_s: float | None = None

    @property
    def grpc_url(self) -> str:
        return f"{self.address}:{self.grpc_port}"

    @property
    def http_url(self) -> str:
        return f"http://{self.address}:{self.http_port}"

    @property
    def metrics_url(self) -> str:
        return f"http://{self.address}:{self.metrics_port}/metrics"

    def command(self, install_: TritonInstall) -> list[str]:
        repo = ModelRepository(self.repository)
        # Only models with an exported version: one Triton cannot load would keep the server from starting.
        models = self.models if self.models is not None else [m for m in repo.model_names()
                                                              if repo.versions_on_disk(m)]
        return [
            str(install_.binary),
            f"--model-repository={self.repository}",
            f"--backend-directory={install_.backend_directory}",
            "--model-control-mode=explicit",
            *(f"--load-model={m}" for m in models),
            "--strict-readiness=true",
            f"--http-address={self.address}", f"--http-port={self.http_port}",
            f"--grpc-address={self.address}", f"--grpc-port={self.grpc_port}",
            f"--metrics-address={self.address}", f"--metrics-port={self.metrics_port}",
            # Development and CI machines have no GPU to report on.
            "--allow-gpu-metrics=false",
            "--exit-timeout-secs=10",
        ]

    def start(self) -> None:
        install_ = install(self.cache_dir)
        command = self.command(install_)
        log.info("starting %s", " ".join(command))
        output = self.log_file.open("ab") if self.log_file else None
        self.started_at = time.monotonic()
        # A session of its own: Ctrl-C reaches only us, and we stop the server (and its stubs) in order.
        self.process = subprocess.Popen(command, env=server_environment(), start_new_session=True,
                                        stdout=output, stderr=subprocess.STDOUT if output else None)
        if output:
            output.close()  # the child holds its own descriptor

    def _log_tail(self, lines: int = 30) -> str:
        if self.log_file is None or not self.log_file.is_file():
            return "(server output went to the console)"
        return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])

    def is_ready(self) -> bool:
        """Ready means every model loaded (`--strict-readiness`); logs the start-up time the first time."""
        ready = http_status(f"{self.http_url}/v2/health/ready", timeout=1) == 200
        if not ready:
            return False
        if ready and self.ready_after_s is None:
            self.ready_after_s = time.monotonic() - self.started_at
            log.info("tritonserver ready in %.2fs: grpc %s, http %s, metrics %s", self.ready_after_s,
                     self.grpc_url, self.http_url, self.metrics_url)
        return ready

    def wait_ready(self, timeout_s: float = 60.0) -> float:
        """Block until every model is loaded; returns seconds since start. Raises if the server exits."""
        assert self.process is not None, "start() first"
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"tritonserver exited with {self.process.returncode}:\n{self._log_tail()}")
            if self.is_ready():
                assert self.ready_after_s is not None
                return self.ready_after_s
            time.sleep(0.05)
        raise TimeoutError(f"tritonserver not ready after {timeout_s:.0f}s:\n{self._log_tail()}")

    def stop(self, timeout_s: float = 15.0) -> int | None:
        """SIGTERM (Triton unloads models and stops their stubs), then SIGKILL whatever is left."""
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                log.warning("tritonserver did not stop within %.0fs; killing it", timeout_s)
        # Stubs share the server's process group; none may outlive it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        log.info("tritonserver stopped (exit code %s)", process.returncode)
        return process.returncode

    def __enter__(self) -> TritonServer:
        self.start()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def serve_forever(server: TritonServer) -> int:
    """Run `server` in the foreground until it exits or we get SIGTERM/SIGINT; returns its exit code."""
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        log.info("received %s, stopping tritonserver", signal.Signals(signum).name)
        stopping.set()

    previous = {s: signal.signal(s, request_stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        server.start()
        assert server.process is not None
        while not stopping.is_set() and server.process.poll() is None:
            ready = server.ready_after_s is not None or server.is_ready()
            stopping.wait(0.5 if ready else 0.1)
        code = server.stop()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return code or 0
