"""Try-on routes: one endpoint for every mode, plus the design-mode shortcut."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
from collections.abc import Awaitable, Callable
from typing import Annotated

import numpy as np
from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from fastapi.responses import JSONResponse

from fittingroom.common.errors import InvalidInput
from fittingroom.common.garment import Category
from fittingroom.common.imagecodec import OUTPUT_FORMATS, encode_image, limit_side
from fittingroom.gateway.admission import AdmittedDep
from fittingroom.gateway.catalog import Catalog, get_catalog
from fittingroom.gateway.routing import PIN_HEADER, parse_pins
from fittingroom.gateway.settings import Settings
from fittingroom.gateway.uploads import read_image
from fittingroom.tryon.requests import SEED_LIMIT, DesignRequest, GarmentRequest, GeneratorNoise
from fittingroom.tryon.result import TryOnResult
from fittingroom.tryon.selection import GarmentPath
from fittingroom.tryon.service import TryOnService

REQUEST_ID = "X-Request-Id"
SEED_HEADER = "X-TryOn-Seed"
FORMAT_PATTERN = f"^({'|'.join(OUTPUT_FORMATS)})$"
IMAGE_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {"image/png": {}, "image/jpeg": {}, "image/webp": {}, "application/json": {}}}}


def get_tryon(request: Request) -> TryOnService:
    tryon: TryOnService = request.app.state.tryon
    return tryon


TryOnDep = Annotated[TryOnService, Depends(get_tryon)]
router = APIRouter(tags=["try-on"])


def result_headers(result: TryOnResult, request_id: str) -> dict[str, str]:
    """Server-Timing per stage (a standard header, shown by browser dev tools) and the model versions."""
    timing = ", ".join(f"{stage};dur={ms:.1f}" for stage, ms in result.timings_ms.items())
    versions = ", ".join(f"{name}={use.version}" for name, use in sorted(result.models.items()))
    headers = {REQUEST_ID: request_id, "Server-Timing": timing, "X-Model-Versions": versions}
    if result.untrained_models:
        headers["X-Untrained-Models"] = ", ".join(result.untrained_models)
    if result.path:
        headers["X-TryOn-Path"] = result.path
    if result.seed is not None:
        headers[SEED_HEADER] = str(result.seed)
    if result.dressing:
        headers["X-TryOn-Dressing"] = result.dressing
    return headers


def _encoded(request: Request, result: TryOnResult, fmt: str, max_side: int | None) -> tuple[np.ndarray, bytes, str]:
    settings = request.app.state.settings
    image = limit_side(result.image, min(max_side or settings.max_output_side, settings.max_output_side))
    data, media_type = encode_image(image, fmt)
    return image, data, media_type


async def result_json(request: Request, result: TryOnResult, fmt: str, max_side: int | None) -> dict[str, object]:
    # Encoding is CPU work (tens of ms for a PNG): off the event loop, so other requests keep moving.
    image, data, media_type = await asyncio.to_thread(_encoded, request, result, fmt, max_side)
    return {
        "image": base64.b64encode(data).decode(), "media_type": media_type,
        "width": image.shape[1], "height": image.shape[0], "mode": result.mode, "path": result.path,
        "timings_ms": result.timings_ms,
        "models": {n: {"version": u.version, "trained": u.trained} for n, u in result.models.items()},
        "untrained_models": result.untrained_models,
        "seed": result.seed,
        "dressing": result.dressing,
    }


async def respond(request: Request, result: TryOnResult, fmt: str, max_side: int | None) -> Response:
    headers = result_headers(result, request.state.request_id)
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse(await result_json(request, result, fmt, max_side), headers=headers)
    _, data, media_type = await asyncio.to_thread(_encoded, request, result, fmt, max_side)
    return Response(data, media_type=media_type, headers=headers)


@router.post("/v1/tryon/design", responses=IMAGE_RESPONSES)
async def tryon_design(
    request: Request,
    _: AdmittedDep,
    tryon: TryOnDep,
    person: Annotated[UploadFile, File(description="photo of the shopper (JPEG/PNG/WebP)")],
    content: Annotated[UploadFile, File(description="image to print on the garment")],
    style: Annotated[UploadFile, File(description="artwork whose style paints the content")],
    garment: Annotated[Category, Form()] = Category.UPPER,
    opacity: Annotated[float, Form(ge=0.0, le=1.0)] = 0.9,
    format: Annotated[str, Form(pattern=FORMAT_PATTERN)] = "png",
    max_side: Annotated[int | None, Form(ge=32)] = None,
) -> Response:
    """Print `content`, painted in the style of `style`, on the shopper's garment."""
    settings = request.app.state.settings
    design = DesignRequest(
        person=await read_image(settings, person, "person"), content=await read_image(settings, content, "content"),
        artwork=await read_image(settings, style, "style"), category=garment, opacity=opacity)
    result = await tryon.try_design(design, pins=parse_pins(request.headers.get(PIN_HEADER)))
    return await respond(request, result, format, max_side)


CatalogDep = Annotated[Catalog, Depends(get_catalog)]


