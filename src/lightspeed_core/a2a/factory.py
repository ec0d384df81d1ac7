"""``build_a2a``: the A2A service the configuration asks for.

``a2a_state`` with a ``sqlite`` or ``postgres`` block → tasks and contexts in that database
(migrated like every other), shared by every worker and pod. Neither → in this process's
memory, as the reference: fine for one worker, but with ``service.workers > 1`` a task is
known only to the worker that took its message, so start-up says so.
"""

from __future__ import annotations

import logging
from pathlib import Path

from lightspeed_core.a2a.card import build_card
from lightspeed_core.a2a.service import A2AService, JsonRpc
from lightspeed_core.a2a.store import A2AStore, MemoryA2AStore
from lightspeed_core.a2a.store_db import DatabaseA2AStore
from lightspeed_core.background import BackgroundTasks
from lightspeed_core.config import Configuration
from lightspeed_core.db.pool import DatabasePool

log = logging.getLogger(__name__)
MEMORY_WITH_WORKERS = (
    "a2a_state has no sqlite or postgres block: A2A tasks are kept in each worker's memory, "
    "so with service.workers = %d tasks/get and tasks/cancel only find a task on the worker "
    "that took its message; configure a2a_state to share them"
)


def sdk_endpoint(service: A2AService) -> JsonRpc:
    """The JSON-RPC endpoint over the A2A SDK, imported on first use (~0.3 s of start-up)."""
    from lightspeed_core.a2a.jsonrpc import JsonRpcEndpoint

    return JsonRpcEndpoint(service)


async def build_a2a(
    config: Configuration,
    config_dir: Path,
    pool: DatabasePool,
    background: BackgroundTasks,
    version: str,
) -> A2AService:
    """The card (``None`` if not configured; an invalid one stops start-up) and the store."""
    card = build_card(config, config_dir, version)
    block = config.a2a_state.sqlite or config.a2a_state.postgres
    store: A2AStore
    if block is not None:
        store = DatabaseA2AStore(await pool.get(block))
    else:
        store = MemoryA2AStore()
        if config.service.workers > 1:
            log.warning(MEMORY_WITH_WORKERS, config.service.workers)
    return A2AService(store, background, card, sdk_endpoint)
