"""The HTTP gateway: try-on routes, health, readiness and Prometheus metrics."""

from __future__ import annotations

import base64
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated

import numpy as np
from fastapi import Depends, FastAPI, File, Form, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from fittingroom.common.embedded import EmbeddedClient
from fittingroom.common.errors import PayloadTooLarge
from fittingroom.common.imagecodec import OUTPUT_FORMATS, decode_image, encode_image, limit_side
from fittingroom.common.inference import InferenceClient
from fittingroom.gateway.errors import error_body, install_error_handlers
from fittingroom.gateway.garment_mask import Garment
from fittingroom.gateway.metrics import GatewayMetrics
from fittingroom.gateway.pipeline import DESIGN_MODELS, DesignPipeline, DesignRequest, TryOnResult
from fittingroom.gateway.settings import Backend, Settings

log = logging.getLogger(__name__)
REQUEST_ID = "X-Request-Id"
FORMAT_PATTERN = f"^({'|'.join(OUTPUT_FORMATS)})$"


def get_pipeline(request: Request) -> DesignPipeline:
    pipeline: DesignPipeline = request.app.state.pipeline
    return pipeline


PipelineDep = Annotated[DesignPipeline, Depends(get_pipeline)]


def make_client(settings: Settings) -> InferenceClient:
    if settings.backend is Backend.EMBEDDED:
        return EmbeddedClient(settings.model_repository, intra_op_threads=settings.ort_threads)
    from fittingroom.common.triton_client import TritonClient  # only the Triton backend needs grpc

    return TritonClient(settings.triton_url)  # type: ignore[attr-defined]


def result_headers(result: TryOnResult, request_id: str) -> dict[str, str]:
    """Server-Timing per stage (standard header, shown by browser dev tools) and the model versions."""
    timing = ", ".join(f"{stage};dur={ms:.1f}" for stage, ms in result.timings_ms.items())
    versions = ", ".join(f"{name}={use.version}" for name, use in sorted(result.models.items()))
    headers = {REQUEST_ID: request_id, "Server-Timing": timing, "X-Model-Versions": versions}
    if result.untrained_models:
        headers["X-Untrained-Models"] = ", ".join(result.untrained_models)
    return headers


def create_app(settings: Settings | None = None, client: InferenceClient | None = None) -> FastAPI:
    settings = settings or Settings()
    metrics = GatewayMetrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.client = client or make_client(settings)
        app.state.pipeline = DesignPipeline(
            app.state.client, timeout_s=settings.request_timeout_s,
            observe=lambda stage, model, version, outcome, seconds: metrics.stage_duration.labels(
                stage, model, str(version), outcome).observe(seconds))
        yield
        await app.state.client.close()

    app = FastAPI(title="Fitting Room", version="0.1.0", lifespan=lifespan,
                  description="Virtual try-on: a shopper's photo in, the shopper wearing the garment out.")
    app.state.settings = settings
    app.state.metrics = metrics
    install_error_handlers(app)

    @app.middleware("http")
    async def observe(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        request_id = request.headers.get(REQUEST_ID) or uuid.uuid4().hex
        request.state.request_id = request_id
        route = request.url.path
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > settings.max_upload_bytes:
            response: Response = JSONResponse(error_body(
                PayloadTooLarge.code, f"request body is {length} bytes; the limit is {settings.max_upload_bytes}"),
                PayloadTooLarge.status_code)
        else:
            start = time.perf_counter()
            metrics.in_flight.labels(route).inc()
            try:
                response = await call_next(request)
            finally:
                metrics.in_flight.labels(route).dec()
            matched = request.scope.get("route")
            route = getattr(matched, "path", route)
            status = str(response.status_code)
            metrics.request_duration.labels(route, request.method, status).observe(time.perf_counter() - start)
            metrics.requests.labels(route, request.method, status).inc()
            code = getattr(request.state, "error_code", None)
            if code:
                metrics.errors.labels(route, code).inc()
        response.headers[REQUEST_ID] = request_id
        return response

    async def read_image(upload: UploadFile, field: str) -> np.ndarray:
        data = await upload.read(settings.max_upload_bytes + 1)
        if len(data) > settings.max_upload_bytes:
            raise PayloadTooLarge(f"'{field}' is larger than {settings.max_upload_bytes} bytes", field=field)
        return decode_image(data, field=field, max_pixels=settings.max_image_pixels,
                            max_side=settings.max_image_side)

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"])
    async def readyz(request: Request) -> JSONResponse:
        """Readiness: the backend answers and every model of the design mode is ready."""
        inference: InferenceClient = request.app.state.client
        models = {m: await inference.is_model_ready(m) for m in DESIGN_MODELS}
        ready = await inference.is_server_ready() and all(models.values())
        return JSONResponse({"ready": ready, "models": models}, 200 if ready else 503)

    @app.get("/metrics", tags=["ops"])
    async def metrics_endpoint() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.post("/v1/tryon/design", tags=["try-on"],
              responses={200: {"content": {"image/png": {}, "image/jpeg": {}, "image/webp": {},
                                           "application/json": {}}}})
    async def tryon_design(
        request: Request,
        run: PipelineDep,
        person: Annotated[UploadFile, File(description="photo of the shopper (JPEG/PNG/WebP)")],
        content: Annotated[UploadFile, File(description="image to print on the garment")],
        style: Annotated[UploadFile, File(description="artwork whose style paints the content")],
        garment: Annotated[Garment, Form()] = Garment.UPPER,
        opacity: Annotated[float, Form(ge=0.0, le=1.0)] = 0.9,
        format: Annotated[str, Form(pattern=FORMAT_PATTERN)] = "png",
        max_side: Annotated[int | None, Form(ge=32)] = None,
    ) -> Response:
        """Print `content`, painted in the style of `style`, on the shopper's garment."""
        design = DesignRequest(
            person=await read_image(person, "person"), content=await read_image(content, "content"),
            artwork=await read_image(style, "style"), garment=garment, opacity=opacity)
        result = await run(design)
        image = limit_side(result.image, min(max_side or settings.max_output_side, settings.max_output_side))
        data, media_type = encode_image(image, format)
        headers = result_headers(result, request.state.request_id)
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse({
                "image": base64.b64encode(data).decode(), "media_type": media_type,
                "width": image.shape[1], "height": image.shape[0], "mode": result.mode,
                "timings_ms": result.timings_ms,
                "models": {n: {"version": u.version, "trained": u.trained} for n, u in result.models.items()},
                "untrained_models": result.untrained_models,
            }, headers=headers)
        return Response(data, media_type=media_type, headers=headers)

    return app
