"""Every gateway keeps bringing each Triton replica it discovers to the versions the admin API loaded.

Triton forgets what the admin API loaded when it restarts. The model store's config (admin.write_policy)
makes a restarted or added replica load those versions before it reports ready; this loop is the check on
it, for what the config cannot cover: a replica that started from an older copy of the store (its
model-sync had not copied the new config yet), a version that failed to load on one replica when the
admin API asked, a model store the gateway cannot write. Each pass resolves the group again (replicas come
and go), loads and warms what a replica lacks, and writes the config back if it drifted. Versions being
unloaded are not brought back. Nothing is unloaded here: an extra version costs memory, a missing one fails
requests.
"""

from __future__ import annotations

import asyncio
import logging

from fittingroom.common.errors import TryOnError
from fittingroom.gateway.admin import ModelAdmin, ReplicaView

log = logging.getLogger(__name__)


async def reconcile_once(admin: ModelAdmin) -> dict[str, dict[str, ReplicaView]]:
    """One pass over every model with wanted versions; each model's replicas as they are afterwards."""
    loads = await asyncio.to_thread(admin.store.version_loads)
    report = {}
    for model, versions in sorted(loads.items()):
        wanted = {v for v, load in versions.items() if load.draining_since is None}
        if not wanted:
            continue
        try:
            await admin.write_policy(model)
            report[model] = await admin.reconcile(model, wanted)
        except TryOnError as exc:  # no replica answers now: the next pass tries again
            log.warning("reconcile: %s: %s", model, exc.message)
    return report


async def reconcile_forever(admin: ModelAdmin, interval_s: float) -> None:
    """A pass at start (replicas may have restarted while no gateway ran), then every `interval_s`."""
    while True:
        try:
            await reconcile_once(admin)
        except Exception:  # a store or network failure must not end the loop
            log.exception("reconcile pass failed")
        await asyncio.sleep(interval_s)
