"""`make cluster`: the scale-out stack on this machine, real processes on loopback only.

    python tools/cluster.py [--workdir DIR] [--tritons 127.0.0.2,127.0.0.3] [--gateways 2]

- PostgreSQL: Debian's server binaries (postgresql-15), a cluster initialised and started in a temporary
  directory, stopped and deleted at the end;
- a model store (a directory, as the shared volume would be): version 1 of each model of the default paths
  (design, classical garment) published into it with `fittingroom.gateway.publish` (files once; each
  version's record in PostgreSQL);
- tritonserver replicas, one per loopback address, every one on the SAME ports and reading the store;
- gateway replicas (`tryon serve`) sharing PostgreSQL; their Triton target names the whole group
  (`ipv4:127.0.0.2:P,127.0.0.3:P`, what `dns:///name:P` resolves to in a cluster), so each gateway balances
  its calls over every replica and the admin API loads versions on each of them, and writes the versions it
  loaded into the store's configs (a restarted replica loads them again).

Prints where each component is and runs until Ctrl-C. `LocalCluster` is the same stack for the tests.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

from fittingroom.common.loopback import LOOPBACK, free_port
from fittingroom.common.repository import CONFIG_NAME
from fittingroom.common.triton_server import TritonServer
from fittingroom.common.versions import RECORD_FILE
from fittingroom.export.runtimes import derive_repository
from fittingroom.gateway.local_process import gateway_process
from fittingroom.gateway.publish import publish
from fittingroom.gateway.store import Store
from fittingroom.tryon.classical import GARMENT_MODELS
from fittingroom.tryon.design import DESIGN_MODELS

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
TRITONS = ("127.0.0.2", "127.0.0.3")
# The models of the paths a gateway needs to be ready (design, classical garment): what the Tritons serve.
READY_MODELS = tuple(dict.fromkeys((*DESIGN_MODELS, *GARMENT_MODELS)))
ADMIN_KEY = "admin-cluster-0123456789"
SHOP_KEY = "shop-cluster-0123456789"
log = logging.getLogger("cluster")


# -- PostgreSQL --------------------------------------------------------------------------------


def _is_root() -> bool:
    return os.geteuid() == 0


def _as_postgres(*command: str) -> None:
    # initdb and postgres refuse to run as root: the Debian package's `postgres` user runs them.
    prefix = ["runuser", "-u", "postgres", "--"] if shutil.which("runuser") and _is_root() else []
    subprocess.run([*prefix, *command], check=True, capture_output=True)


def postgres_missing() -> str | None:
    """Why a PostgreSQL server cannot be started here, or None."""
    if not (PG_BIN / "initdb").is_file():
        return "PostgreSQL 15 server binaries are not installed (Debian package postgresql-15)"
    return None


@contextmanager
def postgres() -> Iterator[str]:
    """A fresh PostgreSQL server on a free loopback port; yields its SQLAlchemy URL."""
    missing = postgres_missing()
    if missing:
        raise RuntimeError(missing)
    # Directly under /tmp: pytest's own temporary folders are private to root, and the server runs as postgres.
    root = Path(tempfile.mkdtemp(prefix="tryon-pg-"))
    data = root / "data"
    if _is_root():
        shutil.chown(root, "postgres")
    port = free_port()
    _as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "--auth=trust", "-U", "postgres")
    # The server's output goes to a file: a pipe it inherited would keep pg_ctl's caller waiting forever.
    _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", "-l", str(root / "server.log"), "-o",
                 f"-p {port} -k {data} -c listen_addresses={LOOPBACK}", "start")
    try:
        yield f"postgresql+psycopg://postgres@{LOOPBACK}:{port}/postgres"
    finally:
        _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


# -- the stack ---------------------------------------------------------------------------------


@contextmanager
def triton_group(store: Path, models: Sequence[str], addresses: Sequence[str], logs: Path
                 ) -> Iterator[list[TritonServer]]:
    """One tritonserver per loopback address, all on the same ports, serving `models` from `store`."""
    ports = {name: free_port(*addresses) for name in ("http", "grpc", "metrics")}
    servers = [TritonServer(store, address=address, http_port=ports["http"], grpc_port=ports["grpc"],
                            metrics_port=ports["metrics"], models=list(models),
                            log_file=logs / f"tritonserver-{address}.log") for address in addresses]
    try:
        for server in servers:  # started together: each loads its models at once
            server.start()
        for server in servers:
            server.wait_ready(180)
        yield servers
    finally:
        for server in servers:
            server.stop()


def group_target(servers: Sequence[TritonServer]) -> str:
    """The gRPC target naming every replica: what `dns:///name:port` resolves to in a cluster."""
    return "ipv4:" + ",".join(server.grpc_url for server in servers)


def serving_view(repository: Path, target: Path) -> Path:
    """The python-ort view of `repository` (what the pip tritonserver runs), each version's export record
    beside its model: the directories a version is published from."""
    for model in derive_repository(repository, target):
        for version_dir in (p for p in (target / model).iterdir() if p.is_dir() and p.name.isdigit()):
            record = repository / model / version_dir.name / RECORD_FILE
            if record.is_file():
                (version_dir / RECORD_FILE).unlink(missing_ok=True)
                (version_dir / RECORD_FILE).symlink_to(record.resolve())
    return target


class LocalCluster:
    """PostgreSQL, a model store, N tritonserver replicas on one port, M gateways sharing the database.

    `first_versions` replaces the published version 1 of a model by another version directory (model,
    runtime files, export record; its config is the view's).
    """

    def __init__(self, workdir: Path, repository: Path, *, models: Sequence[str] = READY_MODELS,
                 tritons: Sequence[str] = TRITONS, gateways: int = 2,
                 first_versions: Mapping[str, Path] | None = None, gateway_env: Mapping[str, str] | None = None
                 ) -> None:
        self.workdir = workdir
        self.repository = repository
        self.models = list(models)
        self.addresses = list(tritons)
        self.gateway_count = gateways
        self.first_versions = dict(first_versions or {})
        self.gateway_env = dict(gateway_env or {})
        self.store_dir = workdir / "store"
        self.database_url = ""
        self.tritons: list[TritonServer] = []
        self.gateways: list[str] = []
        self._stack = ExitStack()

    @property
    def triton_target(self) -> str:
        """The gRPC target naming every replica (the gateways' TRYON_TRITON_URL)."""
        return group_target(self.tritons)

    def env(self) -> dict[str, str]:
        """The environment of a gateway replica (also what `python -m fittingroom.gateway.publish` needs)."""
        return {**os.environ, "TRYON_BACKEND": "triton", "TRYON_TRITON_URL": self.triton_target,
                "TRYON_DATABASE_URL": self.database_url, "TRYON_BLOB_DIR": str(self.workdir / "blobs"),
                "TRYON_API_KEYS": f"shop={SHOP_KEY}", "TRYON_ADMIN_KEY": ADMIN_KEY,
                # No local repository: the gateway must not need one (this path does not exist).
                "TRYON_MODEL_REPOSITORY": str(self.workdir / "no-repository"),
                # The admin API writes the versions it loads into the store's configs: a restarted Triton loads them.
                "TRYON_MODEL_STORE": str(self.store_dir), **self.gateway_env}

    def _publish_first_versions(self) -> None:
        view = serving_view(self.repository, self.workdir / "view")
        database = Store(self.database_url)
        try:
            for model in self.models:
                source = self.first_versions.get(model, view / model / "1")
                if source.parent != view / model:
                    (source.parent / CONFIG_NAME).write_text((view / model / CONFIG_NAME).read_text())
                publish(self.store_dir, model, 1, source, database)
        finally:
            database.close()

    def __enter__(self) -> LocalCluster:
        self.workdir.mkdir(parents=True, exist_ok=True)
        try:
            self.database_url = self._stack.enter_context(postgres())
            self._publish_first_versions()
            self.tritons = self._stack.enter_context(
                triton_group(self.store_dir, self.models, self.addresses, self.workdir))
            self.gateways = [self._stack.enter_context(gateway_process(
                self.env(), self.workdir / f"gateway-{i}.log", cwd=ROOT))
                             for i in range(self.gateway_count)]
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def describe(self) -> str:
        lines = [f"PostgreSQL        {self.database_url}", f"model store       {self.store_dir}"]
        lines += [f"tritonserver      grpc {t.grpc_url}  http {t.http_url}  metrics {t.metrics_url}"
                  for t in self.tritons]
        lines += [f"gateway           {url}  (Triton target {self.triton_target})" for url in self.gateways]
        lines += [f"keys              shop {SHOP_KEY}, admin {ADMIN_KEY}",
                  f"publish           TRYON_DATABASE_URL={self.database_url} python -m fittingroom.gateway.publish "
                  f"MODEL VERSION --from DIR --store {self.store_dir}",
                  f"logs              {self.workdir}"]
        return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", type=Path, default=None, help="default: a new temporary directory")
    parser.add_argument("--tritons", default=",".join(TRITONS), help="loopback addresses, one Triton each")
    parser.add_argument("--gateways", type=int, default=2)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    missing = postgres_missing()
    if missing:
        print(f"error: {missing}", file=sys.stderr)
        return 2
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="tryon-cluster-"))
    with LocalCluster(workdir, ROOT / "model_repository", tritons=args.tritons.split(","),
                      gateways=args.gateways) as cluster:
        # Blocked only now: children inherit the signal mask, and theirs must take SIGTERM.
        stop = {signal.SIGINT, signal.SIGTERM}
        signal.pthread_sigmask(signal.SIG_BLOCK, stop)  # delivered to sigwait below, not as KeyboardInterrupt
        print(cluster.describe(), flush=True)
        print("Ctrl-C stops everything.", flush=True)
        signal.sigwait(stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
