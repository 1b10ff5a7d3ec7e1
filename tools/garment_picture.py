"""Draw the README's garment-transfer picture: shopper | catalog garment | classical result [| VITON-HD | DAFlow].

    .venv/bin/python tools/garment_picture.py [--out docs/images/garment-classical.png] [--category upper]

The shopper is scikit-image's astronaut sample; the catalog garment is the synthetic product photo drawn
by `fittingroom.gateway.sample_garment` (not a photograph). Runs on the embedded backend over
model_repository/ and prints the per-stage milliseconds of the run. A try-on network's result is added only
when every model it runs is trained (official checkpoints exported from TRYON_WEIGHTS_DIR): a placeholder's
noise is never drawn as a result.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

import numpy as np

from fittingroom.common.embedded import EmbeddedClient
from fittingroom.common.garment import Category
from fittingroom.common.imagecodec import decode_image, encode_image
from fittingroom.common.images import resize
from fittingroom.gateway.routing import TrafficRouter
from fittingroom.gateway.sample_garment import sample_garment
from fittingroom.gateway.samples import SAMPLE_PERSON
from fittingroom.tryon.classical import ClassicalGarmentPipeline
from fittingroom.tryon.networks import DAFlowPipeline, VitonHDPipeline
from fittingroom.tryon.requests import GarmentRequest

ROOT = Path(__file__).resolve().parent.parent
GAP = 12  # px of white between panels, as in design-before-after.png
PICTURE_SEED = 0  # VITON-HD's noise: one fixed seed, so the committed picture can be made again


def panels(images: list[np.ndarray]) -> np.ndarray:
    """Images side by side at the first one's height, separated by white gaps."""
    height = images[0].shape[0]
    fitted = [resize(im, round(im.shape[1] * height / im.shape[0]), height) for im in images]
    gap = np.full((height, GAP, 3), 255, np.uint8)
    row: list[np.ndarray] = []
    for image in fitted:
        row += [image, gap]
    return np.concatenate(row[:-1], axis=1)


async def run(out: Path, category: Category, runs: int) -> None:
    client = EmbeddedClient(ROOT / "model_repository", intra_op_threads=1)
    try:
        person = decode_image(SAMPLE_PERSON.read_bytes(), field="person", max_pixels=10**8)
        garment = sample_garment(category)
        request = GarmentRequest(person, garment, category, seed=PICTURE_SEED)
        pipeline = ClassicalGarmentPipeline(client, TrafficRouter(client))
        for _ in range(runs):  # the first run also loads the models; later ones show steady-state timings
            result = await pipeline(request)
            print(json.dumps(result.timings_ms))
        results = [result.image]
        for network in (VitonHDPipeline(client, TrafficRouter(client)), DAFlowPipeline(client, TrafficRouter(client))):
            if category is Category.UPPER and await network.trained(catalog_mask=False):
                results.append((await network(request)).image)
            else:
                print(f"no {network.path} panel: its models are untrained placeholders here or the garment is "
                      "not a top (README, 'Models and weights')")
    finally:
        await client.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(encode_image(panels([person, garment, *results]), "png")[0])
    print(f"wrote {out} ({len(results)} result panel(s))")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs/images/garment-classical.png")
    parser.add_argument("--category", choices=[g.value for g in Category], default=Category.UPPER.value)
    parser.add_argument("--runs", type=int, default=1, help="run the pipeline this many times; timings of each")
    args = parser.parse_args()
    asyncio.run(run(args.out, Category(args.category), args.runs))


if __name__ == "__main__":
    main()
