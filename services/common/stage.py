"""What a stage client returns besides its result: which model version produced it, and how fast."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelUse:
    """One model call's identity, for reports, headers and metrics."""

    model: str
    version: int
    trained: bool
