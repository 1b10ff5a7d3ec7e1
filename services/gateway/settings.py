"""Gateway configuration, from `TRYON_*` environment variables, validated at start-up."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


class Backend(StrEnum):
    EMBEDDED = "embedded"
    TRITON = "triton"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRYON_", frozen=True)

    backend: Backend = Backend.EMBEDDED
    model_repository: Path = PROJECT_ROOT / "model_repository"
    # backend=triton: the gRPC address, and optionally one per stage (JSON {"segment": "host:8001"}).
    triton_url: str = "127.0.0.1:8001"
    triton_urls: dict[str, str] = Field(default_factory=dict)
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    # Inference threads per ONNX Runtime session (0 = one per core), for the embedded backend.
    ort_threads: int = Field(0, ge=0)
    request_timeout_s: float = Field(30.0, gt=0)
    max_upload_bytes: int = Field(15 * 1024 * 1024, gt=0)
    max_image_pixels: int = Field(40_000_000, gt=0)
    max_image_side: int = Field(8192, gt=0)
    # Threads that decode uploads. Few on purpose: each decode of a photo near max_image_pixels holds hundreds of
    # MB, and every thread's allocator arena keeps its own high-water mark (3 decodes on 3 threads raised the
    # peak by +526 MB for a 36 Mpx image, on one thread by +344 MB).
    decode_threads: int = Field(1, ge=1)
    max_output_side: int = Field(2048, gt=0)
    max_batch_persons: int = Field(8, ge=1)
    # Global admission of try-ons (admission.py): how many run at once, how many may wait, and how long.
    max_concurrency: int = Field(4, ge=1)
    max_queue: int = Field(16, ge=0)
    max_queue_wait_s: float = Field(10.0, gt=0)

    # Tenants: "tenant=key,..." (or bare keys). Without keys the gateway only binds to loopback.
    api_keys: SecretStr = SecretStr("")
    admin_key: SecretStr | None = None
    tenant_rate_per_s: float = Field(20.0, gt=0)
    tenant_burst: int = Field(40, ge=1)
    tenant_max_in_flight: int = Field(8, ge=1)

    # Shared state: catalog and routing table. SQLite file by default; postgresql+psycopg://... for replicas.
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'tryon.db'}"
    blob_dir: Path = PROJECT_ROOT / "var" / "blobs"
    s3_bucket: str | None = None  # images in an S3-compatible bucket instead of blob_dir
    s3_prefix: str = ""
    s3_endpoint_url: str | None = None
    # Catalog blobs that no garment references are deleted at start-up once older than this; it must exceed the
    # longest registration (its blobs are written before its row commits), which takes seconds.
    orphan_blob_grace_s: float = Field(3600.0, gt=0)
    # More orphans than this and the sweep deletes none: the database is then likely not the blob store's.
    orphan_blob_sweep_max: int = Field(100, ge=0)
    routing_refresh_s: float = Field(1.0, gt=0)
    drain_timeout_s: float = Field(30.0, gt=0)
    # The model store the Triton replicas load from (a directory, or s3://bucket/prefix with s3_endpoint_url):
    # the admin API writes the versions it loads into each model's config there, so a restarted replica loads
    # them too (model_store.py). Unset: only the reconcile loop brings restarted replicas back.
    model_store: str | None = None
    # How often each gateway brings every Triton replica to the versions the admin API loaded (reconcile.py).
    reconcile_s: float = Field(10.0, gt=0)
