"""Per-version truth: each version's export record (trained, weights, an operator checkpoint's sha256) is read
per VERSION, published once to the model store and the shared database, and labels the responses of that
version; the admin API works on every replica and routes to a version only once all have it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from fittingroom.common.embedded import EmbeddedClient
from fittingroom.common.errors import BackendUnavailable, Conflict
from fittingroom.common.inference import ModelMetadata, Replica, Tensors
from fittingroom.common.repository import ModelRepository, VersionPolicy, render_config
from fittingroom.common.versions import RECORD_FILE, VersionRecord, WeightsOrigin
from fittingroom.export.model_recipes import BUILDERS
from fittingroom.gateway.admin import ModelAdmin
from fittingroom.gateway.metrics import GatewayMetrics
from fittingroom.gateway.publish import PublishError, main, publish_files
from fittingroom.gateway.routing import TrafficRouter
from fittingroom.gateway.store import Store, VersionConflict

MODEL = "style_transform"
PACKAGE = {"model": MODEL, "version": 1, "trained": True, "weights_source": "Magenta", "weights_license": "MIT"}
OPERATOR = {**PACKAGE, "checkpoint": {"file": "gen.pth", "sha256": "ab" * 32}, "weights_source": "ours: gen.pth"}
SEEDED = {**PACKAGE, "trained": False, "checkpoint": None, "seed": 7, "weights_license": "none (untrained)"}


def test_the_record_says_where_the_weights_come_from() -> None:
    package, operator, seeded = (VersionRecord.from_export(r) for r in (PACKAGE, OPERATOR, SEEDED))
    assert (package.origin, package.trained, package.checkpoint_sha256) == (WeightsOrigin.PACKAGE, True, None)
    assert operator.origin is WeightsOrigin.OPERATOR_CHECKPOINT
    assert (operator.checkpoint_file, operator.checkpoint_sha256) == ("gen.pth", "ab" * 32)
    assert (seeded.origin, seeded.trained) == (WeightsOrigin.SEEDED, False)
    for record in (package, operator, seeded):
        assert VersionRecord.from_json(json.loads(json.dumps(record.to_json()))) == record


def _version(root: Path, version: int, record: dict[str, object] | None, *, content: bytes = b"onnx") -> Path:
    folder = root / MODEL / str(version)
    folder.mkdir(parents=True)
    (folder / "model.onnx").write_bytes(content)
    if record is not None:
        (folder / RECORD_FILE).write_text(json.dumps(record))
    config = render_config(BUILDERS[MODEL].spec, version_policy=VersionPolicy("specific", specific=(1,)))
    (root / MODEL / "config.pbtxt").write_text(config)
    return folder


def test_a_repository_reads_each_versions_own_record(tmp_path: Path) -> None:
    _version(tmp_path, 1, SEEDED)
    _version(tmp_path, 2, PACKAGE)
    _version(tmp_path, 3, None)  # exported before records: no record, not invented
    records = ModelRepository(tmp_path).version_records()[MODEL]
    assert sorted(records) == [1, 2]
    assert (records[1].trained, records[2].trained) == (False, True)
    assert records[1].version == 1 and records[2].version == 2  # the folder names the version


def test_the_database_keeps_one_record_per_published_version(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'db'}")
    record = VersionRecord.from_export(PACKAGE)
    store.record_version(record)
    store.record_version(record)  # publishing the same version again is a no-op
    with pytest.raises(VersionConflict, match="already published"):
        store.record_version(VersionRecord.from_export(OPERATOR))
    assert store.version_records() == {MODEL: {1: record}}
    store.close()


def test_publishing_writes_a_version_once_and_never_changes_it(tmp_path: Path) -> None:
    source = _version(tmp_path / "export", 1, PACKAGE)
    store = tmp_path / "store"
    record = publish_files(store, MODEL, 4, source)
    assert record.version == 4 and (store / MODEL / "4" / "model.onnx").read_bytes() == b"onnx"
    assert (store / MODEL / "config.pbtxt").is_file()
    assert publish_files(store, MODEL, 4, source) == record  # once: the same files again change nothing
    (source / "model.onnx").write_bytes(b"other weights")
    with pytest.raises(PublishError, match="already in the store with other files"):
        publish_files(store, MODEL, 4, source)
    unlabelled = _version(tmp_path / "old", 1, None)
    with pytest.raises(PublishError, match="nothing unlabelled is published"):
        publish_files(store, MODEL, 5, unlabelled)
    assert sorted(p.name for p in (store / MODEL).iterdir()) == ["4", "config.pbtxt"]  # no half version left


def test_the_publish_command_says_one_line_on_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TRYON_DATABASE_URL", f"sqlite:///{tmp_path / 'db'}")
    source = _version(tmp_path / "export", 1, None)
    assert main([MODEL, "1", "--from", str(source), "--store", str(tmp_path / "store")]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    (source / RECORD_FILE).write_text(json.dumps(SEEDED))
    assert main([MODEL, "1", "--from", str(source), "--store", str(tmp_path / "store")]) == 0
    assert "UNTRAINED" in capsys.readouterr().out
    assert Store(f"sqlite:///{tmp_path / 'db'}").version_records()[MODEL][1].origin is WeightsOrigin.SEEDED
    (source / RECORD_FILE).write_text(json.dumps({**OPERATOR, "version": 2}))
    assert main([MODEL, "2", "--from", str(source)]) == 0  # record only: the files reach the store another way
    assert "(record only)" in capsys.readouterr().out
    record = Store(f"sqlite:///{tmp_path / 'db'}").version_records()[MODEL][2]
    assert (record.origin, record.checkpoint_sha256) == (WeightsOrigin.OPERATOR_CHECKPOINT, "ab" * 32)
    assert not (tmp_path / "store" / MODEL / "2").exists()


class Catalog:
    def __init__(self, *records: dict[str, object]) -> None:
        self.records = [VersionRecord.from_export(r) for r in records]

    def version_records(self) -> dict[str, dict[int, VersionRecord]]:
        found: dict[str, dict[int, VersionRecord]] = {}
        for record in self.records:
            found.setdefault(record.model, {})[record.version] = record
        return found


def _two_versions(root: Path, source: Path) -> Path:
    """MODEL with version 1 served and a version 2 on disk (the same file)."""
    for version in (1, 2):
        (root / MODEL / str(version)).mkdir(parents=True)
        (root / MODEL / str(version) / "model.onnx").symlink_to(source / MODEL / "1" / "model.onnx")
    config = render_config(BUILDERS[MODEL].spec, version_policy=VersionPolicy("specific", specific=(1,)))
    (root / MODEL / "config.pbtxt").write_text(config)
    return root


async def test_a_canary_labels_each_response_by_its_own_versions_record(repository: Path, tmp_path: Path) -> None:
    client = EmbeddedClient(_two_versions(tmp_path / "repo", repository), intra_op_threads=1)
    await client.load_model(MODEL, [1, 2])
    store = Store(f"sqlite:///{tmp_path / 'db'}")
    store.set_split(MODEL, {1: 50, 2: 50})
    router = TrafficRouter(client, store, refresh_s=60, catalog=Catalog(SEEDED, {**PACKAGE, "version": 2}))
    labels = {(use.version, use.trained) for use in [await router.choose(MODEL) for _ in range(40)]}
    assert labels == {(1, False), (2, True)}  # the model's one config says trained for both: not used
    assert await router.trained_versions(MODEL) == {1: False, 2: True}
    assert not await router.trained(MODEL)  # not every version taking traffic is trained
    assert (await router.choose(MODEL, pinned=2)).trained
    store.set_split(MODEL, {2: 100})
    router.invalidate()
    assert await router.trained(MODEL)
    store.close()
    await client.close()


class Group:
    """Two replicas (embedded backends over their own repositories) behind one client, as Triton's are."""

    def __init__(self, first: EmbeddedClient, second: EmbeddedClient) -> None:
        self.members = {"10.0.0.1:8001": first, "10.0.0.2:8001": second}
        self.first = first

    async def replicas(self, model: str) -> dict[str, Replica]:
        return dict(self.members)

    async def infer(self, model: str, inputs: Tensors, version: int | None = None,
                    *, timeout_s: float | None = None) -> Tensors:
        return await self.first.infer(model, inputs, version, timeout_s=timeout_s)

    async def model_metadata(self, model: str, version: int | None = None) -> ModelMetadata:
        return await self.first.model_metadata(model, version)

    async def is_server_ready(self) -> bool:
        return True

    async def is_model_ready(self, model: str, version: int | None = None) -> bool:
        return await self.first.is_model_ready(model, version)

    async def close(self) -> None:
        for member in self.members.values():
            await member.close()


