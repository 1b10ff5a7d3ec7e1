"""The orphan blob sweep: blobs of a registration killed before its row commit are deleted once old enough;
referenced blobs, fresh ones (a registration may still be in flight) and blobs outside the catalog stay."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient

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


class FakeS3:
    """list_objects_v2 through a paginator, two keys a page as S3 does with 1000, and delete_object."""

    def __init__(self, objects: dict[str, datetime]) -> None:
        self.objects = objects

    def get_paginator(self, operation: str) -> FakeS3:
        assert operation == "list_objects_v2"
        return self

    def paginate(self, Bucket: str, Prefix: str) -> Iterator[dict[str, Any]]:
        keys = sorted(k for k in self.objects if k.startswith(Prefix))
        if not keys:
            yield {"KeyCount": 0}  # an empty listing has no Contents at all
        for start in range(0, len(keys), 2):
            yield {"Contents": [{"Key": k, "LastModified": self.objects[k]} for k in keys[start:start + 2]]}

    def delete_object(self, Bucket: str, Key: str) -> None:
        del self.objects[Key]


def test_s3_sweep_pages_through_the_prefix(monkeypatch: pytest.MonkeyPatch, store: Store) -> None:
    old, now = datetime.now(UTC) - 2 * GRACE, datetime.now(UTC)
    objects = {f"shop/{k}": old for k in (*REFERENCED, *OLD_ORPHANS, OUTSIDE)}
    objects |= {f"shop/{FRESH_ORPHAN}": now, f"other-shop/{OLD_ORPHANS[0]}": old, "shop/garments-old/x.png": old}
    fake = FakeS3(dict(objects))
    monkeypatch.setitem(sys.modules, "boto3", SimpleNamespace(client=lambda *args, **kwargs: fake))
    blobs = S3BlobStore("bucket", prefix="/shop/")
    assert {b.key for b in blobs.list_blobs("garments")} == {*REFERENCED, *OLD_ORPHANS, FRESH_ORPHAN}
    assert sweep_orphans(blobs, store, GRACE, MAX_ORPHANS) == len(OLD_ORPHANS)
    assert set(fake.objects) == set(objects) - {f"shop/{k}" for k in OLD_ORPHANS}
    assert list(S3BlobStore("bucket", prefix="empty").list_blobs("garments")) == []


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
