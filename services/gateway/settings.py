"""Gateway configuration, from `TRYON_*` environment variables, validated at start-up."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


class Backend(StrEnum):
    EMBEDDED = "embedded"
    TRITON = "triton"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRYON_", frozen=True)

    backend: Backend = Backend.EMBEDDED
    model_repository: Path = PROJECT_ROOT / "model_repository"
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    # Inference threads per ONNX Runtime session (0 = one per core), for the embedded backend.
    ort_threads: int = Field(0, ge=0)
    request_timeout_s: float = Field(30.0, gt=0)
    max_upload_bytes: int = Field(15 * 1024 * 1024, gt=0)
    max_image_pixels: int = Field(40_000_000, gt=0)
    max_image_side: int = Field(8192, gt=0)
    max_output_side: int = Field(2048, gt=0)
