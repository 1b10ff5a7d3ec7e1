"""The model store's configs, where the versions every replica must serve are written down for Triton itself.

Triton's explicit model control forgets a load when the server restarts: it then loads what each model's
`config.pbtxt` in the repository says (its `version_policy`; by default the latest version only). So the admin
API writes the versions it loaded into the store's config as a `specific` policy: a replica restarted or added
later (its model-sync copies the store first) loads exactly those versions before it reports ready, and takes
no request it cannot serve. Only the policy changes; the rest of the config (device profile) is export's.

The store is a directory (a shared volume, or `make cluster`'s) or an S3-compatible bucket (`s3://bucket/prefix`,
the one the Triton pods' model-sync copies from).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol

from fittingroom.common.repository import CONFIG_NAME
from fittingroom.gateway.blobs import S3BlobStore


class ModelStoreConfigs(Protocol):
    def read_config(self, model: str) -> str | None:
        """The model's config.pbtxt, None when the store has no such model."""
        ...

    def write_config(self, model: str, text: str) -> None: ...


class DirectoryModelStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def read_config(self, model: str) -> str | None:
        path = self.root / model / CONFIG_NAME
        return path.read_text() if path.is_file() else None

    def write_config(self, model: str, text: str) -> None:
        # Temp file + rename: a replica starting meanwhile reads the old config or the new one, never half.
        fd, tmp = tempfile.mkstemp(dir=self.root / model, prefix=f".{CONFIG_NAME}.")
        try:
            with os.fdopen(fd, "w") as f:
                f.write(text)
            os.replace(tmp, self.root / model / CONFIG_NAME)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


class S3ModelStore:
    """The configs as objects `<prefix>/<model>/config.pbtxt` of the bucket the Triton pods copy from."""

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None) -> None:
        self.objects = S3BlobStore(bucket, prefix, endpoint_url)

    def read_config(self, model: str) -> str | None:
        try:
            return self.objects.get(f"{model}/{CONFIG_NAME}").decode()
        except self.objects.client.exceptions.NoSuchKey:
            return None

    def write_config(self, model: str, text: str) -> None:
        self.objects.put(f"{model}/{CONFIG_NAME}", text.encode())


def open_model_store(location: str, endpoint_url: str | None = None) -> ModelStoreConfigs:
    """`s3://bucket/prefix` or a directory."""
    if location.startswith("s3://"):
        bucket, _, prefix = location.removeprefix("s3://").partition("/")
        return S3ModelStore(bucket, prefix, endpoint_url)
    return DirectoryModelStore(Path(location))
