"""``build_rag``: the RAG service the configuration asks for; ``build_okp_tool``: its tool."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from pathlib import Path

from lightspeed_core.config import Configuration
from lightspeed_core.config.models.rag import OKP_SOURCE_ID
from lightspeed_core.llm.functions import FunctionTools, NoFunctionTools
from lightspeed_core.llm.ports import VectorStores
from lightspeed_core.rag.okp import MiniLMQueryEmbedder, OkpSearch
from lightspeed_core.rag.okp_tool import OkpFunctions
from lightspeed_core.rag.reranker import build_reranker
from lightspeed_core.rag.service import OgxRagService

log = logging.getLogger(__name__)


async def build_rag(
    config: Configuration,
    stores: VectorStores,
    env: Mapping[str, str] | None = None,
    config_dir: Path | None = None,
) -> OgxRagService:
    """Always the OGX-backed service: requests may name stores even without configuration.

    With inline sources embedded in this process the embedding model is loaded at start-up, so the
    first question does not pay for it. ``okp`` among the inline (or tool) sources adds the OKP
    search;
    the reranker's weights are loaded here, and a reranker enabled without them stops the
    start (:class:`~lightspeed_core.rag.reranker.RerankerUnavailableError`).
    """
    rag = config.rag
    okp = None
    if OKP_SOURCE_ID in (*rag.retrieval.inline.sources, *rag.retrieval.tool.sources):
        embedder = MiniLMQueryEmbedder()
        okp = OkpSearch(rag.okp, embedder)
        if (rag.okp.search_mode or "hybrid") != "keyword":  # load the encoder now, not later
            await embedder.embed("warm-up")
    reranker = await build_reranker(rag, env or {}, config_dir)
    service = OgxRagService(rag, stores, okp, reranker)
    if config.rag.retrieval.inline.sources and stores.embeds_in_process:
        started = time.perf_counter()
        await service.warm_up()
        log.info("inline RAG ready in %.2fs", time.perf_counter() - started)
    return service


def build_okp_tool(config: Configuration, rag: OgxRagService) -> FunctionTools:
    """``search_okp`` when ``okp`` is among ``rag.retrieval.tool.sources``, else nothing."""
    tool = config.rag.retrieval.tool
    if OKP_SOURCE_ID not in tool.sources or rag.okp is None:
        return NoFunctionTools()
    return OkpFunctions(rag.okp, tool.max_chunks)
