"""pip-audit over the project's pinned requirements (pyproject.toml: dependencies and every extra).

Clean, or each finding explained in docs/security.md (by its advisory id). pip-audit asks an advisory
service over the network; where none answers (no network, or an index that knows none of our versions),
the test is skipped with that reason, one of the two skips a full run allows (tests/helpers.py ALLOWED_SKIPS):
it never passes without having audited anything.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from helpers import allowed_skip
from reliability_support import ROOT

SECURITY_DOC = ROOT / "docs" / "security.md"


def pinned_requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    every = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values() for r in extra)]
    # An extra may pull in another of our own extras ("fittingroom[bench]"): that is no third-party package.
    requirements = [r for r in every if not r.startswith(project["name"] + "[")]
    unpinned = [r for r in requirements if "==" not in r]
    assert not unpinned, f"every requirement is pinned: {unpinned}"
    return requirements


@pytest.mark.integration
def test_pinned_requirements_have_no_unexplained_vulnerability(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("\n".join(pinned_requirements()) + "\n")
    audit = subprocess.run(
        [str(Path(sys.executable).parent / "pip-audit"), "--requirement", str(requirements), "--no-deps",
         "--disable-pip", "--format", "json", "--progress-spinner", "off"],
        capture_output=True, text=True, timeout=300)
    if audit.returncode not in (0, 1) or not audit.stdout.strip():
        allowed_skip("advisory-service-unreachable",
                     f"pip-audit could not reach an advisory service: {audit.stderr.strip()[-500:]}")
    report = json.loads(audit.stdout)
    dependencies = report["dependencies"]
    unaudited = [d["name"] for d in dependencies if "skip_reason" in d]
    if len(unaudited) == len(dependencies):
        allowed_skip("advisory-service-unreachable",
                     f"the advisory service knows none of our {len(dependencies)} pinned versions (offline or a "
                     f"mirror without advisories): nothing was audited; e.g. {dependencies[0]['skip_reason']}")
    explained = SECURITY_DOC.read_text()
    unexplained = [f"{d['name']}=={d['version']}: {v['id']}" for d in dependencies for v in d.get("vulns", [])
                   if v["id"] not in explained and not any(alias in explained for alias in v.get("aliases", []))]
    assert not unexplained, f"explain or fix in docs/security.md: {unexplained}"
    unexplained_skips = [name for name in unaudited if f"`{name}`" not in explained]
    assert not unexplained_skips, f"not audited (explain in docs/security.md or fix the pin): {unexplained_skips}"