class TryOnForm:
    """The fields of one try-on, whatever the mode; `run` turns them into a result for one person."""

    def __init__(
        self,
        request: Request,
        tenant: AdmittedDep,
        tryon: TryOnDep,
        catalog: CatalogDep,
        mode: Annotated[str, Form(pattern="^(design|garment)$")] = "design",
        garment_id: Annotated[str | None, Form(max_length=64, description="garment mode: a catalog garment")] = None,
        garment: Annotated[UploadFile | None, File(description="garment mode: a product photo instead")] = None,
        content: Annotated[UploadFile | None, File(description="design mode: image to print")] = None,
        style: Annotated[UploadFile | None, File(description="design mode: artwork giving the style")] = None,
        category: Annotated[Category, Form()] = Category.UPPER,
        path: Annotated[GarmentPath, Form(description="garment mode: classical, neural (VITON-HD), daflow or auto "
                                                      "(VITON-HD, else DAFlow, when all its models are trained; "
                                                      "else classical)")] = GarmentPath.AUTO,
        seed: Annotated[int | None, Form(ge=0, lt=SEED_LIMIT, description="garment mode, VITON-HD: the seed of "
                                         "the network's random inputs (default: a fresh one); the response "
                                         "reports the one used, and the same seed gives the same image")] = None,
        noise: Annotated[GeneratorNoise, Form(description="garment mode, VITON-HD: the generator's per-pixel "
                                                          "noise, on as the official inference path, or off")
                         ] = GeneratorNoise.ON,
        opacity: Annotated[float, Form(ge=0.0, le=1.0)] = 0.9,
        format: Annotated[str, Form(pattern=FORMAT_PATTERN)] = "png",
        max_side: Annotated[int | None, Form(ge=32)] = None,
    ) -> None:
        self.request, self.tenant, self.tryon, self.catalog, self.path = request, tenant, tryon, catalog, path
        self.mode, self.garment_id, self.garment, self.content, self.style = mode, garment_id, garment, content, style
        self.category, self.opacity, self.format, self.max_side = category, opacity, format, max_side
        self.seed, self.noise = seed, noise
        self.pins = parse_pins(request.headers.get(PIN_HEADER))

    async def prepare(self) -> Callable[[np.ndarray], Awaitable[TryOnResult]]:
        """Read and check everything but the person once; the returned call runs one person."""
        if self.mode == "design":
            if self.content is None or self.style is None:
                raise InvalidInput("design mode needs both 'content' and 'style' images",
                                   field="content" if self.content is None else "style")
            content = await read_image(self.settings, self.content, "content")
            artwork = await read_image(self.settings, self.style, "style")

            async def run_design(person: np.ndarray) -> TryOnResult:
                return await self.tryon.try_design(DesignRequest(person=person, content=content, artwork=artwork,
                                                                 category=self.category, opacity=self.opacity),
                                                   pins=self.pins)
            return run_design
        if (self.garment_id is None) == (self.garment is None):
            raise InvalidInput("garment mode needs exactly one of 'garment_id' (catalog) or 'garment' (image)",
                               field="garment_id")
        if self.garment_id is not None:
            record = await self.catalog.get(self.tenant.name, self.garment_id)

            async def run_catalog(person: np.ndarray) -> TryOnResult:
                request = dataclasses.replace(await self.catalog.garment_request(record, person), seed=self.seed,
                                              noise=self.noise)
                return await self.tryon.try_garment(request, self.path, pins=self.pins)
            return run_catalog
        assert self.garment is not None
        product = await read_image(self.settings, self.garment, "garment")

        async def run_upload(person: np.ndarray) -> TryOnResult:
            request = GarmentRequest(person=person, garment=product, category=self.category, seed=self.seed,
                                     noise=self.noise)
            return await self.tryon.try_garment(request, self.path, pins=self.pins)
        return run_upload

    @property
    def settings(self) -> Settings:
        settings: Settings = self.request.app.state.settings
        return settings


@router.post("/v1/tryon", responses=IMAGE_RESPONSES)
async def tryon(
    request: Request,
    form: Annotated[TryOnForm, Depends()],
    person: Annotated[UploadFile, File(description="photo of the shopper (JPEG/PNG/WebP)")],
) -> Response:
    """One try-on endpoint for every mode: `design` (content + style) or `garment` (catalog id or image)."""
    run = await form.prepare()
    result = await run(await read_image(form.settings, person, "person"))
    return await respond(request, result, form.format, form.max_side)


@router.post("/v1/tryon/batch")
async def tryon_batch(
    request: Request,
    form: Annotated[TryOnForm, Depends()],
    person: Annotated[list[UploadFile], File(description="several shopper photos, one garment or design")],
) -> JSONResponse:
    """Several persons and one garment (or design): one result per person, in order, each an image or an error."""
    settings = request.app.state.settings
    if len(person) > settings.max_batch_persons:
        raise InvalidInput(f"at most {settings.max_batch_persons} persons per batch, got {len(person)}",
                           field="person")
    run = await form.prepare()
    items: list[dict[str, object]] = []
    for index, upload in enumerate(person):
        try:
            result = await run(await read_image(settings, upload, f"person[{index}]"))
        except InvalidInput as exc:  # one bad photo must not sink the others
            items.append({"index": index, "error": {"code": exc.code, "message": exc.message, "field": exc.field}})
            continue
        items.append({"index": index, **(await result_json(request, result, form.format, form.max_side))})
    return JSONResponse({"results": items}, headers={REQUEST_ID: request.state.request_id})
