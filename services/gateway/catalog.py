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
from fittingroom.common.imagecodec import decode_image, encode_image
from fittingroom.gateway.auth import Tenant, authenticate
from fittingroom.gateway.blobs import BlobStore
from fittingroom.gateway.garment_mask import Garment
from fittingroom.gateway.garment_pipeline import GarmentRequest
from fittingroom.gateway.store import DuplicateSku, GarmentRecord, Store
from fittingroom.segment.client import SalientMask
from fittingroom.segment.garment_landmarks import GarmentLandmarks, garment_landmarks
from fittingroom.segment.product import product_mask

log = logging.getLogger(__name__)
TenantDep = Annotated[Tenant, Depends(authenticate)]
# Every catalog blob lives under this folder of the blob store (blob_sweep.py lists it for orphans).
BLOB_FOLDER = "garments"
# SQLite and PostgreSQL take 64-bit offsets; a larger one would be an OverflowError (500), not an empty page.
MAX_OFFSET = 2**63 - 1


class GarmentView(BaseModel):
    id: str
    sku: str | None
    category: Garment
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
    return GarmentView(id=record.id, sku=record.sku, category=Garment(record.category), width=record.width,
                       height=record.height, created_at=record.created_at,
                       image_url=f"/v1/garments/{record.id}/image")


class Catalog:
    def __init__(self, store: Store, blobs: BlobStore, masks: SalientMask) -> None:
        self.store = store
        self.blobs = blobs
        self.masks = masks

    async def register(self, tenant: str, image: np.ndarray, category: Garment, sku: str | None) -> GarmentRecord:
        """Mask and landmarks are computed once, here; then blobs first (atomic writes) and one row in one
        transaction: a crash leaves no half record."""
        probability = await self.masks.mask(image)
        try:  # the analysis speaks of "the garment"; here the offending field is the upload, `image`
            silhouette = await asyncio.to_thread(product_mask, image, probability)
            if silhouette.mean() < 0.01:
                raise InvalidInput("no garment found in the image; send a product photo on a plain background")
            marks = await asyncio.to_thread(garment_landmarks, silhouette, category.value)
        except InvalidInput as exc:
            raise InvalidInput(exc.message, field="image") from exc
        mask = (silhouette > 0).astype(np.uint8) * 255
        garment_id = self.store.new_garment_id()
        image_key, mask_key = f"{BLOB_FOLDER}/{garment_id}/image.png", f"{BLOB_FOLDER}/{garment_id}/mask.png"
        record = GarmentRecord(
            id=garment_id, tenant=tenant, sku=sku, category=category.value, width=image.shape[1],
            height=image.shape[0], image_key=image_key, mask_key=mask_key, landmarks=marks.to_json(),
            created_at=datetime.now(UTC))
        await asyncio.to_thread(self.blobs.put, image_key, encode_image(image, "png")[0])
        await asyncio.to_thread(self.blobs.put, mask_key, encode_image(np.dstack([mask] * 3), "png")[0])
        try:
            await asyncio.to_thread(self.store.add_garment, record)
        except DuplicateSku as exc:
            await asyncio.to_thread(self._drop_blobs, record)
            raise Conflict(f"SKU {sku!r} is already registered for this tenant", field="sku") from exc
        except BaseException:
            await asyncio.to_thread(self._drop_blobs, record)
            raise
        return record

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
        image, mask = await asyncio.gather(asyncio.to_thread(self.blobs.get, record.image_key),
                                           asyncio.to_thread(self.blobs.get, record.mask_key))
        pixels = record.width * record.height
        return GarmentRequest(
            person=person, garment=decode_image(image, field="garment", max_pixels=pixels),
            category=Garment(record.category),
            garment_mask=(decode_image(mask, field="garment", max_pixels=pixels)[..., 0] > 127).astype(np.uint8),
            landmarks=GarmentLandmarks.from_json(record.landmarks))

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
    request: Request, tenant: TenantDep, catalog: CatalogDep,
    image: Annotated[UploadFile, File(description="product photo of the garment")],
    category: Annotated[Garment, Form()],
    sku: Annotated[str | None, Form(max_length=128, pattern=r"^[A-Za-z0-9._\-]+$")] = None,
) -> GarmentView:
    """Register a catalog garment; its mask is computed once, now."""
    settings = request.app.state.settings
    data = await image.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise InvalidInput(f"'image' is larger than {settings.max_upload_bytes} bytes", field="image")
    pixels = decode_image(data, field="image", max_pixels=settings.max_image_pixels, max_side=settings.max_image_side)
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
