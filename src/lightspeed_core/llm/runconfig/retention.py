"""OGX keeps no conversation content: the profile's inference store is switched off.

OGX's inference router writes every chat completion it makes (the prompt messages and the
answer) into ``storage.stores.inference`` when that store is enabled, even for
``responses.create(store=False)``. The usual run.yaml declares it. This service keeps
conversations in its own database and never reads OGX's copy, so the synthesised run config
sets ``enabled: false`` on it. Only ``llama_stack.config.native_override`` setting
``storage.stores.inference.enabled: true`` keeps it, with a warning at start-up.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)


def _override_enables(override: Mapping[str, Any]) -> bool:
    storage = override.get("storage")
    stores = storage.get("stores") if isinstance(storage, Mapping) else None
    inference = stores.get("inference") if isinstance(stores, Mapping) else None
    return isinstance(inference, Mapping) and inference.get("enabled") is True


def disable_inference_store(run: dict[str, Any], source: str, override: Mapping[str, Any]) -> None:
    """Set ``storage.stores.inference.enabled: false`` unless ``override`` enables it.

    ``source`` names where the run config came from (the profile file) for the log line.
    """
    stores = run.setdefault("storage", {}).setdefault("stores", {})
    store = stores.get("inference")
    if not isinstance(store, dict):
        return  # the skeleton always adds one (OGX refuses to start without it)
    where = f"table {store.get('table_name', 'inference_store')!r} on {store.get('backend')!r}"
    if _override_enables(override):
        log.warning(
            "llama_stack.config.native_override enables OGX's inference store (%s): OGX will "
            "keep the text of every prompt and answer there, and deleting a conversation "
            "does not remove it",
            where,
        )
        return
    if store.get("enabled", True) is not False:
        log.info(
            "%s declares OGX's inference store (%s); disabled: this service does not need "
            "OGX to keep a copy of every prompt and answer",
            source,
            where,
        )
    store["enabled"] = False
