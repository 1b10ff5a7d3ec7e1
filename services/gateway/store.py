"""Durable state shared by gateway replicas: the garment catalog and the model routing table.

SQLite by default (a file path), PostgreSQL by URL. SQLAlchemy Core keeps one schema for both; every
change is one transaction, so a crash leaves either the old or the new record, never half of one.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from fittingroom.common.versions import VersionRecord

metadata = MetaData()

garments = Table(
    "garments", metadata,
    Column("id", String(32), primary_key=True),
    Column("tenant", String(64), nullable=False, index=True),
    Column("sku", String(128), nullable=True),
    Column("category", String(16), nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("image_key", String(256), nullable=False),
    Column("mask_key", String(256), nullable=False),
    Column("landmarks", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("tenant", "sku", name="uq_garments_tenant_sku"),
)

routes = Table(
    "model_routes", metadata,
    Column("model", String(128), primary_key=True),
    Column("split", JSON, nullable=False),  # {"1": 90, "2": 10}
    Column("previous", JSON, nullable=True),  # the split before the last change, for rollback
    Column("revision", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


# One row per version published to the model store: what export recorded about its weights (versions.py).
model_versions = Table(
    "model_versions", metadata,
    Column("model", String(128), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("record", JSON, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
)

# The versions of each model that every replica must have loaded: what the admin API loaded (and has not
# unloaded), so that a restarted or added Triton replica is brought to the same set (reconcile.py). A row with
# `draining_since` is being unloaded: no gateway starts a request on it any more (routing.py).
model_loads = Table(
    "model_loads", metadata,
    Column("model", String(128), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("draining_since", DateTime(timezone=True), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

api_keys = Table(
    "api_keys", metadata,
    Column("digest", String(64), primary_key=True),  # hex SHA-256 of the key: the key itself is never stored
    Column("tenant", String(64), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class ApiKeyRecord:
    key_id: str  # the digest's first 12 hex digits: enough to name a key, useless to forge one
    tenant: str
    created_at: datetime


@dataclass(frozen=True)
class GarmentRecord:
    id: str
    tenant: str
    sku: str | None
    category: str
    width: int
    height: int
    image_key: str
    mask_key: str
    landmarks: dict[str, object]
    created_at: datetime


@dataclass(frozen=True)
class Route:
    model: str
    split: dict[int, int]
    previous: dict[int, int] | None
    revision: int


@dataclass(frozen=True)
class VersionLoad:
    """A version every replica must serve; `draining_since` set while an unload waits for its requests."""

    version: int
    draining_since: datetime | None = None


class DuplicateSku(Exception):
    pass


class VersionConflict(Exception):
    pass


def _split_from_json(raw: object) -> dict[int, int] | None:
    if raw is None:
        return None
    data: dict[str, int] = json.loads(raw) if isinstance(raw, str) else raw  # type: ignore[assignment]
    return {int(k): int(v) for k, v in data.items()}


def _split_to_json(split: dict[int, int] | None) -> dict[str, int] | None:
    return None if split is None else {str(k): v for k, v in sorted(split.items())}


# Execution option of a transaction that reads and then writes what it read (SQLite: BEGIN IMMEDIATE).
WRITE = "fittingroom_read_modify_write"


def make_engine(url: str) -> Engine:
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        if engine.url.database and engine.url.database != ":memory:":
            Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection: Any, _record: Any) -> None:
            # pysqlite would run a SELECT outside any transaction and BEGIN only before the first write, so a
            # read-modify-write (set_split) could lose an update; SQLAlchemy's BEGIN (below) is used instead.
            connection.isolation_level = None
            # WAL lets readers proceed while a writer commits; full sync makes commits durable.
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # IMMEDIATE takes the write lock at BEGIN, so two read-modify-write transactions queue up (for
            # busy_timeout) instead of both reading revision N and writing N+1 (SQLite has no FOR UPDATE).
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")
    return engine


class Store:
    """Synchronous by design (short transactions); the app calls it through `asyncio.to_thread`."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # -- catalog ------------------------------------------------------------------------------

    @staticmethod
    def new_garment_id() -> str:
        return uuid.uuid4().hex

    def add_garment(self, record: GarmentRecord) -> None:
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(garments).values(**record.__dict__))
        except IntegrityError as exc:
            raise DuplicateSku(f"SKU {record.sku!r} is already registered") from exc

    def get_garment(self, garment_id: str, tenant: str) -> GarmentRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(garments).where(garments.c.id == garment_id,
                                                      garments.c.tenant == tenant)).mappings().first()
        return GarmentRecord(**row) if row else None

    def list_garments(self, tenant: str, *, limit: int, offset: int) -> tuple[list[GarmentRecord], int]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(garments).where(garments.c.tenant == tenant)
                .order_by(garments.c.created_at, garments.c.id).limit(limit).offset(offset)).mappings().all()
            total = conn.execute(select(func.count()).select_from(garments)
                                 .where(garments.c.tenant == tenant)).scalar_one()
        return [GarmentRecord(**r) for r in rows], int(total)

    def referenced_blob_keys(self) -> set[str]:
        """The blob keys of every garment of every tenant."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(garments.c.image_key, garments.c.mask_key)).all()
        return {key for row in rows for key in row}

    def delete_garment(self, garment_id: str, tenant: str) -> GarmentRecord | None:
        with self.engine.begin() as conn:
            row = conn.execute(select(garments).where(garments.c.id == garment_id,
                                                      garments.c.tenant == tenant)).mappings().first()
            if row is None:
                return None
            conn.execute(delete(garments).where(garments.c.id == garment_id))
        return GarmentRecord(**row)

    # -- API keys -----------------------------------------------------------------------------

    def add_api_key(self, digest_hex: str, tenant: str) -> ApiKeyRecord:
        record = ApiKeyRecord(digest_hex[:12], tenant, datetime.now(UTC))
        with self.engine.begin() as conn:
            conn.execute(insert(api_keys).values(digest=digest_hex, tenant=tenant, created_at=record.created_at))
        return record

    def tenant_of_key(self, digest_hex: str) -> str | None:
        with self.engine.connect() as conn:
            tenant = conn.execute(select(api_keys.c.tenant).where(api_keys.c.digest == digest_hex)).scalar()
        return str(tenant) if tenant is not None else None

    def list_api_keys(self) -> list[ApiKeyRecord]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(api_keys).order_by(api_keys.c.created_at)).mappings().all()
        return [ApiKeyRecord(r["digest"][:12], r["tenant"], r["created_at"]) for r in rows]

    def delete_api_key(self, key_id: str) -> bool:
        with self.engine.begin() as conn:
            deleted = conn.execute(delete(api_keys).where(api_keys.c.digest.startswith(key_id, autoescape=True)))
        return bool(deleted.rowcount)

    # -- published model versions (VersionCatalog) ----------------------------------------------

    def record_version(self, record: VersionRecord) -> None:
        """Record a version published to the model store; a version is immutable, so publishing the same one
        again with another record is refused."""
        row = {"model": record.model, "version": record.version, "record": record.to_json()}
        with self.engine.execution_options(**{WRITE: True}).begin() as conn:
            existing = conn.execute(select(model_versions.c.record).where(
                model_versions.c.model == record.model, model_versions.c.version == record.version)).first()
            if existing is None:
                conn.execute(insert(model_versions).values(**row, published_at=datetime.now(UTC)))
            elif VersionRecord.from_json(existing[0]) != record:
                raise VersionConflict(f"version {record.version} of model '{record.model}' is already published "
                                      "with other weights; publish a new version number")

    def version_records(self) -> dict[str, dict[int, VersionRecord]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(model_versions.c.record)).all()
        found: dict[str, dict[int, VersionRecord]] = {}
        for (raw,) in rows:
            record = VersionRecord.from_json(raw)
            found.setdefault(record.model, {})[record.version] = record
        return found

    # -- routing ------------------------------------------------------------------------------

    def routes(self) -> dict[str, Route]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(routes)).mappings().all()
        return {r["model"]: Route(r["model"], _split_from_json(r["split"]) or {},
                                  _split_from_json(r["previous"]), r["revision"]) for r in rows}

    def set_split(self, model: str, split: dict[int, int]) -> Route:
        """Replace a model's split atomically, keeping the old one for rollback."""
        try:
            return self._set_split(model, split)
        except IntegrityError:
            # Two replicas created the model's first route at once (FOR UPDATE locks no row that does not
            # exist yet): the other insert won, so this one is now an update of that row.
            return self._set_split(model, split)

    def _set_split(self, model: str, split: dict[int, int]) -> Route:
        now = datetime.now(UTC)
        with self.engine.execution_options(**{WRITE: True}).begin() as conn:
            row = conn.execute(select(routes).where(routes.c.model == model).with_for_update()).mappings().first()
            if row is None:
                conn.execute(insert(routes).values(model=model, split=_split_to_json(split), previous=None,
                                                   revision=1, updated_at=now))
                return Route(model, split, None, 1)
            previous = _split_from_json(row["split"])
            revision = row["revision"] + 1
            conn.execute(update(routes).where(routes.c.model == model).values(
                split=_split_to_json(split), previous=_split_to_json(previous), revision=revision, updated_at=now))
        return Route(model, split, previous, revision)

    # -- the versions every replica must serve (reconcile.py, admin.py) --------------------------------

    def version_loads(self) -> dict[str, dict[int, VersionLoad]]:
        """Every model the admin API loaded versions of, with those versions (draining ones included)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(model_loads)).mappings().all()
        found: dict[str, dict[int, VersionLoad]] = {}
        for r in rows:
            found.setdefault(r["model"], {})[r["version"]] = VersionLoad(r["version"], _aware(r["draining_since"]))
        return found

    def want_loaded(self, model: str, versions: set[int]) -> None:
        """Every replica must serve `versions` of `model` (besides those already wanted); a draining one among
        them is wanted again, which cancels its unload."""
        try:
            self._want_loaded(model, versions)
        except IntegrityError:  # another replica inserted the same row at once: now it is an update
            self._want_loaded(model, versions)

    def _want_loaded(self, model: str, versions: set[int]) -> None:
        now = datetime.now(UTC)
        with self.engine.execution_options(**{WRITE: True}).begin() as conn:
            known = set(conn.execute(select(model_loads.c.version).where(model_loads.c.model == model)
                                     .with_for_update()).scalars())
            for version in sorted(versions):
                if version in known:
                    conn.execute(update(model_loads).where(model_loads.c.model == model,
                                                           model_loads.c.version == version)
                                 .values(draining_since=None, updated_at=now))
                else:
                    conn.execute(insert(model_loads).values(model=model, version=version, draining_since=None,
                                                            updated_at=now))

    def unwant(self, model: str, version: int) -> None:
        """`version` of `model` need not be served (it failed to load everywhere)."""
        with self.engine.begin() as conn:
            conn.execute(delete(model_loads).where(model_loads.c.model == model, model_loads.c.version == version))

    def start_draining(self, model: str, version: int) -> datetime:
        """Mark `version` as being unloaded (inserted if it was never wanted: Triton loaded it at start);
        returns the mark, which `finish_unload` checks is still the same."""
        try:
            return self._start_draining(model, version)
        except IntegrityError:  # another replica inserted the row at once: now it is an update
            return self._start_draining(model, version)

    def _start_draining(self, model: str, version: int) -> datetime:
        now = datetime.now(UTC)
        with self.engine.execution_options(**{WRITE: True}).begin() as conn:
            row = conn.execute(select(model_loads.c.draining_since).where(
                model_loads.c.model == model, model_loads.c.version == version).with_for_update()).first()
            if row is None:
                conn.execute(insert(model_loads).values(model=model, version=version, draining_since=now,
                                                        updated_at=now))
            elif row[0] is not None:
                return _aware(row[0]) or now  # an unload already under way: its mark stands
            else:
                conn.execute(update(model_loads).where(model_loads.c.model == model, model_loads.c.version == version)
                             .values(draining_since=now, updated_at=now))
        return now

    def finish_unload(self, model: str, version: int, draining_since: datetime) -> bool:
        """Forget `version` before it is unloaded from the replicas; False (nothing changed) when it was loaded
        again since the mark."""
        with self.engine.execution_options(**{WRITE: True}).begin() as conn:
            row = conn.execute(select(model_loads.c.draining_since).where(
                model_loads.c.model == model, model_loads.c.version == version).with_for_update()).first()
            if row is None or _aware(row[0]) != draining_since:
                return False
            conn.execute(delete(model_loads).where(model_loads.c.model == model, model_loads.c.version == version))
        return True


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes for what was stored in UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment
