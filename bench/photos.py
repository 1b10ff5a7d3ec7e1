"""`python -m bench photos`: every try-on mode over a folder of real photos; a contact sheet and per-pair measures.

    python -m bench photos --people DIR --garments DIR [--manifest CSV ...] [--category upper|lower|dress]
                           --out DIR [--per-person N] [--side PX]

Any folder of JPEG or PNG photos works. Categories come from the manifest (columns `file`, `kind`
(person or garment), `category`; paths relative to the manifest; a person's category may list several,
`upper/lower`; `--manifest` may be given once per folder), else `--category` applies to every photo. Each
person is paired with up to `--per-person` garments of each category they wear, taken in turn so that every
garment is used.

Per person and category, design mode prints the sample content image in the sample artwork's style on
the worn garment; per pair, garment mode runs every path that is ready (classical always; a neural path
when each of its models is trained) with the garment registered as a catalog garment first (its
silhouette and landmarks computed once, as a shop's catalog stores them). Photos are scaled so that
their longer side is `--side` px (512: the speed targets' size).

Writes `OUT/sheet.png` (one row per pair: person | garment | design | each garment path, with stage
timings and measures under each result) and `OUT/photos.json` (per pair and mode: timings, measures, or
the one-line reason a mode refused). The measures are defined in `bench/photo_measures.py`:

- `uncovered_share`: share of the old garment's pixels the result leaves as they were (target ≤ 3 %);
- `landmark_offsets`: per landmark (neck, shoulders, hem; waist and leg hems for trousers), distance
  between where the garment's silhouette as warped onto the body has it (found afresh, not assumed
  symmetric; a sleeved shoulder as worn is the top edge above the body's seam moved by the garment's
  armpit's offset from the body's, `worn_landmarks`) and where the fit put it from the pose, over the shoulder
  width (target ≤ 5 %). It reads the garment as warped (the `warped` layer) even where the pair is
  dressed with `silhouette`: there it measures the warp the image does not show. A landmark the fit puts
  outside the photo (the hem of a half-body shot cut off by the frame) is not measured; its name is listed
  under `landmarks_outside_photo`;
- `changed_outside_px`: pixels changed farther than 3 px from the garment as placed and the repainted
  area (target 0).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import logging
import sys
import time
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from bench.photo_measures import (
    TARGET_LANDMARK_SHARE,
    TARGET_UNCOVERED_SHARE,
    body_tilt,
    changed_pixels,
    changes_outside,
    in_frame,
    landmark_offsets,
    uncovered_share,
    upright_points,
    worn_landmarks,
)
from fittingroom.common.embedded import EmbeddedClient
from fittingroom.common.errors import TryOnError
from fittingroom.common.garment import Category
from fittingroom.common.imagecodec import decode_image, encode_image
from fittingroom.common.images import resize
from fittingroom.gateway.routing import TrafficRouter
from fittingroom.gateway.samples import SAMPLE_ARTWORK, SAMPLE_CONTENT
from fittingroom.tryon.classical import ProductAnalysis
from fittingroom.tryon.requests import DesignRequest, GarmentRequest
from fittingroom.tryon.result import TryOnResult
from fittingroom.tryon.selection import GarmentPath
from fittingroom.tryon.service import TryOnService

log = logging.getLogger("bench.photos")
ROOT = Path(__file__).resolve().parent.parent
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")
# The landmarks the offset measure compares: where a garment meets the body's frame, not its sleeves.
MEASURED_LANDMARKS = ("neck", "left_shoulder", "right_shoulder", "left_hem", "right_hem", "left_waist",
                      "right_waist", "left_hem_outer", "right_hem_outer")
THUMB_HEIGHT = 320
TEXT_HEIGHT = 150


@dataclass(frozen=True)
class Photo:
    path: Path
    categories: tuple[Category, ...]


@dataclass(frozen=True)
class Pair:
    person: Photo
    garment: Photo
    category: Category


class UsageError(Exception):
    """A mistake in the command line or the manifest: reported in one line, exit code 2."""


def _categories(text: str, where: str) -> tuple[Category, ...]:
    try:
        return tuple(Category(part.strip()) for part in text.split("/") if part.strip())
    except ValueError:
        raise UsageError(f"{where}: unknown category {text!r}; use {', '.join(c.value for c in Category)}") from None


def _listed(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder")
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in PHOTO_SUFFIXES)


def read_photos(people: Path, garments: Path, manifests: Sequence[Path],
                category: Category | None) -> tuple[list[Photo], list[Photo]]:
    """People and garments with their categories: from the manifests' rows, else `category` for all."""
    known: dict[Path, tuple[Category, ...]] = {}
    for manifest in manifests:
        try:
            rows = list(csv.DictReader(manifest.open(newline="")))
        except OSError as exc:
            raise UsageError(f"cannot read --manifest {manifest}: {exc.strerror or exc}") from exc
        for number, row in enumerate(rows, start=2):
            if not row.get("file") or not row.get("category"):
                raise UsageError(f"{manifest}:{number}: each row needs a file and a category")
            known[(manifest.parent / row["file"]).resolve()] = _categories(row["category"], f"{manifest}:{number}")
    if not manifests and category is None:
        raise UsageError("give --manifest or --category: the garments' categories are needed")

    def photos(folder: Path) -> list[Photo]:
        found = []
        for path in _listed(folder):
            categories = known.get(path.resolve()) or ((category,) if category is not None else ())
            if categories:
                found.append(Photo(path, categories))
        return found

    return photos(people), photos(garments)


