"""What a try-on returns: the image with what produced it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from fittingroom.common.garment import Point
from fittingroom.common.stage import ModelUse


@dataclass
class TryOnResult:
    """The try-on image with per-stage milliseconds and the model versions that made it."""

    image: np.ndarray
    mode: str
    timings_ms: dict[str, float] = field(default_factory=dict)
    models: dict[str, ModelUse] = field(default_factory=dict)
    # Which way a mode made the image when it has several ("classical" = no neural try-on weights).
    path: str | None = None
    # How the garment mode put the new garment on ("silhouette": into the worn garment's own outline, their
    # shapes matching; "warped": warped to the body, the old garment's uncovered rest repainted); None elsewhere.
    dressing: str | None = None
    # The seed of the random inputs that made the image (VITON-HD); None where nothing was drawn.
    seed: int | None = None
    # What the try-on changed, for measuring it (`python -m bench photos`): masks at the photo's size by name
    # ("worn_garment": the shopper's own; "garment": where the new one is painted; "repainted": the old
    # garment it left uncovered, painted over with skin or background; "warped": the new garment's whole
    # silhouette as warped onto the body, before what is in front of it is cut out), where the fit put its
    # landmarks on the body, and the body's shoulder width (the scale those are judged at).
    layers: dict[str, np.ndarray] = field(default_factory=dict)
    fit_targets: dict[str, Point] = field(default_factory=dict)
    shoulder_width: float | None = None

    @property
    def untrained_models(self) -> list[str]:
        return sorted(name for name, use in self.models.items() if not use.trained)
