"""The catalog on a real PostgreSQL server (the multi-replica configuration). Routing changes from several
replicas and crashes mid-commit run on it too, in tests/reliability/test_storage_crash.py."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from helpers import new_postgres_database

from fittingroom.gateway.store import DuplicateSku, GarmentRecord, Store

pytestmark = pytest.mark.integration


@pytest.fixture
def postgres_url(postgres: str) -> str:
    return new_postgres_database(postgres)


def _garment(sku: str | None, tenant: str = "shop") -> GarmentRecord:
    garment_id = Store.new_garment_id()
    return GarmentRecord(id=garment_id, tenant=tenant, sku=sku, category="upper", width=10, height=20,
                         image_key=f"garments/{garment_id}/image.png", mask_key=f"garments/{garment_id}/mask.png",
                         landmarks={"category": "upper", "points": {"neck": [1.0, 2.0]}}, created_at=datetime.now(UTC))


def test_catalog_on_postgres(postgres_url: str) -> None:
    store = Store(postgres_url)
    first = _garment("SKU-1")
    store.add_garment(first)
    with pytest.raises(DuplicateSku):
        store.add_garment(_garment("SKU-1"))
    store.add_garment(_garment("SKU-1", tenant="other"))  # unique per tenant only
    got = store.get_garment(first.id, "shop")
    assert got is not None and got.landmarks == first.landmarks and got.sku == "SKU-1"
    assert store.get_garment(first.id, "other") is None
    items, total = store.list_garments("shop", limit=10, offset=0)
    assert total == 1 and items[0].id == first.id
    assert store.delete_garment(first.id, "shop") is not None
    assert store.get_garment(first.id, "shop") is None
    store.close()
