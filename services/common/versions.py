"""What each model VERSION was built from: trained or not, weights source and licence, checkpoint.

The export writes a record (`export.json`) beside every version's `model.onnx`. That record, not the
model's one `config.pbtxt`, says what a version is: a canary may serve an untrained v1 beside a trained
v2, and each response must be labelled by the version that made it. Records reach the gateway from a
`VersionCatalog`: the local repository's files (embedded backend) or the shared database, where
publishing a version to the model store records it (Triton replicas; the gateway has no repository).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

RECORD_FILE = "export.json"  # beside each version's model file: written by export, read when serving


class WeightsOrigin(StrEnum):
    PACKAGE = "package"  # official weights pinned by sha256 from a package registry
    OPERATOR_CHECKPOINT = "operator_checkpoint"  # a checkpoint file the operator supplied (TRYON_WEIGHTS_DIR)
    SEEDED = "seeded"  # random weights from a fixed seed: a placeholder, untrained


@dataclass(frozen=True)
class VersionRecord:
    model: str
    version: int
    trained: bool
    weights_source: str
    weights_license: str
    origin: WeightsOrigin
    # The weights file and its sha256: an operator's checkpoint, or the file pinned in a package (several: joined
    # by ", "); None for seeded weights, and for versions exported before records named package files.
    checkpoint_file: str | None = None
    checkpoint_sha256: str | None = None

    @classmethod
    def from_export(cls, raw: Mapping[str, object]) -> VersionRecord:
        """The record as export wrote it: `checkpoint` is {file, sha256} for an operator's file, null with
        a `seed` for placeholder weights, and absent for weights pinned from a package, whose files are then
        in `package_weights` ([{package, file, sha256}])."""
        checkpoint = raw.get("checkpoint")
        pinned = raw.get("package_weights")
        if isinstance(checkpoint, Mapping):
            origin, file, digest = WeightsOrigin.OPERATOR_CHECKPOINT, checkpoint.get("file"), checkpoint.get("sha256")
        elif "checkpoint" in raw:
            origin, file, digest = WeightsOrigin.SEEDED, None, None
        elif isinstance(pinned, list) and pinned:
            origin = WeightsOrigin.PACKAGE
            file, digest = (", ".join(str(p[key]) for p in pinned) for key in ("file", "sha256"))
        else:
            origin, file, digest = WeightsOrigin.PACKAGE, None, None
        return cls(model=str(raw["model"]), version=int(str(raw["version"])), trained=raw.get("trained") is True,
                   weights_source=str(raw.get("weights_source", "")),
                   weights_license=str(raw.get("weights_license", "")), origin=origin,
                   checkpoint_file=None if file is None else str(file),
                   checkpoint_sha256=None if digest is None else str(digest))

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: Mapping[str, object]) -> VersionRecord:
        fields = dict(raw)
        fields["origin"] = WeightsOrigin(str(fields["origin"]))
        return cls(**fields)  # type: ignore[arg-type]


def read_record(version_dir: Path, model: str, version: int) -> VersionRecord | None:
    """The version's export record, None when the version has none (built before records existed)."""
    path = version_dir / RECORD_FILE
    if not path.is_file():
        return None
    raw = json.loads(path.read_text())
    return VersionRecord.from_export({**raw, "model": model, "version": version})


class VersionCatalog(Protocol):
    """Where the record of every published version is kept."""

    def version_records(self) -> dict[str, dict[int, VersionRecord]]:
        """Every model's records, by version."""
        ...
