"""Storage under crashes: garment registration never leaves a half-written record, and a routing change is
atomic, whether the process raises or is killed (SIGKILL) between the blob writes and the database commit.
Each test runs on SQLite and on PostgreSQL (the multi-replica store), a fresh database each time."""

from __future__ import annotations

import itertools
import logging
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from helpers import live_gateway, tshirt_png
from reliability_support import ROOT, gateway_settings

from fittingroom.gateway.store import Store

log = logging.getLogger(__name__)


def _files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _register(http: httpx.Client) -> httpx.Response:
    return http.post("/v1/garments", files={"image": ("shirt.png", tshirt_png(), "image/png")},
                     data={"category": "upper", "sku": "SHIRT-1"})


def test_failed_insert_leaves_no_row_and_no_blobs(repository: Path, tmp_path: Path, database_url: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The database insert fails after both blobs were written: the client gets a JSON 500, the row does not
    exist, the blobs are removed, and a retry with the same SKU succeeds (no half record holds the SKU)."""
    settings = gateway_settings(repository, tmp_path, database_url=database_url)
    with live_gateway(settings) as url, httpx.Client(base_url=url, timeout=60) as http:
        with monkeypatch.context() as patch:
            def crash(self: Store, record: object) -> None:
                assert len(_files_under(tmp_path / "blobs")) == 2  # both blobs are on disk at this point
                raise OSError("simulated: disk went away between the blob writes and the insert")

            patch.setattr(Store, "add_garment", crash)
            failed = _register(http)
        assert failed.status_code == 500 and failed.json()["error"]["code"] == "internal_error"
        assert "disk went away" not in failed.text  # the cause goes to the log, not to the client
        assert http.get("/v1/garments").json()["total"] == 0
        assert _files_under(tmp_path / "blobs") == []

        retried = _register(http)
        assert retried.status_code == 201, retried.text
        assert http.get("/v1/garments").json()["total"] == 1
        assert len(_files_under(tmp_path / "blobs" / "garments")) == 2


# A child process that registers one garment and is SIGKILLed at a chosen point: `after_blobs` (both images
# written, no insert yet) or `in_commit` (the INSERT executed, COMMIT not yet sent).
KILLED_REGISTRATION = textwrap.dedent("""
    import asyncio, os, signal, sys
    from pathlib import Path
    from sqlalchemy import event
    from fittingroom.common.embedded import EmbeddedClient
    from fittingroom.common.imagecodec import decode_image
    from fittingroom.gateway.blobs import DirectoryBlobStore
    from fittingroom.common.garment import Category
    from fittingroom.gateway.catalog import Catalog
    from fittingroom.gateway.routing import TrafficRouter
    from fittingroom.gateway.store import Store
    from fittingroom.tryon.service import TryOnService

    repository, state, point, image_path, database_url = sys.argv[1:6]
    store = Store(database_url)
    blobs = DirectoryBlobStore(Path(state) / "blobs")
    die = lambda *_: os.kill(os.getpid(), signal.SIGKILL)
    if point == "after_blobs":
        put = blobs.put
        def put_then_die(key, data):
            put(key, data)
            if key.endswith("mask.png"):
                die()
        blobs.put = put_then_die
    else:
        event.listen(store.engine, "commit", die)
    image = decode_image(Path(image_path).read_bytes(), field="image", max_pixels=10**8)
    client = EmbeddedClient(Path(repository), intra_op_threads=1)
    catalog = Catalog(store, blobs, TryOnService(client, TrafficRouter(client)))
    asyncio.run(catalog.register("anonymous", image, Category.UPPER, "SHIRT-1"))
    sys.exit(3)  # not reached: the kill comes first
""")


@pytest.mark.integration
@pytest.mark.parametrize("point", ["after_blobs", "in_commit"])
def test_killed_registration_leaves_no_record(repository: Path, tmp_path: Path, database_url: str,
                                             point: str) -> None:
    image = tmp_path / "shirt.png"
    image.write_bytes(tshirt_png())
    child = subprocess.run([sys.executable, "-c", KILLED_REGISTRATION, str(repository), str(tmp_path), point,
                            str(image), database_url], cwd=ROOT, capture_output=True, timeout=120)
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()[-2000:]
    left_on_disk = _files_under(tmp_path / "blobs")
    log.info("killed %s: %d blob file(s) left on disk, none referenced", point, len(left_on_disk))

    settings = gateway_settings(repository, tmp_path, database_url=database_url)
    with live_gateway(settings) as url, httpx.Client(base_url=url, timeout=60) as http:
        assert http.get("/v1/garments").json() == {"items": [], "total": 0, "limit": 50, "offset": 0}
        for blob in left_on_disk:  # an orphan file is not reachable: its id has no row
            garment_id = blob.parent.name
            assert http.get(f"/v1/garments/{garment_id}").status_code == 404
            assert http.get(f"/v1/garments/{garment_id}/image").status_code == 404
        again = _register(http)  # the SKU was never taken by a half record
        assert again.status_code == 201, again.text


def test_concurrent_split_changes_are_serialised(database_url: str) -> None:
    """Two gateway replicas (two engines on one database), six writers: every change gets its own revision
    and each `previous` is exactly the split before it, so rollback always restores the real last state; the
    race to create the first route is no error."""
    replicas = [Store(database_url), Store(database_url)]
    results: list[tuple[int, dict[int, int], dict[int, int] | None]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def writer(index: int) -> None:
        for step in range(20):
            try:
                route = replicas[index % 2].set_split("u2netp", {1: 100 - step - index, 2: step + index})
            except BaseException as exc:
                errors.append(exc)
                return
            with lock:
                results.append((route.revision, route.split, route.previous))

    _at_once(writer, 6)
    assert not errors, errors
    results.sort(key=lambda r: r[0])
    assert [r[0] for r in results] == list(range(1, 121))
    for (_, split_before, _), (_, _, previous) in itertools.pairwise(results):
        assert previous == split_before
    final = replicas[0].routes()["u2netp"]
    assert (final.revision, final.split) == (results[-1][0], results[-1][1])
    for store in replicas:
        store.close()


def test_concurrent_version_loads_lose_no_version_and_one_drain_mark_stands(database_url: str) -> None:
    """Gateway replicas recording the versions every Triton replica must serve, at once: no version is lost,
    the race to create a row is no error, and two unloads of one version share one draining mark, which only
    one of them can finish."""
    replicas = [Store(database_url), Store(database_url)]
    marks = []
    errors: list[BaseException] = []

    def loader(index: int) -> None:
        try:
            for version in range(1, 11):
                replicas[index % 2].want_loaded("u2netp", {version, 100 + index})
            marks.append(replicas[index % 2].start_draining("u2netp", 1000))  # loaded at start, never by the API
        except BaseException as exc:
            errors.append(exc)

    _at_once(loader, 6)
    assert not errors, errors
    loads = replicas[0].version_loads()["u2netp"]
    assert sorted(loads) == [*range(1, 11), *range(100, 106), 1000]
    assert len(set(marks)) == 1 and loads[1000].draining_since == marks[0]
    assert all(loads[v].draining_since is None for v in range(1, 11))
    assert replicas[1].finish_unload("u2netp", 1000, marks[0])
    assert not replicas[0].finish_unload("u2netp", 1000, marks[0])  # already finished: nothing to do twice
    for store in replicas:
        store.close()


@pytest.mark.integration
def test_killed_split_change_keeps_the_old_split(database_url: str) -> None:
    url = database_url
    Store(url).set_split("u2netp", {1: 100})
    script = textwrap.dedent("""
        import os, signal, sys
        from sqlalchemy import event
        from fittingroom.gateway.store import Store
        store = Store(sys.argv[1])
        event.listen(store.engine, "commit", lambda *_: os.kill(os.getpid(), signal.SIGKILL))
        store.set_split("u2netp", {1: 10, 2: 90})
    """)
    child = subprocess.run([sys.executable, "-c", script, url], capture_output=True, timeout=60)
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()
    route = Store(url).routes()["u2netp"]
    assert (route.split, route.previous, route.revision) == ({1: 100}, None, 1)


def _at_once(target: Callable[[int], None], count: int) -> None:
    """`target(0)` ... `target(count - 1)` on as many threads started together; returns when all are done."""
    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