def make_pairs(people: list[Photo], garments: list[Photo], per_person: int) -> list[Pair]:
    """Each person with up to `per_person` garments of each category they wear, garments taken in turn."""
    turn = dict.fromkeys(Category, 0)
    pairs = []
    for person in people:
        for category in person.categories:
            fitting = [g for g in garments if category in g.categories]
            for _ in range(min(per_person, len(fitting))):
                pairs.append(Pair(person, fitting[turn[category] % len(fitting)], category))
                turn[category] += 1
    return pairs


def load(path: Path, side: int) -> np.ndarray:
    image = decode_image(path.read_bytes(), field=path.name, max_pixels=10**8)
    h, w = image.shape[:2]
    scale = side / max(h, w)
    return resize(image, round(w * scale), round(h * scale))


def measure(person: np.ndarray, result: TryOnResult, category: Category) -> dict[str, Any]:
    """The measures of one try-on, from its image and the layers its pipeline reports."""
    changed = changed_pixels(person, result.image)
    layers = result.layers
    measures: dict[str, Any] = {"changed_px": int(changed.sum())}
    if "worn_garment" in layers:
        measures["uncovered_share"] = round(uncovered_share(layers["worn_garment"] > 0, changed), 4)
    placed = layers.get("garment")
    if placed is not None:
        allowed = (placed > 0.02) | (layers["repainted"] > 0 if "repainted" in layers else False)
        measures["changed_outside_px"] = changes_outside(changed, allowed)
    warped = layers.get("warped")
    if warped is not None and result.fit_targets and result.shoulder_width:
        targets = result.fit_targets
        ends = ("left_waist", "right_waist") if category is Category.LOWER else ("left_shoulder", "right_shoulder")
        tilt = body_tilt(targets[ends[0]], targets[ends[1]]) if all(e in targets for e in ends) else 0.0
        try:  # read upright in the body's frame, as worn (`worn_landmarks`)
            found = upright_points(warped, tilt, lambda mask, body: worn_landmarks(mask, category, body), targets)
        except TryOnError as exc:
            measures["landmark_offsets"] = {"error": exc.message}
        else:
            wanted, cut_off = in_frame({n: p for n, p in result.fit_targets.items() if n in MEASURED_LANDMARKS},
                                       warped.shape[:2])
            if cut_off:
                measures["landmarks_outside_photo"] = cut_off
            offsets = landmark_offsets({n: found.get(n) for n in wanted}, wanted, result.shoulder_width)
            measures["landmark_offsets"] = {n: round(v, 4) for n, v in offsets.items()}
            measures["landmark_offset_max"] = round(max(offsets.values(), default=0.0), 4)
    return measures


@dataclass(frozen=True)
class Outcome:
    result: TryOnResult | str  # the one-line reason when the mode refused
    wall_ms: float