@pytest.fixture
async def group_admin(repository: Path, tmp_path: Path) -> AsyncIterator[tuple[ModelAdmin, Path]]:
    """An admin over two replicas; the second's store lacks version 2 until the test publishes it there."""
    first = _two_versions(tmp_path / "a", repository)
    second = tmp_path / "b"
    (second / MODEL / "1").mkdir(parents=True)
    (second / MODEL / "1" / "model.onnx").symlink_to(repository / MODEL / "1" / "model.onnx")
    (second / MODEL / "config.pbtxt").write_text((first / MODEL / "config.pbtxt").read_text())
    group = Group(EmbeddedClient(first, intra_op_threads=1), EmbeddedClient(second, intra_op_threads=1))
    store = Store(f"sqlite:///{tmp_path / 'db'}")
    yield (ModelAdmin(group, TrafficRouter(group, store, refresh_s=60), store, Catalog(PACKAGE), GatewayMetrics(),
                      drain_timeout_s=1), second)
    store.close()
    await group.close()


async def test_a_version_takes_traffic_only_once_every_replica_has_it(group_admin: tuple[ModelAdmin, Path],
                                                                      repository: Path) -> None:
    admin, second = group_admin
    with pytest.raises(BackendUnavailable, match=r"did not load on 1 of 2 replicas \(10\.0\.0\.2:8001: "):
        await admin.load(MODEL, 2)
    with pytest.raises(Conflict, match="not loaded on every replica"):
        await admin.split(MODEL, {1: 90, 2: 10})
    (second / MODEL / "2").mkdir()
    (second / MODEL / "2" / "model.onnx").symlink_to(repository / MODEL / "1" / "model.onnx")
    loaded = await admin.load(MODEL, 2)
    assert {name: r.versions_loaded for name, r in loaded.replicas.items()} == {
        "10.0.0.1:8001": [1, 2], "10.0.0.2:8001": [1, 2]}
    assert loaded.split == {1: 100}
    assert (await admin.split(MODEL, {1: 90, 2: 10})).split == {1: 90, 2: 10}
    await admin.promote(MODEL, 2)
    replicas = await admin.unload(MODEL, 1)
    assert all(r.versions_loaded == [2] for r in replicas.values())
    view = {m.name: m for m in await admin.models()}[MODEL]
    assert view.versions_loaded == [2] and view.versions_published == [1]
    assert view.versions[1].recorded and view.versions[1].weights_origin == "package"
    assert not view.versions[2].recorded  # no record published for it: its label comes from the config
