"""What a try-on returns: the image with what produced it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

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

    @property
    def untrained_models(self) -> list[str]:
        return sorted(name for name, use in self.models.items() if not use.trained)
