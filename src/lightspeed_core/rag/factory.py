"""``build_rag``: the RAG service the configuration asks for."""

from __future__ import annotations

import logging
import time

from lightspeed_core.config import Configuration
from lightspeed_core.llm.ports import VectorStores
from lightspeed_core.rag.base import RagService
from lightspeed_core.rag.service import OgxRagService

log = logging.getLogger(__name__)


async def build_rag(config: Configuration, stores: VectorStores) -> RagService:
    """Always the OGX-backed service: requests may name stores even without configuration.

    With inline sources embedded in this process the embedding model is loaded at start-up, so the
    first question does not pay for it.
    """
    service = OgxRagService(config.rag, stores)
    if config.rag.retrieval.inline.sources and stores.embeds_in_process:
        started = time.perf_counter()
        await service.warm_up()
        log.info("inline RAG ready in %.2fs", time.perf_counter() - started)
    return service
