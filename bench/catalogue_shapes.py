"""`python -m bench shapes --out DIR`: catalogue garment shapes drawn as flat product photos.

    python -m bench shapes --out DIR [--seed N]

The development photos hold fifteen products; a shop's catalogue holds shapes they lack. Each shape here is one
that failed on real shoppers before it was fixed (long sleeves hanging beside the body, a tank top's broad
straps, an A-line skirt, wide trousers, a strapless top), drawn the way a catalogue shoots them: laid flat on an
off-white backdrop, cloth grain and soft folds of light, the outline anti-aliased. Writes `DIR/<name>.png` and
`DIR/manifest.csv` (`file,kind,category`), so that they can be worn by a folder of the user's own shoppers:

    python -m bench photos --people MINE --manifest MINE/manifest.csv \\
                           --garments DIR --manifest DIR/manifest.csv --out RUN

Each shape also carries where its landmarks are, as drawn, which the tests compare with what
`garment_landmarks` reads off the rendered photo.
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from fittingroom.common.garment import Category
from fittingroom.common.imagecodec import encode_image

# The frame of the VITON-HD and Dress Code product photos (3:4 portrait) and their off-white backdrop.
WIDTH, HEIGHT = 768, 1024
CENTRE = WIDTH // 2
BACKDROP = (244, 244, 242)
GRAIN = 0.04  # the cloth's pixel grain, a share of its colour
FOLD_LIGHT = 0.12  # the folds' light, the most it lifts or darkens the colour
FOLD_SCALE = 25.0  # px: the folds' blur, a fold about a tenth of the garment wide
EDGE_BLUR = 1.0  # px: a photographed outline is soft, not cut

Point = tuple[int, int]


@dataclass(frozen=True)
class Neckline:
    """The opening cut out of the top edge: a round neck (an ellipse's lower half) or a V (a triangle)."""

    kind: str  # "round" or "v"
    top: int  # its top edge's y
    half_width: int
    depth: int

    def cut(self, mask: np.ndarray) -> None:
        if self.kind == "round":
            cv2.ellipse(mask, (CENTRE, self.top), (self.half_width, self.depth), 0, 0, 180, 0, -1)
        else:
            points = [(CENTRE - self.half_width, self.top), (CENTRE + self.half_width, self.top),
                      (CENTRE, self.top + self.depth)]
            cv2.fillPoly(mask, [np.array(points, np.int32)], 0)


@dataclass(frozen=True)
class Shape:
    """A garment symmetric about the photo's centre line: `half` is its outline on the image's left (the wearer's
    right), from the top of the centre line round to the bottom of it; `marks` are its landmarks on that side,
    named as in `GarmentLandmarks` for the wearer's right (mirrored for the left). A sleeved garment's shoulder
    is where its top edge meets the line up from its armpit (the seam), a cuff the middle of the sleeve's end,
    the neck the neckline's lowest point on the centre line."""

    name: str
    category: Category
    half: tuple[Point, ...]
    colour: tuple[int, int, int]
    marks: dict[str, Point]
    neckline: Neckline | None = None
    stripes: tuple[int, tuple[int, int, int]] | None = None  # period in px and the second colour

    def mask(self) -> np.ndarray:
        """uint8 {0, 1} HxW: the garment as drawn."""
        outline = list(self.half) + [(2 * CENTRE - x, y) for x, y in reversed(self.half)]
        mask = np.zeros((HEIGHT, WIDTH), np.uint8)
        cv2.fillPoly(mask, [np.array(outline, np.int32)], 1)
        if self.neckline is not None:
            self.neckline.cut(mask)
        return mask

    def landmarks(self) -> dict[str, tuple[float, float]]:
        """Both sides' landmarks in photo pixels: the wearer's right as drawn, the left mirrored."""
        found: dict[str, tuple[float, float]] = {}
        for name, (x, y) in self.marks.items():
            found[name] = (float(x), float(y))
            if name.startswith("right_"):
                found["left_" + name.removeprefix("right_")] = (float(2 * CENTRE - x), float(y))
        return found


def render(shape: Shape, seed: int = 0) -> np.ndarray:
    """HxWx3 uint8 RGB: the shape laid flat on the backdrop, with cloth grain and folds of light."""
    rng = np.random.default_rng(seed)
    colour = np.array(shape.colour, np.float32)
    cloth = colour * (1 + GRAIN * rng.standard_normal((HEIGHT, WIDTH, 1))).astype(np.float32)
    if shape.stripes is not None:
        period, second = shape.stripes
        band = ((np.arange(HEIGHT) // period) % 2 == 0)[:, None, None]
        cloth = np.where(band, np.array(second, np.float32), cloth)
    folds = cv2.GaussianBlur(rng.standard_normal((HEIGHT, WIDTH)).astype(np.float32), (0, 0), FOLD_SCALE)
    cloth *= (1 + FOLD_LIGHT * folds / np.abs(folds).max())[..., None]
    alpha = cv2.GaussianBlur(shape.mask().astype(np.float32), (0, 0), EDGE_BLUR)[..., None]
    photo = np.clip(cloth, 0, 255) * alpha + np.array(BACKDROP, np.float32) * (1 - alpha)
    return np.clip(photo, 0, 255).astype(np.uint8)


ROUND_NECK = Neckline("round", top=110, half_width=80, depth=45)

SHAPES = (
    Shape("tee", Category.UPPER,
          ((CENTRE, 110), (304, 110), (214, 140), (124, 330), (204, 370), (244, 290), (244, 760), (CENTRE, 770)),
          (200, 40, 60), {"neck": (CENTRE, 155), "right_shoulder": (244, 130), "right_armpit": (244, 290),
                         "right_cuff": (164, 350), "right_hem": (244, 760)}, ROUND_NECK),
    # Long sleeves hanging close beside the body, their cuffs slanting down to the hem's level. (Its armpit is
    # not listed: the slit between sleeve and body is a few px wide near it, and is read about 80 px low.)
    Shape("long_sleeves_close", Category.UPPER,
          ((CENTRE, 110), (304, 110), (220, 140), (150, 700), (196, 720), (238, 300), (238, 760), (CENTRE, 770)),
          (90, 95, 100), {"neck": (CENTRE, 155), "right_shoulder": (238, 134), "right_cuff": (173, 710),
                         "right_hem": (238, 760)}, ROUND_NECK),
    Shape("striped_v_neck", Category.UPPER,
          ((CENTRE, 100), (304, 100), (214, 140), (54, 520), (114, 550), (234, 320), (234, 760), (CENTRE, 770)),
          (240, 240, 235), {"neck": (CENTRE, 260), "right_shoulder": (234, 131), "right_armpit": (234, 320),
                           "right_cuff": (84, 535), "right_hem": (234, 760)},
          Neckline("v", top=100, half_width=75, depth=160), stripes=(24, (30, 40, 90))),
    # A tank top: broad straps, deep armholes.
    Shape("tank", Category.UPPER,
          ((CENTRE, 130), (324, 80), (284, 80), (264, 230), (224, 300), (224, 760), (CENTRE, 770)),
          (150, 40, 60), {"neck": (CENTRE, 155), "right_shoulder": (284, 80), "right_hem": (224, 760)}, ROUND_NECK),
    Shape("tube_top", Category.UPPER,
          ((CENTRE, 220), (234, 210), (224, 560), (CENTRE, 570)),
          (230, 200, 40), {"right_hem": (224, 560)}),
    Shape("long_sleeved_dress", Category.DRESS,
          ((CENTRE, 110), (304, 110), (219, 150), (84, 560), (134, 580), (244, 330), (264, 470), (154, 960),
           (CENTRE, 970)),
          (60, 70, 140), {"neck": (CENTRE, 155), "right_shoulder": (244, 138), "right_armpit": (244, 330),
                         "right_cuff": (109, 570), "right_hem": (154, 960)}, ROUND_NECK),
    Shape("tank_dress", Category.DRESS,
          ((CENTRE, 120), (314, 90), (274, 90), (244, 300), (264, 450), (124, 980), (CENTRE, 990)),
          (200, 120, 60), {"neck": (CENTRE, 155), "right_shoulder": (274, 90), "right_hem": (124, 980)}, ROUND_NECK),
    Shape("strapless_dress", Category.DRESS,
          ((CENTRE, 200), (244, 190), (264, 420), (134, 930), (CENTRE, 940)),
          (20, 20, 25), {"right_hem": (134, 930)}),
    Shape("a_line_midi_skirt", Category.LOWER,
          ((CENTRE, 120), (234, 120), (234, 160), (94, 900), (CENTRE, 910)),
          (40, 90, 60), {"right_waist": (234, 120), "right_hem": (94, 900)}),
    Shape("wide_trousers", Category.LOWER,
          ((CENTRE, 100), (214, 100), (194, 960), (354, 960), (364, 380), (CENTRE, 330)),
          (190, 170, 130), {"right_waist": (214, 100), "crotch": (CENTRE, 330), "right_hem_outer": (194, 960),
                            "right_hem_inner": (354, 960)}),
)


def write(folder: Path, seed: int) -> Path:
    """Every shape's photo into `folder`, and the manifest that gives their categories; the manifest's path."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / "manifest.csv"
    with manifest.open("w", newline="") as handle:
        rows = csv.writer(handle)
        rows.writerow(["file", "kind", "category"])
        for number, shape in enumerate(SHAPES):
            png, _ = encode_image(render(shape, seed + number), "png")
            (folder / f"{shape.name}.png").write_bytes(png)
            rows.writerow([f"{shape.name}.png", "garment", shape.category.value])
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench shapes", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0, help="the cloth's grain and folds")
    args = parser.parse_args(argv)
    try:
        manifest = write(args.out, args.seed)
    except OSError as exc:
        print(f"error: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"wrote {len(SHAPES)} garments and {manifest}")
    return 0
