"""Lay out links shaped like the installed `fittingroom` package, for mypy and import-linter (see the Makefile)."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(target: str) -> None:
    mapping = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    base = ROOT / target
    for package, folder in mapping.items():
        link = base.joinpath(*package.split("."))
        if package == "fittingroom":
            link.mkdir(parents=True, exist_ok=True)
            (link / "__init__.py").unlink(missing_ok=True)
            (link / "__init__.py").symlink_to(ROOT / folder / "__init__.py")
            continue
        link.unlink(missing_ok=True)
        link.symlink_to(ROOT / folder, target_is_directory=True)


if __name__ == "__main__":
    main(sys.argv[1])
