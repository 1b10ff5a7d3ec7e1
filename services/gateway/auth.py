"""Tenants and API keys: keys are kept only as SHA-256 digests and compared in constant time.

API keys are long random tokens, so a fast hash is enough (no dictionary to attack); what matters is
that the plain key is never stored, logged or compared with an early exit.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
from dataclasses import dataclass
from typing import Protocol

from fastapi import Request

from fittingroom.common.errors import Forbidden, Unauthorized

log = logging.getLogger(__name__)

ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Tenant:
    name: str
    admin: bool = False


def digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class KeyStore(Protocol):
    def tenant_of_key(self, digest_hex: str) -> str | None: ...


class KeyRing:
    """Tenant keys from `TRYON_API_KEYS` ("tenant=key,..." or bare keys), the admin key, and keys issued
    through the admin API (kept as digests in the shared store, so every replica knows them)."""

    def __init__(self, api_keys: str, admin_key: str | None, store: KeyStore | None = None) -> None:
        self.store = store
        self._keys: list[tuple[bytes, Tenant]] = []
        for index, item in enumerate(part.strip() for part in api_keys.split(",")):
            if not item:
                continue
            name, sep, key = item.partition("=")
            tenant = name.strip() if sep else f"tenant-{index + 1}"
            self._keys.append((digest(key.strip() if sep else item), Tenant(tenant)))
        self._admin = digest(admin_key) if admin_key else None

    @property
    def enabled(self) -> bool:
        return bool(self._keys) or self._admin is not None

    def tenant_for(self, key: str) -> Tenant | None:
        given = digest(key)
        found: Tenant | None = None
        for stored, tenant in self._keys:  # no early exit: the time does not depend on which key matched
            if hmac.compare_digest(stored, given):
                found = tenant
        if self._admin is not None and hmac.compare_digest(self._admin, given):
            found = Tenant("admin", admin=True)
        if found is None and self.store is not None:
            # Looked up by digest: what the database compares is a hash, which tells an attacker nothing.
            issued_to = self.store.tenant_of_key(given.hex())
            found = Tenant(issued_to) if issued_to is not None else None
        return found


def presented_key(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get("x-api-key")


def authenticate(request: Request) -> Tenant:
    """The request's tenant; with no keys configured (loopback only) everyone is `anonymous`."""
    ring: KeyRing = request.app.state.keyring
    if not ring.enabled:
        return Tenant(ANONYMOUS, admin=True)
    key = presented_key(request)
    if not key:
        raise Unauthorized("an API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key'")
    tenant = ring.tenant_for(key)
    if tenant is None:
        raise Unauthorized("the API key is not valid")
    request.state.tenant = tenant.name
    return tenant


def authenticate_admin(request: Request) -> Tenant:
    tenant = authenticate(request)
    if not tenant.admin:
        raise Forbidden("this route needs the admin key (TRYON_ADMIN_KEY)")
    return tenant
