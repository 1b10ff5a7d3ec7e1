"""What a newcomer meets first: `make demo` builds what design mode runs, every help shows an example, and a
path whose models are not exported says in one line what to export and why."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from fittingroom.gateway.cli import EXAMPLES, main
from fittingroom.tryon.design import DESIGN_MODELS

ROOT = Path(__file__).resolve().parents[2]


def test_make_demo_exports_exactly_the_design_models() -> None:
    makefile = (ROOT / "Makefile").read_text()
    listed = re.search(r"^DEMO_MODELS := (.+)$", makefile, re.MULTILINE)
    assert listed is not None
    assert sorted(listed[1].split()) == sorted(DESIGN_MODELS)


@pytest.mark.parametrize("command", sorted(set(EXAMPLES) - {"tryon"}))
def test_every_command_help_ends_with_an_example(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    assert "example:\n  " in capsys.readouterr().out


def test_top_help_shows_the_demo_and_the_browser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "tryon design " in out and "http://127.0.0.1:8080/" in out and "tryon doctor" in out


def test_an_unexported_model_is_one_line_saying_what_to_export_and_why(
        repository: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """As after `make demo`: the design models are exported, the garment-transfer ones only configured."""
    demo = tmp_path / "model_repository"
    for config in repository.glob("*/config.pbtxt"):
        model = config.parent.name
        (demo / model).mkdir(parents=True)
        shutil.copyfile(config, demo / model / "config.pbtxt")
        if model in DESIGN_MODELS:
            (demo / model / "1").symlink_to(repository / model / "1")
    monkeypatch.setenv("TRYON_MODEL_REPOSITORY", str(demo))
    with pytest.raises(SystemExit) as failed:
        main(["garment", "--path", "neural", "--out", str(tmp_path / "tryon.png")])
    assert failed.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert "garment_neural path: model '" in err
    assert "`python -m fittingroom.export --model " in err and "`make repository`" in err
