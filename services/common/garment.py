"""The garment's vocabulary every layer shares: its category (the API's `category`, the body regions, the
landmark finder) and its landmarks (found on a product photo by segment, fitted to a body by warp-gen,
stored with a catalog garment by the gateway).

"Left" and "right" are the wearer's, as in BlazePose: the wearer's left is on the image's right.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum

Point = tuple[float, float]


class Category(StrEnum):
    UPPER = "upper"
    LOWER = "lower"
    DRESS = "dress"


@dataclass(frozen=True)
class GarmentLandmarks:
    """Landmarks in product-photo pixels (x, y); None where the garment has no such part."""

    category: Category
    neck: Point | None = None  # centre of the collar on the silhouette's top edge
    left_shoulder: Point | None = None
    right_shoulder: Point | None = None
    left_armpit: Point | None = None  # None for a sleeveless garment
    right_armpit: Point | None = None
    left_cuff: Point | None = None  # centre of the sleeve's end
    right_cuff: Point | None = None
    left_hem: Point | None = None  # hem corners of a top, a dress or a skirt
    right_hem: Point | None = None
    left_waist: Point | None = None  # waistband corners of trousers or a skirt
    right_waist: Point | None = None
    crotch: Point | None = None
    left_hem_outer: Point | None = None  # each trouser leg's hem corners
    left_hem_inner: Point | None = None
    right_hem_outer: Point | None = None
    right_hem_inner: Point | None = None
    left_knee_outer: Point | None = None  # each trouser leg's sides halfway between crotch and hem
    left_knee_inner: Point | None = None
    right_knee_outer: Point | None = None
    right_knee_inner: Point | None = None

    def named(self) -> dict[str, Point]:
        """The landmarks this garment has, by name."""
        found = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "category"}
        return {name: point for name, point in found.items() if point is not None}

    def to_json(self) -> dict[str, object]:
        """A JSON-able form, stored with a catalog garment."""
        return {"category": self.category.value, "points": {k: list(v) for k, v in self.named().items()}}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> GarmentLandmarks:
        points = data["points"]
        assert isinstance(points, dict)
        return cls(Category(str(data["category"])), **{k: (float(v[0]), float(v[1])) for k, v in points.items()})
