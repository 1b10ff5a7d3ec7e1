"""The house in three floors: the gateway needs no torch, common imports no stage, stages not each other."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STAGES = {"pose": "pose", "segment": "segment", "stylize": "stylize", "warp_gen": "warp-gen"}


def _imports(folder: Path) -> set[str]:
    names: set[str] = set()
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
    return names


def test_gateway_app_imports_without_torch() -> None:
    code = "import sys, fittingroom.gateway.app, fittingroom.gateway.cli; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_common_imports_no_stage_and_no_program() -> None:
    imported = _imports(ROOT / "services" / "common")
    upper = ("fittingroom.gateway", "fittingroom.export", *(f"fittingroom.{s}" for s in STAGES))
    assert not any(name.startswith(upper) for name in imported), sorted(imported)


def test_stages_do_not_import_each_other_or_the_gateway() -> None:
    for package, folder in STAGES.items():
        others = [f"fittingroom.{s}" for s in STAGES if s != package] + ["fittingroom.gateway", "fittingroom.export"]
        imported = _imports(ROOT / "services" / folder)
        assert not any(name.startswith(tuple(others)) for name in imported), (package, imported)
