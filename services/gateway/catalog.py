"""The garment catalog: register a product photo once; its mask is computed then and stored with it."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Annotated

import numpy as np
from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from pydantic import BaseModel

from fittingroom.common.errors import Conflict, InvalidInput, NotFound
from fittingroom.common.garment import Category, GarmentLandmarks
from fittingroom.common.imagecodec import decode_image, encode_image
from fittingroom.gateway.admission import AdmittedDep
from fittingroom.gateway.auth import Tenant, authenticate
from fittingroom.gateway.blobs import BlobStore
from fittingroom.gateway.store import DuplicateSku, GarmentRecord, Store
from fittingroom.gateway.uploads import read_image
from fittingroom.tryon.requests import GarmentRequest
from fittingroom.tryon.service import TryOnService

log = logging.getLogger(__name__)
TenantDep = Annotated[Tenant, Depends(authenticate)]
# Every catalog blob lives under this folder of the blob store (blob_sweep.py lists it for orphans).
BLOB_FOLDER = "garments"
# SQLite and PostgreSQL take 64-bit offsets; a larger one would be an OverflowError (500), not an empty page.
MAX_OFFSET = 2**63 - 1


class GarmentView(BaseModel):
    id: str
    sku: str | None
    category: Category
    width: int
    height: int
    created_at: datetime
    image_url: str


class GarmentPage(BaseModel):
    items: list[GarmentView]
    total: int
    limit: int
    offset: int


def view(record: GarmentRecord) -> GarmentView:
    return GarmentView(id=record.id, sku=record.sku, category=Category(record.category), width=record.width,
                       height=record.height, created_at=record.created_at,
                       image_url=f"/v1/garments/{record.id}/image")


class Catalog:
    def __init__(self, store: Store, blobs: BlobStore, tryon: TryOnService) -> None:
        self.store = store
        self.blobs = blobs
        self.tryon = tryon

    async def register(self, tenant: str, image: np.ndarray, category: Category, sku: str | None) -> GarmentRecord:
        """Mask and landmarks are computed once, here; then blobs first (atomic writes) and one row in one
        transaction: a crash leaves no half record."""
        try:  # the analysis speaks of "the garment"; here the offending field is the upload, `image`
            analysis = await self.tryon.analyze_product(image, category)
        except InvalidInput as exc:
            raise InvalidInput(exc.message, field="image") from exc
        marks = analysis.landmarks
        mask = (analysis.mask > 0).astype(np.uint8) * 255
        garment_id = self.store.new_garment_id()
        image_key, mask_key = f"{BLOB_FOLDER}/{garment_id}/image.png", f"{BLOB_FOLDER}/{garment_id}/mask.png"
        record = GarmentRecord(
            id=garment_id, tenant=tenant, sku=sku, category=category.value, width=image.shape[1],
            height=image.shape[0], image_key=image_key, mask_key=mask_key, landmarks=marks.to_json(),
            created_at=datetime.now(UTC))
        await asyncio.to_thread(self._put_png, image_key, image)
        await asyncio.to_thread(self._put_png, mask_key, np.dstack([mask] * 3))
        try:
            await asyncio.to_thread(self.store.add_garment, record)
        except DuplicateSku as exc:
            await asyncio.to_thread(self._drop_blobs, record)
            raise Conflict(f"SKU {sku!r} is already registered for this tenant", field="sku") from exc
        except BaseException:
            await asyncio.to_thread(self._drop_blobs, record)
            raise
        return record

    def _put_png(self, key: str, image: np.ndarray) -> None:
        self.blobs.put(key, encode_image(image, "png")[0])

    def _drop_blobs(self, record: GarmentRecord) -> None:
        for key in (record.image_key, record.mask_key):
            self.blobs.delete(key)

    async def get(self, tenant: str, garment_id: str) -> GarmentRecord:
        record = await asyncio.to_thread(self.store.get_garment, garment_id, tenant)
        if record is None:
            raise NotFound(f"garment '{garment_id}' does not exist", field="garment_id")
        return record

    async def garment_request(self, record: GarmentRecord, person: np.ndarray) -> GarmentRequest:
        """A try-on request for this garment, with the mask and landmarks stored at registration."""
        image, mask = await asyncio.gather(asyncio.to_thread(self._read_png, record, record.image_key),
                                           asyncio.to_thread(self._read_png, record, record.mask_key))
        return GarmentRequest(person=person, garment=image, category=Category(record.category),
                              product_mask=(mask[..., 0] > 127).astype(np.uint8),
                              landmarks=GarmentLandmarks.from_json(record.landmarks))

    def _read_png(self, record: GarmentRecord, key: str) -> np.ndarray:
        return decode_image(self.blobs.get(key), field="garment", max_pixels=record.width * record.height)

    async def delete(self, tenant: str, garment_id: str) -> None:
        record = await asyncio.to_thread(self.store.delete_garment, garment_id, tenant)
        if record is None:
            raise NotFound(f"garment '{garment_id}' does not exist", field="garment_id")
        await asyncio.to_thread(self._drop_blobs, record)


def get_catalog(request: Request) -> Catalog:
    catalog: Catalog = request.app.state.catalog
    return catalog


CatalogDep = Annotated[Catalog, Depends(get_catalog)]
router = APIRouter(prefix="/v1/garments", tags=["catalog"])


@router.post("", status_code=201)
async def register_garment(
    request: Request, tenant: AdmittedDep, catalog: CatalogDep,
    image: Annotated[UploadFile, File(description="product photo of the garment")],
    category: Annotated[Category, Form()],
    sku: Annotated[str | None, Form(max_length=128, pattern=r"^[A-Za-z0-9._\-]+$")] = None,
) -> GarmentView:
    """Register a catalog garment; its mask is computed once, now, under the same admission as a try-on."""
    pixels = await read_image(request.app.state.settings, image, "image")
    return view(await catalog.register(tenant.name, pixels, category, sku))


@router.get("")
async def list_garments(tenant: TenantDep, catalog: CatalogDep, limit: Annotated[int, Query(ge=1, le=200)] = 50,
                        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0) -> GarmentPage:
    records, total = await asyncio.to_thread(catalog.store.list_garments, tenant.name, limit=limit, offset=offset)
    return GarmentPage(items=[view(r) for r in records], total=total, limit=limit, offset=offset)


@router.get("/{garment_id}")
async def get_garment(garment_id: str, tenant: TenantDep, catalog: CatalogDep) -> GarmentView:
    return view(await catalog.get(tenant.name, garment_id))


@router.get("/{garment_id}/image", response_class=Response,
            responses={200: {"content": {"image/png": {}}}})
async def garment_image(garment_id: str, tenant: TenantDep, catalog: CatalogDep) -> Response:
    record = await catalog.get(tenant.name, garment_id)
    data = await asyncio.to_thread(catalog.blobs.get, record.image_key)
    return Response(data, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


@router.delete("/{garment_id}", status_code=204)
async def delete_garment(garment_id: str, tenant: TenantDep, catalog: CatalogDep) -> Response:
    await catalog.delete(tenant.name, garment_id)
    return Response(status_code=204)
