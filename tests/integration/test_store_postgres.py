"""The catalog and routing store on a real PostgreSQL server (the multi-replica configuration)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import free_port

from fittingroom.gateway.store import DuplicateSku, GarmentRecord, Store

pytestmark = pytest.mark.integration

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _as_postgres(*command: str) -> None:
    # initdb and postgres refuse to run as root: the Debian package's `postgres` user runs them.
    prefix = ["runuser", "-u", "postgres", "--"] if shutil.which("runuser") and _is_root() else []
    subprocess.run([*prefix, *command], check=True, capture_output=True)


def _is_root() -> bool:
    import os

    return os.geteuid() == 0


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    if not (PG_BIN / "initdb").is_file():
        pytest.skip("PostgreSQL 15 server binaries are not installed (Debian package postgresql-15)")
    # Directly under /tmp: pytest's own temporary folders are private to root, and the server runs as postgres.
    root = Path(tempfile.mkdtemp(prefix="tryon-pg-"))
    data = root / "data"
    if _is_root():
        shutil.chown(root, "postgres")
    port = free_port()
    _as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "--auth=trust", "-U", "postgres")
    # The server's output goes to a file: a pipe it inherited would keep pg_ctl's caller waiting forever.
    _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", "-l", str(root / "server.log"), "-o",
                 f"-p {port} -k {data} -c listen_addresses=127.0.0.1", "start")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


def _garment(sku: str | None, tenant: str = "shop") -> GarmentRecord:
    garment_id = Store.new_garment_id()
    return GarmentRecord(id=garment_id, tenant=tenant, sku=sku, category="upper", width=10, height=20,
                         image_key=f"garments/{garment_id}/image.png", mask_key=f"garments/{garment_id}/mask.png",
                         landmarks={"category": "upper", "points": {"neck": [1.0, 2.0]}}, created_at=datetime.now(UTC))


def test_catalog_on_postgres(postgres_url: str) -> None:
    store = Store(postgres_url)
    first = _garment("SKU-1")
    store.add_garment(first)
    with pytest.raises(DuplicateSku):
        store.add_garment(_garment("SKU-1"))
    store.add_garment(_garment("SKU-1", tenant="other"))  # unique per tenant only
    got = store.get_garment(first.id, "shop")
    assert got is not None and got.landmarks == first.landmarks and got.sku == "SKU-1"
    assert store.get_garment(first.id, "other") is None
    items, total = store.list_garments("shop", limit=10, offset=0)
    assert total == 1 and items[0].id == first.id
    assert store.delete_garment(first.id, "shop") is not None
    assert store.get_garment(first.id, "shop") is None
    store.close()


def test_routing_changes_from_two_replicas_are_serialised(postgres_url: str) -> None:
    """Two gateway replicas (two engines) changing one split at once: every change gets its own revision,
    and the race to create the first route is no error."""
    replicas = [Store(postgres_url), Store(postgres_url)]
    errors: list[BaseException] = []

    def writer(store: Store, weight: int) -> None:
        try:
            for _ in range(20):
                store.set_split("style_transform", {1: weight, 2: 100 - weight})
        except BaseException as exc:  # collected: a thread's exception would otherwise vanish
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(replicas[i % 2], 10 * i)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    route = replicas[0].routes()["style_transform"]
    assert route.revision == 6 * 20
    assert sum(route.split.values()) == 100 and route.previous is not None
    for store in replicas:
        store.close()
