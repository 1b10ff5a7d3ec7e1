"""Publish a model version to the shared model store, once, and record what it is in the shared database.

    python -m fittingroom.gateway.publish MODEL VERSION --from DIR [--store DIR]
    python -m fittingroom.gateway.publish --repository DIR        # the record of every version in DIR

The store is the repository every Triton replica of the group reads (a shared volume; Triton reads it
only when told to load, so publishing changes nothing that is served). A version's files are written
under a temporary name and renamed, so a replica never sees half a version; a published version is
immutable: publishing it again is a no-op when its files are the same, and refused when they differ.
Its export record (trained, weights source and licence, an operator checkpoint's sha256) goes to the
shared database, from which every gateway labels the responses of that version; a version without a
record is refused (nothing unlabelled is served as trained).

Without `--store` only the record is written: for a store the files reach another way (the Kubernetes
export Job copies a repository to the bucket the Triton pods sync from, then records every version of it
with `--repository`, deploy/README.md).

The load, warm-up and traffic split are then the admin API's, on every replica (admin.py).
"""

from __future__ import annotations

import argparse
import filecmp
import logging
import shutil
import sys
import tempfile
from pathlib import Path

from fittingroom.common.repository import CONFIG_NAME, MODEL_FILE
from fittingroom.common.versions import RECORD_FILE, VersionRecord, read_record
from fittingroom.gateway.settings import Settings
from fittingroom.gateway.store import Store, VersionConflict

log = logging.getLogger(__name__)


class PublishError(Exception):
    """The version cannot be published as asked (one line for the operator)."""


def _same_files(a: Path, b: Path) -> bool:
    names = sorted(p.name for p in a.iterdir())
    return names == sorted(p.name for p in b.iterdir()) and all(
        filecmp.cmp(a / n, b / n, shallow=False) for n in names)


def publish_files(store: Path, model: str, version: int, source: Path) -> VersionRecord:
    """Copy the version directory `source` (symlinks followed) to `store/model/version` and, for a model new
    to the store, its config (`source/../config.pbtxt`); returns the version's record."""
    if not (source / MODEL_FILE).is_file():
        raise PublishError(f"{source} has no {MODEL_FILE}")
    record = read_record(source, model, version)
    if record is None:
        raise PublishError(f"{source} has no {RECORD_FILE}: export writes it; nothing unlabelled is published")
    model_dir = store / model
    target = model_dir / str(version)
    if target.exists():
        if not _same_files(source, target):
            raise PublishError(f"version {version} of model '{model}' is already in the store with other files; "
                               "publish a new version number")
        log.info("version %d of %s is already in the store", version, model)
        return record
    config = source.parent / CONFIG_NAME
    if not (model_dir / CONFIG_NAME).is_file():
        if not config.is_file():
            raise PublishError(f"model '{model}' is new to the store and {config} does not exist")
        model_dir.mkdir(parents=True, exist_ok=True)
        staged_config = model_dir / (CONFIG_NAME + ".part")
        shutil.copyfile(config, staged_config)
        staged_config.replace(model_dir / CONFIG_NAME)
    # Staged beside the target (same file system), then one rename: a replica never sees half a version.
    with tempfile.TemporaryDirectory(dir=model_dir, prefix=f".{version}.") as tmp:
        staged = Path(tmp) / "version"
        shutil.copytree(source, staged, symlinks=False)
        staged.rename(target)
    log.info("published version %d of %s to %s", version, model, store)
    return record


def publish(store: Path | None, model: str, version: int, source: Path, database: Store) -> VersionRecord:
    """Files first (unless another step copies them: `store` None), then the record: a recorded version is
    always in the store."""
    if store is not None:
        record = publish_files(store, model, version, source)
    else:
        found = read_record(source, model, version)
        if found is None:
            raise PublishError(f"{source} has no {RECORD_FILE}: export writes it; nothing unlabelled is published")
        record = found
    try:
        database.record_version(record)
    except VersionConflict as exc:
        raise PublishError(str(exc)) from exc
    return record


def publish_repository(repository: Path, database: Store) -> list[VersionRecord]:
    """The record of every version of every model in an exported repository (its files reach the store
    another way); stops at the first version that cannot be recorded."""
    records = []
    for model_dir in sorted(p for p in repository.iterdir() if (p / CONFIG_NAME).is_file()):
        for version_dir in sorted((p for p in model_dir.iterdir() if p.is_dir() and p.name.isdigit()),
                                  key=lambda p: int(p.name)):
            records.append(publish(None, model_dir.name, int(version_dir.name), version_dir, database))
    if not records:
        raise PublishError(f"{repository} holds no model version")
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fittingroom.gateway.publish", description=__doc__.split("\n")[0])
    parser.add_argument("model", nargs="?")
    parser.add_argument("version", type=int, nargs="?")
    parser.add_argument("--from", dest="source", type=Path,
                        help="the exported version directory (model.onnx, export.json, runtime files)")
    parser.add_argument("--store", type=Path, default=None,
                        help="the model store the Triton replicas read (without it: record only)")
    parser.add_argument("--repository", type=Path, default=None,
                        help="instead of MODEL VERSION --from: record every version of this exported repository")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    one = args.model is not None and args.version is not None and args.source is not None
    if one == (args.repository is not None) or (args.repository is not None and args.store is not None):
        print("error: give MODEL VERSION --from DIR [--store DIR], or --repository DIR alone", file=sys.stderr)
        return 2
    if one and args.version < 1:
        print("error: version must be a positive integer", file=sys.stderr)
        return 2
    database = Store(Settings().database_url)  # TRYON_DATABASE_URL: the gateways' shared database
    try:
        records = (publish_repository(args.repository, database) if args.repository is not None
                   else [publish(args.store, args.model, args.version, args.source, database)])
    except PublishError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        database.close()
    where = f"to {args.store}" if args.store else "(record only)"
    for record in records:
        print(f"published {record.model} v{record.version} ({'trained' if record.trained else 'UNTRAINED'}, "
              f"{record.origin.value}{', sha256 ' + record.checkpoint_sha256 if record.checkpoint_sha256 else ''}) "
              f"{where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
