"""Tenant API keys issued at run time (admin only): the key is shown once, only its digest is stored."""

from __future__ import annotations

import asyncio
import secrets
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request, Response
from pydantic import BaseModel, Field

from fittingroom.common.errors import NotFound
from fittingroom.gateway.auth import Tenant, authenticate_admin, digest
from fittingroom.gateway.store import ApiKeyRecord, Store

AdminDep = Annotated[Tenant, Depends(authenticate_admin)]
router = APIRouter(prefix="/v1/admin/keys", tags=["admin"])


class NewKey(BaseModel):
    tenant: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._\-]+$")


class KeyView(BaseModel):
    key_id: str
    tenant: str
    created_at: datetime


class IssuedKey(KeyView):
    key: str  # returned once, at creation; the gateway cannot show it again


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _view(record: ApiKeyRecord) -> KeyView:
    return KeyView(key_id=record.key_id, tenant=record.tenant, created_at=record.created_at)


@router.post("", status_code=201)
async def issue_key(request: Request, _: AdminDep, new: Annotated[NewKey, Body()]) -> IssuedKey:
    """Issue a key for a tenant; every replica accepts it at once (the store is shared)."""
    key = secrets.token_urlsafe(32)
    record = await asyncio.to_thread(_store(request).add_api_key, digest(key).hex(), new.tenant)
    return IssuedKey(key=key, **_view(record).model_dump())


@router.get("")
async def list_keys(request: Request, _: AdminDep) -> list[KeyView]:
    return [_view(r) for r in await asyncio.to_thread(_store(request).list_api_keys)]


@router.delete("/{key_id}", status_code=204)
async def revoke_key(request: Request, key_id: str, _: AdminDep) -> Response:
    """Revoke a key by its id (the first 12 hex digits of its digest)."""
    if len(key_id) != 12 or not await asyncio.to_thread(_store(request).delete_api_key, key_id):
        raise NotFound(f"no API key with id '{key_id}'", field="key_id")
    return Response(status_code=204)
