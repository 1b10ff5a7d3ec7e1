"""`python -m bench shapes`: the drawn catalogue shapes, read back off their rendered photos (no models needed).

Each shape is one that failed on real shoppers before its fix: the product mask must find it on its backdrop
(the slit between a sleeve and the body included), and the landmarks must be where the shape was drawn."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from bench.catalogue_shapes import SHAPES, WIDTH, Shape, main, render
from fittingroom.common.garment import Category
from fittingroom.segment.garment_landmarks import garment_landmarks
from fittingroom.segment.product import product_mask
from fittingroom.warp_gen.fit import hangs_from_straps, strapless

LANDMARK_TOLERANCE = 0.05 * WIDTH  # the photo measure's target, 5 % of a shoulder width, taken of the whole frame
MASK_OVERLAP = 0.97  # intersection over union; the rest is the anti-aliased outline's pixel either side


def _by_name(name: str) -> Shape:
    return next(shape for shape in SHAPES if shape.name == name)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: shape.name)
def test_each_shape_is_found_on_its_backdrop_and_its_landmarks_where_drawn(shape: Shape) -> None:
    mask = product_mask(render(shape)).astype(bool)
    drawn = shape.mask().astype(bool)
    assert (mask & drawn).sum() / (mask | drawn).sum() >= MASK_OVERLAP
    found = garment_landmarks(mask.astype(np.uint8), shape.category).named()
    for name, (x, y) in shape.landmarks().items():
        assert name in found, name
        assert np.hypot(found[name][0] - x, found[name][1] - y) <= LANDMARK_TOLERANCE, (name, found[name], (x, y))


def test_a_tank_top_hangs_from_its_straps_and_a_tee_from_its_shoulders() -> None:
    for name, straps in (("tank", True), ("tank_dress", True), ("tee", False), ("long_sleeved_dress", False)):
        shape = _by_name(name)
        mask = product_mask(render(shape))
        assert hangs_from_straps(mask, garment_landmarks(mask, shape.category)) is straps, name


def test_only_the_tube_top_and_the_strapless_dress_are_strapless() -> None:
    for shape in SHAPES:
        if shape.category is not Category.LOWER:
            mask = product_mask(render(shape))
            marks = garment_landmarks(mask, shape.category)
            found = not hangs_from_straps(mask, marks) and strapless(mask, marks)
            assert found is (shape.name in ("tube_top", "strapless_dress")), shape.name


def test_the_command_writes_every_shape_and_a_manifest_bench_photos_reads(tmp_path: Path) -> None:
    assert main(["--out", str(tmp_path), "--seed", "3"]) == 0
    rows = list(csv.DictReader((tmp_path / "manifest.csv").open(newline="")))
    assert [row["file"] for row in rows] == [f"{shape.name}.png" for shape in SHAPES]
    assert all((tmp_path / row["file"]).is_file() and row["kind"] == "garment" for row in rows)
    assert {row["category"] for row in rows} == {"upper", "lower", "dress"}


def test_an_unwritable_folder_is_one_line_and_exit_code_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["--out", str(blocker / "shapes")]) == 2
    assert capsys.readouterr().err.startswith("error: cannot write")
