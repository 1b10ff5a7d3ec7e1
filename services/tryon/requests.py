"""The inputs of each try-on mode, as images already decoded (RGB uint8)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Self

import numpy as np

from fittingroom.common.garment import Category, GarmentLandmarks


@dataclass(frozen=True)
class DesignRequest:
    person: np.ndarray
    content: np.ndarray  # the image printed on the garment
    artwork: np.ndarray  # the artwork whose style paints it
    category: Category = Category.UPPER
    opacity: float = 0.9

    def with_person(self, person: np.ndarray) -> Self:
        """The same request on another copy of the shopper's photo (a working size)."""
        return replace(self, person=person)


SEED_LIMIT = 2**31  # seeds are in [0, 2**31): exact in JSON, a header and numpy alike


class GeneratorNoise(StrEnum):
    """VITON-HD's per-pixel generator noise: on, as the official inference path, or off (none)."""

    ON = "on"
    OFF = "off"


@dataclass(frozen=True)
class GarmentRequest:
    person: np.ndarray  # the shopper, front-facing
    garment: np.ndarray  # the catalog photo, the garment upright on a plain background
    category: Category = Category.UPPER
    # Computed once when a catalog garment is registered; a request with an uploaded garment has neither.
    product_mask: np.ndarray | None = None
    landmarks: GarmentLandmarks | None = None
    # VITON-HD's random inputs are drawn from `seed` (None: a fresh one, which the result reports), so a
    # seed reproduces an image; the other paths draw nothing.
    seed: int | None = None
    noise: GeneratorNoise = GeneratorNoise.ON

    def with_person(self, person: np.ndarray) -> Self:
        """The same request on another copy of the shopper's photo (a working size)."""
        return replace(self, person=person)
