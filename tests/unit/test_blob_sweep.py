"""The orphan blob sweep: blobs of a registration killed before its row commit are deleted once old enough;
referenced blobs, fresh ones (a registration may still be in flight) and blobs outside the catalog stay."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers import s3_server

from fittingroom.gateway.app import create_app
from fittingroom.gateway.blob_sweep import TooManyOrphans, sweep_orphans
from fittingroom.gateway.blobs import DirectoryBlobStore, S3BlobStore
from fittingroom.gateway.settings import Settings
from fittingroom.gateway.store import GarmentRecord, Store

GRACE = timedelta(hours=1)
MAX_ORPHANS = 100
REFERENCED = ("garments/kept/image.png", "garments/kept/mask.png")
OLD_ORPHANS = ("garments/killed/image.png", "garments/killed/mask.png", "garments/torn/.part-x1y2")
FRESH_ORPHAN = "garments/in-flight/image.png"
OUTSIDE = "exports/report.png"  # not the catalog's: never the sweep's to delete, however old


def _garment(store: Store) -> None:
    store.add_garment(GarmentRecord(id="kept", tenant="shop", sku=None, category="upper", width=1, height=1,
                                    image_key=REFERENCED[0], mask_key=REFERENCED[1], landmarks={},
                                    created_at=datetime.now(UTC)))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(f"sqlite:///{tmp_path / 'tryon.db'}")
    _garment(store)
    yield store
    store.close()


def _directory_with_blobs(root: Path) -> DirectoryBlobStore:
    blobs = DirectoryBlobStore(root)
    old = time.time() - 2 * GRACE.total_seconds()
    for key in (*REFERENCED, *OLD_ORPHANS, FRESH_ORPHAN, OUTSIDE):
        blobs.put(key, b"png")
        if key != FRESH_ORPHAN:
            os.utime(root / key, (old, old))
    return blobs


def _keys(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_directory_sweep_deletes_only_old_unreferenced_catalog_blobs(tmp_path: Path, store: Store) -> None:
    blobs = _directory_with_blobs(tmp_path / "blobs")
    assert sweep_orphans(blobs, store, GRACE, MAX_ORPHANS) == len(OLD_ORPHANS)
    assert _keys(tmp_path / "blobs") == {*REFERENCED, FRESH_ORPHAN, OUTSIDE}
    assert sweep_orphans(blobs, store, GRACE, MAX_ORPHANS) == 0  # nothing left to sweep
    # The swept garments' folders went with their last blob; the others stay.
    assert {p.name for p in (tmp_path / "blobs" / "garments").iterdir()} == {"kept", "in-flight"}


def test_a_put_into_a_folder_a_delete_just_removed_succeeds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blobs = DirectoryBlobStore(tmp_path)
    real_mkstemp = tempfile.mkstemp

    def folder_removed_first(**kwargs: Any) -> tuple[int, str]:
        monkeypatch.setattr(tempfile, "mkstemp", real_mkstemp)  # once: the next attempt finds the folder again
        Path(kwargs["dir"]).rmdir()
        return real_mkstemp(**kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", folder_removed_first)
    blobs.put("garments/g1/image.png", b"png")
    assert blobs.get("garments/g1/image.png") == b"png"


def test_a_database_that_references_almost_nothing_stops_the_sweep(tmp_path: Path) -> None:
    """Pointed at an empty (or another) database, every blob looks orphaned: the sweep must delete none."""
    blobs = _directory_with_blobs(tmp_path / "blobs")
    empty = Store(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        with pytest.raises(TooManyOrphans, match="TRYON_DATABASE_URL"):
            sweep_orphans(blobs, empty, GRACE, max_orphans=len(OLD_ORPHANS))
    finally:
        empty.close()
    assert _keys(tmp_path / "blobs") == {*REFERENCED, *OLD_ORPHANS, FRESH_ORPHAN, OUTSIDE}


def test_directory_listing_of_a_missing_folder_is_empty(tmp_path: Path) -> None:
    assert list(DirectoryBlobStore(tmp_path).list_blobs("garments")) == []


BUCKET = "catalog"


@pytest.fixture
def s3_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A real S3 API (moto's server) on loopback; boto3 signs with made-up credentials, as for any endpoint."""
    for name, value in (("AWS_ACCESS_KEY_ID", "test"), ("AWS_SECRET_ACCESS_KEY", "test"),
                        ("AWS_DEFAULT_REGION", "us-east-1")):
        monkeypatch.setenv(name, value)
    with s3_server(BUCKET) as endpoint:
        yield endpoint


def test_s3_put_get_list_delete(s3_endpoint: str) -> None:
    blobs = S3BlobStore(BUCKET, prefix="/shop/", endpoint_url=s3_endpoint)
    other_tenant = S3BlobStore(BUCKET, prefix="other-shop", endpoint_url=s3_endpoint)
    blobs.put("garments/g1/image.png", b"image")
    blobs.put("garments/g1/mask.png", b"mask")
    blobs.put("garments-old/x.png", b"sibling folder")  # `garments` must not list `garments-old/`
    other_tenant.put("garments/g2/image.png", b"theirs")
    assert blobs.get("garments/g1/image.png") == b"image"
    listed = list(blobs.list_blobs("garments"))
    assert sorted(b.key for b in listed) == ["garments/g1/image.png", "garments/g1/mask.png"]
    assert all(datetime.now(UTC) - b.modified < timedelta(minutes=5) for b in listed)
    blobs.delete("garments/g1/image.png")
    assert [b.key for b in blobs.list_blobs("garments")] == ["garments/g1/mask.png"]
    assert list(blobs.list_blobs("empty")) == []
    assert other_tenant.get("garments/g2/image.png") == b"theirs"


def test_s3_sweep_deletes_only_old_unreferenced_catalog_blobs(s3_endpoint: str, store: Store) -> None:
    blobs = S3BlobStore(BUCKET, prefix="shop", endpoint_url=s3_endpoint)
    for key in (*REFERENCED, *OLD_ORPHANS, OUTSIDE):
        blobs.put(key, b"png")
    written = datetime.now(UTC)
    time.sleep(1.1)  # S3 keeps modification times; the fresh orphan must come clearly after `written`
    blobs.put(FRESH_ORPHAN, b"png")
    grace = datetime.now(UTC) - written  # the old blobs are older than this, the fresh one is not
    assert sweep_orphans(blobs, store, grace, MAX_ORPHANS) == len(OLD_ORPHANS)
    assert {b.key for b in blobs.list_blobs("garments")} == {*REFERENCED, FRESH_ORPHAN}
    assert blobs.get(OUTSIDE) == b"png"


def test_gateway_sweeps_at_startup_and_counts_it(repository: Path, tmp_path: Path, store: Store) -> None:
    _directory_with_blobs(tmp_path / "blobs")
    settings = Settings(model_repository=repository, ort_threads=1, database_url=str(store.engine.url),
                        blob_dir=tmp_path / "blobs", orphan_blob_grace_s=GRACE.total_seconds())
    with TestClient(create_app(settings)) as client:
        deadline = time.monotonic() + 10
        while f"tryon_orphan_blobs_swept_total {len(OLD_ORPHANS)}.0" not in client.get("/metrics").text:
            assert time.monotonic() < deadline, "the start-up sweep did not finish in 10 s"
            time.sleep(0.05)
    assert _keys(tmp_path / "blobs") == {*REFERENCED, FRESH_ORPHAN, OUTSIDE}
