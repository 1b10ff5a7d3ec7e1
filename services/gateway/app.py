"""The HTTP gateway: wires the backend, store, routing, catalog and routes; health, readiness, metrics."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from starlette.routing import Match, Route
from starlette.types import Scope

from fittingroom.common.breaker import ResilientClient
from fittingroom.common.embedded import EmbeddedClient
from fittingroom.common.inference import InferenceClient
from fittingroom.common.repository import ModelRepository
from fittingroom.common.versions import VersionCatalog
from fittingroom.gateway import admin, blob_sweep, catalog, keys, reconcile, tryon_routes, web
from fittingroom.gateway.admission import Admission
from fittingroom.gateway.auth import KeyRing, is_loopback
from fittingroom.gateway.blobs import BlobStore, DirectoryBlobStore, S3BlobStore
from fittingroom.gateway.body_limit import BodyLimit
from fittingroom.gateway.errors import error_body, install_error_handlers
from fittingroom.gateway.limits import TenantLimits
from fittingroom.gateway.metrics import GatewayMetrics
from fittingroom.gateway.model_store import open_model_store
from fittingroom.gateway.routing import TrafficRouter
from fittingroom.gateway.settings import Backend, Settings
from fittingroom.gateway.stage_models import MODEL_STAGES, model_urls
from fittingroom.gateway.store import Store
from fittingroom.tryon.service import TryOnService

log = logging.getLogger(__name__)
REQUEST_ID = tryon_routes.REQUEST_ID


class UnsafeConfiguration(RuntimeError):
    """Raised at start-up for settings that would expose the service."""


def make_client(settings: Settings) -> InferenceClient:
    if settings.backend is Backend.EMBEDDED:
        return EmbeddedClient(settings.model_repository, intra_op_threads=settings.ort_threads)
    from fittingroom.common.triton_client import TritonClient  # only the Triton backend needs grpc

    # A remote stage can die or restart: retry once on UNAVAILABLE, then fail fast per stage (breaker.py).
    return ResilientClient(TritonClient(settings.triton_url, model_urls=model_urls(settings.triton_urls)),
                           MODEL_STAGES)


ROUTERS = (tryon_routes.router, catalog.router, admin.router, keys.router, web.router)


def route_template(routes: list[Route], scope: Scope) -> str:
    """The template of the route this request will reach (`/v1/garments/{garment_id}`), matched on the
    path alone: raw paths as metric labels would let any scanner mint new series."""
    for route in routes:
        match, _ = route.matches(scope)
        if match is not Match.NONE:
            return route.path
    return "unmatched"


def make_blobs(settings: Settings) -> BlobStore:
    if settings.s3_bucket:
        return S3BlobStore(settings.s3_bucket, settings.s3_prefix, settings.s3_endpoint_url)
    return DirectoryBlobStore(settings.blob_dir)


def check_exposure(settings: Settings, keyring: KeyRing) -> None:
    if keyring.enabled:
        return
    if not is_loopback(settings.host):
        raise UnsafeConfiguration(
            f"refusing to serve on {settings.host} without API keys: set TRYON_API_KEYS and TRYON_ADMIN_KEY, "
            "or bind to 127.0.0.1")
    log.warning("no API keys configured: authentication is off (allowed on the loopback address only)")


class PathReadiness(BaseModel):
    ready: bool
    missing: list[str]  # its models that are not ready
    trained: bool  # every version taking its models' traffic is trained (the seeded placeholders are not)


class Readiness(BaseModel):
    ready: bool
    backend: bool
    saturated: bool  # every try-on slot busy and the queue full: the balancer should send new work elsewhere
    models: dict[str, bool]
    # Per served model, whether each version taking its traffic is trained (its own export record says).
    versions_trained: dict[str, dict[int, bool]]
    paths: dict[str, PathReadiness]


async def readiness(inference: InferenceClient, tryon: TryOnService, admission: Admission) -> Readiness:
    """Readiness asked fresh of the backend, each model once however many paths use it."""
    paths = tryon.path_models()
    names = sorted({model for models in paths.values() for model in models})
    backend, *answers = await asyncio.gather(inference.is_server_ready(), *map(inference.is_model_ready, names))
    models = dict(zip(names, answers, strict=True))
    served = [name for name in names if models[name]]
    # From the router's cached metadata: probes come often, training changes rarely.
    versions = dict(zip(served, await asyncio.gather(*map(tryon.router.trained_versions, served)), strict=True))
    trained = {m: bool(v) and all(v.values()) for m, v in versions.items()}
    report = {path: PathReadiness(ready=all(models[m] for m in path_models),
                                  missing=[m for m in path_models if not models[m]],
                                  trained=all(trained.get(m, False) for m in path_models))
              for path, path_models in paths.items()}
    saturated = admission.saturated
    ready = backend and not saturated and all(report[path].ready for path in tryon.default_paths)
    return Readiness(ready=ready, backend=backend, saturated=saturated, models=models, versions_trained=versions,
                     paths=report)


def not_ready_message(report: Readiness, default_paths: tuple[str, ...]) -> str:
    reasons = [] if report.backend else ["the backend does not answer"]
    reasons += [f"path {path} is missing {', '.join(report.paths[path].missing)}"
                for path in default_paths if not report.paths[path].ready]
    if report.saturated:
        reasons.append("every try-on slot is busy and the queue is full")
    return "not ready: " + "; ".join(reasons)


def create_app(settings: Settings | None = None, client: InferenceClient | None = None) -> FastAPI:
    settings = settings or Settings()
    metrics = GatewayMetrics()
    keyring = KeyRing(settings.api_keys.get_secret_value(),
                      settings.admin_key.get_secret_value() if settings.admin_key else None)
    check_exposure(settings, keyring)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        inference = client or make_client(settings)
        store = Store(settings.database_url)
        keyring.store = store  # keys issued through the admin API live in the shared store
        # Each version's record: the local repository's export.json, or (Triton: the gateway has no repository)
        # what publishing recorded in the shared database.
        versions: VersionCatalog = (ModelRepository(settings.model_repository) if settings.backend is Backend.EMBEDDED
                                    else store)
        router = TrafficRouter(inference, store, refresh_s=settings.routing_refresh_s, catalog=versions)
        app.state.client = inference
        app.state.store = store
        app.state.router = router
        def observe(stage: str, model: str, version: int, outcome: str, seconds: float) -> None:
            metrics.stage_duration.labels(stage, model, str(version), outcome).observe(seconds)

        tryon = TryOnService(inference, router, timeout_s=settings.request_timeout_s, observe=observe)
        app.state.tryon = tryon
        app.state.catalog = catalog.Catalog(store, make_blobs(settings), tryon)
        # Triton's replicas serve every gateway: an unload there waits for the other gateways' requests, which
        # see the draining mark within their refresh and end by their deadline. The embedded backend is this
        # process alone: its own leases are all there is to wait for.
        fleet_drain_s = (settings.routing_refresh_s + settings.request_timeout_s if settings.backend is Backend.TRITON
                         else 0.0)
        model_store = open_model_store(settings.model_store, settings.s3_endpoint_url) if settings.model_store else None
        app.state.admin = admin.ModelAdmin(inference, router, store, versions, metrics, settings.drain_timeout_s,
                                           fleet_drain_s=fleet_drain_s, model_store=model_store)
        for model, route in store.routes().items():
            for version, weight in route.split.items():
                metrics.traffic_split.labels(model, str(version)).set(weight / 100)
        # A task, so that readiness never waits for the listing of a large bucket.
        grace = timedelta(seconds=settings.orphan_blob_grace_s)
        sweep = asyncio.create_task(blob_sweep.sweep_in_background(
            app.state.catalog.blobs, store, grace, settings.orphan_blob_sweep_max, metrics.orphan_blobs_swept))
        reconciling = asyncio.create_task(reconcile.reconcile_forever(app.state.admin, settings.reconcile_s))
        try:
            yield
        finally:
            reconciling.cancel()
            sweep.cancel()
            await inference.close()
            store.close()

    app = FastAPI(title="Fitting Room", version="0.1.0", lifespan=lifespan,
                  description="Virtual try-on: a shopper's photo in, the shopper wearing the garment out.")
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.keyring = keyring
    app.state.limits = TenantLimits(settings.tenant_rate_per_s, settings.tenant_burst, settings.tenant_max_in_flight)
    app.state.admission = Admission(settings.max_concurrency, settings.max_queue, settings.max_queue_wait_s)
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(BodyLimit, max_body_bytes=settings.max_upload_bytes)  # inside `observe`: its 413s are counted

    @functools.cache
    def templates() -> list[Route]:
        # FastAPI keeps included routers as opaque entries, so match against the routes we included.
        every = [*app.router.routes, *(r for router in ROUTERS for r in router.routes)]
        return [r for r in every if isinstance(r, Route)]

    @app.middleware("http")
    async def observe(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        request_id = request.headers.get(REQUEST_ID) or uuid.uuid4().hex
        request.state.request_id = request_id
        route = route_template(templates(), request.scope)
        start = time.perf_counter()
        metrics.in_flight.labels(route).inc()
        try:
            response = await call_next(request)  # oversized bodies and headers: BodyLimit answers, counted here
        except Exception:
            # Answered here rather than by Starlette's ServerErrorMiddleware, which re-raises to uvicorn, and uvicorn
            # then drops the connection: a keep-alive client's next request would fail with a reset.
            log.exception("unexpected error")  # the trace goes to the log, never to the client
            request.state.error_code = "internal_error"
            response = JSONResponse(error_body("internal_error", "internal error; the request id is in the logs"), 500)
        finally:
            metrics.in_flight.labels(route).dec()
        status = str(response.status_code)
        metrics.request_duration.labels(route, request.method, status).observe(time.perf_counter() - start)
        metrics.requests.labels(route, request.method, status).inc()
        code = getattr(request.state, "error_code", None)
        if code:
            metrics.errors.labels(route, code).inc()
        response.headers[REQUEST_ID] = request_id
        return response

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"], response_model=Readiness,
             responses={503: {"description": "Not ready: the error body, with the same report beside it."}})
    async def readyz(request: Request) -> JSONResponse:
        """Readiness: the backend answers, the paths that serve default requests (design, classical garment)
        have every model, and a try-on slot or queue place is free. Every try-on path is reported."""
        state = request.app.state
        report = await readiness(state.client, state.tryon, state.admission)
        for model, ready in report.models.items():
            metrics.model_ready.labels(model, "any").set(1 if ready else 0)
        if report.ready:
            return JSONResponse(report.model_dump())
        # The report stays beside the error: the balancer reads the status, an operator the reasons.
        return JSONResponse({**error_body("not_ready", not_ready_message(report, state.tryon.default_paths)),
                             **report.model_dump()}, 503)

    @app.get("/metrics", tags=["ops"])
    async def metrics_endpoint() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return app

