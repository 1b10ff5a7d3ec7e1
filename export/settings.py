"""Export configuration from `TRYON_*` environment variables; `python -m fittingroom.export` flags override it."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

from fittingroom.export.recipe import OperatorCheckpoint

VtonSize = Literal["512x384", "1024x768"]


class ExportSettings(BaseSettings):
    """Where the operator's official checkpoints are and which VITON-HD size to export."""

    model_config = SettingsConfigDict(env_prefix="TRYON_", frozen=True)

    # TRYON_WEIGHTS_DIR: official checkpoint files under their release names (README, "Models and weights").
    weights_dir: Path | None = None
    # TRYON_VTON_SIZE: output size of the VITON-HD models.
    vton_size: VtonSize = "512x384"

    def checkpoint(self, file_name: str) -> OperatorCheckpoint:
        """The operator's copy of `file_name`, when TRYON_WEIGHTS_DIR has it."""
        path = self.weights_dir / file_name if self.weights_dir is not None else None
        return OperatorCheckpoint(file_name, path if path is not None and path.is_file() else None)
