"""The catalog and routing store on a real PostgreSQL server (the multi-replica configuration)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from fittingroom.gateway.store import DuplicateSku, GarmentRecord, Store
from tools.cluster import postgres, postgres_missing

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    missing = postgres_missing()
    if missing:
        pytest.skip(missing)
    with postgres() as url:
        yield url


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


def test_routing_changes_from_two_replicas_are_serialised(postgres_url: str) -> None:
    """Two gateway replicas (two engines) changing one split at once: every change gets its own revision,
    and the race to create the first route is no error."""
    replicas = [Store(postgres_url), Store(postgres_url)]
    errors: list[BaseException] = []

    def writer(store: Store, weight: int) -> None:
        try:
            for _ in range(20):
                store.set_split("style_transform", {1: weight, 2: 100 - weight})
        except BaseException as exc:  # collected: a thread's exception would otherwise vanish
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(replicas[i % 2], 10 * i)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    route = replicas[0].routes()["style_transform"]
    assert route.revision == 6 * 20
    assert sum(route.split.values()) == 100 and route.previous is not None
    for store in replicas:
        store.close()
