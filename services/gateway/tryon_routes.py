"""Try-on routes: one endpoint for every mode, plus the design-mode shortcut."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Annotated

import numpy as np
from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from fastapi.responses import JSONResponse

from fittingroom.common.errors import InvalidInput, PayloadTooLarge
from fittingroom.common.imagecodec import OUTPUT_FORMATS, decode_image, encode_image, limit_side
from fittingroom.gateway.admission import AtCapacity
from fittingroom.gateway.auth import Tenant, authenticate
from fittingroom.gateway.garment_mask import Garment
from fittingroom.gateway.limits import RateLimited
from fittingroom.gateway.pipeline import DesignPipeline, DesignRequest, TryOnResult
from fittingroom.gateway.routing import PIN_HEADER, parse_pins

REQUEST_ID = "X-Request-Id"
FORMAT_PATTERN = f"^({'|'.join(OUTPUT_FORMATS)})$"
IMAGE_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {"image/png": {}, "image/jpeg": {}, "image/webp": {}, "application/json": {}}}}


async def admitted(request: Request, tenant: Annotated[Tenant, Depends(authenticate)]) -> AsyncIterator[Tenant]:
    """The tenant, inside its rate and concurrency limits and holding a global try-on slot, for the whole
    request."""
    limits = request.app.state.limits
    try:
        limits.admit(tenant.name)
    except RateLimited:
        request.app.state.metrics.rejected.labels(tenant.name, "tenant_limit").inc()
        raise
    try:
        try:
            async with request.app.state.admission.slot():
                yield tenant
        except AtCapacity:
            request.app.state.metrics.rejected.labels(tenant.name, "overload").inc()
            raise
    finally:
        limits.done(tenant.name)


def get_design(request: Request) -> DesignPipeline:
    pipeline: DesignPipeline = request.app.state.pipeline
    return pipeline


AdmittedDep = Annotated[Tenant, Depends(admitted)]
DesignDep = Annotated[DesignPipeline, Depends(get_design)]
router = APIRouter(tags=["try-on"])


async def read_image(request: Request, upload: UploadFile, field: str) -> np.ndarray:
    settings = request.app.state.settings
    data = await upload.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise PayloadTooLarge(f"'{field}' is larger than {settings.max_upload_bytes} bytes", field=field)
    return decode_image(data, field=field, max_pixels=settings.max_image_pixels, max_side=settings.max_image_side)


def result_headers(result: TryOnResult, request_id: str) -> dict[str, str]:
    """Server-Timing per stage (a standard header, shown by browser dev tools) and the model versions."""
    timing = ", ".join(f"{stage};dur={ms:.1f}" for stage, ms in result.timings_ms.items())
    versions = ", ".join(f"{name}={use.version}" for name, use in sorted(result.models.items()))
    headers = {REQUEST_ID: request_id, "Server-Timing": timing, "X-Model-Versions": versions}
    if result.untrained_models:
        headers["X-Untrained-Models"] = ", ".join(result.untrained_models)
    return headers


def respond(request: Request, result: TryOnResult, fmt: str, max_side: int | None) -> Response:
    settings = request.app.state.settings
    image = limit_side(result.image, min(max_side or settings.max_output_side, settings.max_output_side))
    data, media_type = encode_image(image, fmt)
    headers = result_headers(result, request.state.request_id)
    if "application/json" not in request.headers.get("accept", ""):
        return Response(data, media_type=media_type, headers=headers)
    return JSONResponse({
        "image": base64.b64encode(data).decode(), "media_type": media_type,
        "width": image.shape[1], "height": image.shape[0], "mode": result.mode,
        "timings_ms": result.timings_ms,
        "models": {n: {"version": u.version, "trained": u.trained} for n, u in result.models.items()},
        "untrained_models": result.untrained_models,
    }, headers=headers)


@router.post("/v1/tryon/design", responses=IMAGE_RESPONSES)
async def tryon_design(
    request: Request,
    _: AdmittedDep,
    run: DesignDep,
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
        person=await read_image(request, person, "person"), content=await read_image(request, content, "content"),
        artwork=await read_image(request, style, "style"), garment=garment, opacity=opacity)
    result = await run(design, pins=parse_pins(request.headers.get(PIN_HEADER)))
    return respond(request, result, format, max_side)


@router.post("/v1/tryon", responses=IMAGE_RESPONSES)
async def tryon(
    request: Request,
    _: AdmittedDep,
    design_pipeline: DesignDep,
    person: Annotated[UploadFile, File(description="photo of the shopper (JPEG/PNG/WebP)")],
    mode: Annotated[str, Form(pattern="^(design|garment)$")] = "design",
    content: Annotated[UploadFile | None, File(description="design mode: image to print")] = None,
    style: Annotated[UploadFile | None, File(description="design mode: artwork giving the style")] = None,
    category: Annotated[Garment, Form()] = Garment.UPPER,
    opacity: Annotated[float, Form(ge=0.0, le=1.0)] = 0.9,
    format: Annotated[str, Form(pattern=FORMAT_PATTERN)] = "png",
    max_side: Annotated[int | None, Form(ge=32)] = None,
) -> Response:
    """One try-on endpoint for every mode: `design` (content + style) or `garment` (catalog or image)."""
    pins = parse_pins(request.headers.get(PIN_HEADER))
    if mode == "design":
        if content is None or style is None:
            raise InvalidInput("design mode needs both 'content' and 'style' images",
                               field="content" if content is None else "style")
        design = DesignRequest(
            person=await read_image(request, person, "person"),
            content=await read_image(request, content, "content"),
            artwork=await read_image(request, style, "style"), garment=category, opacity=opacity)
        return respond(request, await design_pipeline(design, pins=pins), format, max_side)
    raise InvalidInput("garment mode is not available yet", field="mode")
