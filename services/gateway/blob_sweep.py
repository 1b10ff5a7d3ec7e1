"""Deletes catalog blobs that no garment references.

A registration writes its blobs, then commits its row; one that fails cleanly deletes its blobs
(catalog.py), but one killed in between (SIGKILL, OOM, power loss) leaves them behind, unreachable.
The gateway sweeps them once at start-up. Blobs younger than a grace period are kept: they may belong
to a registration still in flight, on this replica or another.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from prometheus_client import Counter

from fittingroom.gateway.blobs import BlobStore
from fittingroom.gateway.catalog import BLOB_FOLDER
from fittingroom.gateway.store import Store

log = logging.getLogger(__name__)


def sweep_orphans(blobs: BlobStore, store: Store, grace: timedelta) -> int:
    """Delete the catalog blobs older than `grace` that no garment references; returns how many."""
    cutoff = datetime.now(UTC) - grace
    # Blobs first, references second: a blob listed as old was written more than `grace` before the references
    # are read, so its row, if it has one, is among them (a registration commits right after its blob writes).
    old = [blob.key for blob in blobs.list_blobs(BLOB_FOLDER) if blob.modified < cutoff]
    referenced = store.referenced_blob_keys()
    orphans = [key for key in old if key not in referenced]
    for key in orphans:
        blobs.delete(key)
    return len(orphans)


async def sweep_in_background(blobs: BlobStore, store: Store, grace: timedelta, swept: Counter) -> None:
    """The start-up sweep, off the event loop; a failure is logged, never raised (the next start sweeps again)."""
    try:
        count = await asyncio.to_thread(sweep_orphans, blobs, store, grace)
    except Exception:
        log.exception("orphan blob sweep failed; the next start tries again")
        return
    swept.inc(count)
    log.info("orphan blob sweep: deleted %d catalog blob(s) no garment referenced (older than %s)", count, grace)
