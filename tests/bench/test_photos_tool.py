"""`python -m bench photos`: which photos it pairs, and how bad input is refused (no models needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.photos import (
    THUMB_HEIGHT,
    Photo,
    UsageError,
    contact_sheet,
    main,
    make_pairs,
    read_photos,
    write_results,
)
from fittingroom.common.garment import Category
from fittingroom.common.imagecodec import encode_image


def _write(folder: Path, *names: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    png, _ = encode_image(np.zeros((40, 30, 3), np.uint8), "png")
    for name in names:
        (folder / name).write_bytes(png)


def test_manifest_gives_each_photo_its_categories_and_other_files_are_ignored(tmp_path: Path) -> None:
    _write(tmp_path / "people", "a.png", "b.jpg")
    _write(tmp_path / "garments", "top.png", "jeans.png", "notes.txt")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,kind,category\npeople/a.png,person,upper/lower\npeople/b.jpg,person,dress\n"
                        "garments/top.png,garment,upper\ngarments/jeans.png,garment,lower\n")
    people, garments = read_photos(tmp_path / "people", tmp_path / "garments", [manifest], None)
    assert [(p.path.name, p.categories) for p in people] == [
        ("a.png", (Category.UPPER, Category.LOWER)), ("b.jpg", (Category.DRESS,))]
    assert {g.path.name for g in garments} == {"top.png", "jeans.png"}


def test_without_a_manifest_the_category_flag_applies_to_every_photo(tmp_path: Path) -> None:
    _write(tmp_path / "p", "a.png")
    _write(tmp_path / "g", "x.png")
    people, garments = read_photos(tmp_path / "p", tmp_path / "g", [], Category.DRESS)
    assert people[0].categories == garments[0].categories == (Category.DRESS,)
    with pytest.raises(UsageError, match="--manifest or --category"):
        read_photos(tmp_path / "p", tmp_path / "g", [], None)


def test_bad_manifest_category_is_one_clear_line(tmp_path: Path) -> None:
    _write(tmp_path / "p", "a.png")
    manifest = tmp_path / "m.csv"
    manifest.write_text("file,kind,category\np/a.png,person,hat\n")
    with pytest.raises(UsageError, match=r"m.csv:2: unknown category 'hat'"):
        read_photos(tmp_path / "p", tmp_path / "p", [manifest], None)


def test_pairs_use_every_garment_in_turn_and_only_matching_categories() -> None:
    people = [Photo(Path(f"p{i}"), (Category.UPPER,)) for i in range(3)] + [Photo(Path("d"), (Category.DRESS,))]
    garments = [Photo(Path(f"g{i}"), (Category.UPPER,)) for i in range(4)] + [Photo(Path("gd"), (Category.DRESS,))]
    pairs = make_pairs(people, garments, per_person=2)
    assert [(p.person.path.name, p.garment.path.name) for p in pairs] == [
        ("p0", "g0"), ("p0", "g1"), ("p1", "g2"), ("p1", "g3"), ("p2", "g0"), ("p2", "g1"), ("d", "gd")]
    assert all(p.category in p.garment.categories for p in pairs)


def test_contact_sheet_stacks_rows_and_aligns_columns() -> None:
    tall = np.zeros((THUMB_HEIGHT + 10, 50, 3), np.uint8)
    wide = np.zeros((THUMB_HEIGHT + 10, 80, 3), np.uint8)
    sheet = contact_sheet([[tall, wide], [wide, tall, tall]])
    assert sheet.shape[1] == 80 + 80 + 50 + 3 * 4
    assert sheet.shape[0] % 2 == 0 and sheet.shape[0] >= 2 * (THUMB_HEIGHT + 10)


def test_cli_refuses_a_missing_folder_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--people", str(tmp_path / "none"), "--garments", str(tmp_path), "--category", "upper",
                 "--out", str(tmp_path / "out")])
    assert code == 2
    assert capsys.readouterr().err.strip() == f"error: {tmp_path / 'none'} is not a folder"


def test_results_are_written_one_png_per_pair_and_mode(tmp_path: Path) -> None:
    image = np.zeros((12, 8, 3), np.uint8)
    write_results({"person+shirt.design": image, "person+shirt.classical": image}, tmp_path / "results")
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == ["person+shirt.classical.png",
                                                                       "person+shirt.design.png"]
