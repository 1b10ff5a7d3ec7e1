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


class TooManyOrphans(RuntimeError):
    """More orphans than killed registrations could leave: the database is likely not this blob store's."""


def sweep_orphans(blobs: BlobStore, store: Store, grace: timedelta, max_orphans: int) -> int:
    """Delete the catalog blobs older than `grace` that no garment references; returns how many.

    Killed registrations leave a few orphans. Many more mean the gateway reads another (or an empty)
    database than the one that wrote these blobs, and deleting them would lose the catalog: then nothing
    is deleted and TooManyOrphans is raised.
    """
    cutoff = datetime.now(UTC) - grace
    # Blobs first, references second: a blob listed as old was written more than `grace` before the references
    # are read, so its row, if it has one, is among them (a registration commits right after its blob writes).
    old = [blob.key for blob in blobs.list_blobs(BLOB_FOLDER) if blob.modified < cutoff]
    referenced = store.referenced_blob_keys()
    orphans = [key for key in old if key not in referenced]
    if len(orphans) > max_orphans:
        raise TooManyOrphans(f"{len(orphans)} of {len(old)} catalog blobs older than {grace} are referenced by "
                             f"no garment (more than TRYON_ORPHAN_BLOB_SWEEP_MAX={max_orphans}): is "
                             "TRYON_DATABASE_URL the database these blobs belong to? Nothing was deleted")
    for key in orphans:
        blobs.delete(key)
    return len(orphans)


async def sweep_in_background(blobs: BlobStore, store: Store, grace: timedelta, max_orphans: int,
                              swept: Counter) -> None:
    """The start-up sweep, off the event loop; a failure is logged, never raised (the next start sweeps again)."""
    try:
        count = await asyncio.to_thread(sweep_orphans, blobs, store, grace, max_orphans)
    except TooManyOrphans as exc:
        log.error("orphan blob sweep refused: %s", exc)
        return
    except Exception:
        log.exception("orphan blob sweep failed; the next start tries again")
        return
    swept.inc(count)
    log.info("orphan blob sweep: deleted %d catalog blob(s) no garment referenced (older than %s)", count, grace)
