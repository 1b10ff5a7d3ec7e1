"""The inputs of each try-on mode, as images already decoded (RGB uint8)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fittingroom.common.garment import Category, GarmentLandmarks


@dataclass(frozen=True)
class DesignRequest:
    person: np.ndarray
    content: np.ndarray  # the image printed on the garment
    artwork: np.ndarray  # the artwork whose style paints it
    category: Category = Category.UPPER
    opacity: float = 0.9


@dataclass(frozen=True)
class GarmentRequest:
    person: np.ndarray  # the shopper, front-facing
    garment: np.ndarray  # the catalog photo, the garment upright on a plain background
    category: Category = Category.UPPER
    # Computed once when a catalog garment is registered; a request with an uploaded garment has neither.
    product_mask: np.ndarray | None = None
    landmarks: GarmentLandmarks | None = None