async def _try(call: Awaitable[TryOnResult]) -> Outcome:
    started = time.perf_counter()
    result: TryOnResult | str
    try:
        result = await call
    except TryOnError as exc:
        result = f"error: {exc.message}"
    return Outcome(result, (time.perf_counter() - started) * 1000)


def _record(person: np.ndarray, outcome: Outcome, category: Category) -> dict[str, Any]:
    result = outcome.result
    if isinstance(result, str):
        return {"error": result}
    # Stages overlap where a pipeline runs them concurrently: wall_ms is the call's own time.
    return {"path": result.path, "dressing": result.dressing, "wall_ms": round(outcome.wall_ms, 1),
            "timings_ms": {k: round(v, 1) for k, v in result.timings_ms.items()},
            "measures": measure(person, result, category)}


async def _ready_paths(service: TryOnService, router: TrafficRouter) -> list[GarmentPath]:
    paths = [GarmentPath.CLASSICAL]
    for pipeline in service.networks:
        if all([await router.trained(m) for m in pipeline.models]):
            paths.append(GarmentPath(pipeline.name))
    return paths


async def run(pairs: list[Pair], repository: Path, side: int
              ) -> tuple[list[dict[str, Any]], list[list[np.ndarray]], dict[str, np.ndarray]]:
    """Every mode on every pair; the JSON records, per pair the images of the sheet's row, and each result
    image by name (`PERSON+GARMENT.MODE`)."""
    client = EmbeddedClient(repository)
    router = TrafficRouter(client)
    service = TryOnService(client, router)
    content, artwork = load(SAMPLE_CONTENT, 384), load(SAMPLE_ARTWORK, 256)
    records, rows = [], []
    results: dict[str, np.ndarray] = {}
    designs: dict[tuple[Path, Category], Outcome] = {}
    catalog: dict[tuple[Path, Category], ProductAnalysis | str] = {}
    try:
        paths = await _ready_paths(service, router)
        log.info("garment paths ready: %s", ", ".join(p.value for p in paths))
        for pair in pairs:
            person, garment = load(pair.person.path, side), load(pair.garment.path, side)
            key = (pair.person.path, pair.category)
            if key not in designs:
                designs[key] = await _try(service.try_design(DesignRequest(person, content, artwork, pair.category)))
            record: dict[str, Any] = {"person": pair.person.path.name, "garment": pair.garment.path.name,
                                      "category": pair.category.value,
                                      "design": _record(person, designs[key], pair.category)}
            images: list[tuple[str, Outcome]] = [("design", designs[key])]
            product = (pair.garment.path, pair.category)
            if product not in catalog:
                try:  # registered once, as a shop's catalog stores it
                    catalog[product] = await service.analyze_product(garment, pair.category)
                except TryOnError as exc:
                    catalog[product] = f"error: {exc.message}"
            analysis = catalog[product]
            for path in paths:
                if isinstance(analysis, str):
                    outcome = Outcome(analysis, 0.0)
                else:
                    request = GarmentRequest(person, garment, pair.category, product_mask=analysis.mask,
                                             landmarks=analysis.landmarks)
                    outcome = await _try(service.try_garment(request, path))
                record[path.value] = _record(person, outcome, pair.category)
                images.append((path.value, outcome))
            records.append(record)
            rows.append(_row(person, garment, images, record))
            stem = f"{pair.person.path.stem}+{pair.garment.path.stem}"
            results.update({f"{stem}.{name}": outcome.result.image for name, outcome in images
                            if isinstance(outcome.result, TryOnResult)})
            modes = ("design", *[p.value for p in paths])
            log.info("%s + %s (%s): %s", record["person"], record["garment"], record["category"],
                     {m: record[m].get("wall_ms", record[m].get("error")) for m in modes})
    finally:
        await client.close()
    return records, rows, results


def write_results(results: dict[str, np.ndarray], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, image in results.items():
        png, _ = encode_image(image, "png")
        (folder / f"{name}.png").write_bytes(png)


def _thumb(image: np.ndarray) -> np.ndarray:
    h, w = image.shape[:2]
    return resize(image, max(1, round(w * THUMB_HEIGHT / h)), THUMB_HEIGHT)


def _caption(lines: list[str], width: int) -> np.ndarray:
    panel = np.full((TEXT_HEIGHT, width, 3), 255, np.uint8)
    for index, line in enumerate(lines[:9]):
        cv2.putText(panel, line[:int(width / 6.2)], (4, 14 + 15 * index), cv2.FONT_HERSHEY_SIMPLEX, 0.36,
                    (20, 20, 20), 1, cv2.LINE_AA)
    return panel


def _describe(name: str, record: dict[str, Any]) -> list[str]:
    if "error" in record:
        return [name, *[record["error"][i:i + 40] for i in range(0, len(record["error"]), 40)]]
    m = record["measures"]
    dressing = f" ({record['dressing']})" if record.get("dressing") else ""
    lines = [f"{name}{dressing} {record['wall_ms']:.0f} ms wall"]
    lines += [f" {stage} {ms:.0f}" for stage, ms in sorted(record["timings_ms"].items(), key=lambda kv: -kv[1])[:4]]
    if "uncovered_share" in m:
        flag = "" if m["uncovered_share"] <= TARGET_UNCOVERED_SHARE else " !"
        lines.append(f"old left {100 * m['uncovered_share']:.1f}%{flag}")
    if "landmark_offset_max" in m:
        flag = "" if m["landmark_offset_max"] <= TARGET_LANDMARK_SHARE else " !"
        lines.append(f"landmarks {100 * m['landmark_offset_max']:.1f}%{flag}")
    if "changed_outside_px" in m:
        lines.append(f"outside {m['changed_outside_px']} px{'' if m['changed_outside_px'] == 0 else ' !'}")
    return lines


def _row(person: np.ndarray, garment: np.ndarray, images: list[tuple[str, Outcome]],
         record: dict[str, Any]) -> list[np.ndarray]:
    tiles = [(_thumb(person), [record["person"], record["category"]]), (_thumb(garment), [record["garment"]])]
    for name, outcome in images:
        shown = outcome.result.image if isinstance(outcome.result, TryOnResult) else np.full_like(person, 235)
        tiles.append((_thumb(shown), _describe(name, record[name])))
    return [np.vstack([tile, _caption(lines, tile.shape[1])]) for tile, lines in tiles]


def contact_sheet(rows: list[list[np.ndarray]]) -> np.ndarray:
    """Rows of captioned tiles, each column as wide as its widest tile, on white."""
    columns = max(len(r) for r in rows)
    widths = [max(r[c].shape[1] for r in rows if c < len(r)) for c in range(columns)]
    height = THUMB_HEIGHT + TEXT_HEIGHT
    sheet = np.full((height * len(rows), sum(widths) + 4 * columns, 3), 255, np.uint8)
    for index, row in enumerate(rows):
        x = 0
        for column, tile in enumerate(row):
            sheet[index * height:index * height + tile.shape[0], x:x + tile.shape[1]] = tile
            x += widths[column] + 4
    return sheet


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench photos", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=Path, required=True)
    parser.add_argument("--garments", type=Path, required=True)
    parser.add_argument("--manifest", type=Path, action="append", default=[],
                        help="CSV of file,kind,category; give one per folder if they differ")
    parser.add_argument("--category", choices=[c.value for c in Category])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--per-person", type=int, default=2, help="garments per person and category")
    parser.add_argument("--side", type=int, default=512, help="longer side of the photos, px")
    parser.add_argument("--repository", type=Path, default=ROOT / "model_repository")
    parser.add_argument("--results", action="store_true",
                        help="also write each result at full size: OUT/results/PERSON+GARMENT.MODE.png")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        category = Category(args.category) if args.category else None
        people, garments = read_photos(args.people, args.garments, args.manifest, category)
        pairs = make_pairs(people, garments, args.per_person)
        if not pairs:
            raise UsageError("no person and garment share a category")
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    records, rows, results = asyncio.run(run(pairs, args.repository, args.side))
    args.out.mkdir(parents=True, exist_ok=True)
    if args.results:
        write_results(results, args.out / "results")
    png, _ = encode_image(contact_sheet(rows), "png")
    (args.out / "sheet.png").write_bytes(png)
    (args.out / "photos.json").write_text(json.dumps({"side": args.side, "pairs": records}, indent=2) + "\n")
    print(f"wrote {args.out / 'sheet.png'} and {args.out / 'photos.json'} ({len(records)} pairs)")
    return 0
