"""The RAG service: BYOK stores in OGX, searched inline and offered as ``file_search``.

* :meth:`OgxRagService.retrieve` - inline RAG: the stores of ``rag.retrieval.inline.sources``
  (intersected with the request's ``vector_store_ids``) are queried concurrently, each with
  its ``relevance_cutoff_score`` as threshold; hits are weighted by ``score_multiplier``,
  the best ``rag.byok.max_chunks`` kept, then ``rag.retrieval.inline.max_chunks`` of them
  formatted into the block appended to the question.
* :meth:`OgxRagService.tools` - tool RAG: one ``file_search`` tool over the request's
  ``vector_store_ids`` (translated to OGX ids), else over ``rag.retrieval.tool.sources``.
* :meth:`OgxRagService.documents` - referenced documents of ``file_search`` results.

A store that fails to answer is logged and skipped, as in the reference.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any, Protocol

from lightspeed_core.config.models.rag import RagConfiguration
from lightspeed_core.llm.events import RetrievedChunk
from lightspeed_core.rag.base import Document, RetrievedContext
from lightspeed_core.rag.inline import Hit, format_context, inline_documents, rank, tool_documents
from lightspeed_core.rag.stores import StoreCatalog

log = logging.getLogger(__name__)

DEFAULT_RELEVANCE_CUTOFF = 0.3


class VectorSearch(Protocol):
    """Vector similarity search in one store (OGX ``vector_io.query``).

    The :class:`~lightspeed_core.llm.ports.VectorStores` port is one.
    """

    async def query(
        self, vector_store_id: str, query: str, max_chunks: int, score_threshold: float
    ) -> list[tuple[str, float, Mapping[str, Any]]]:
        """``(content, raw score, metadata)`` of the best chunks, best first."""
        ...


class OgxRagService:
    """Inline and tool RAG over vector stores registered in OGX."""

    def __init__(self, config: RagConfiguration, search: VectorSearch) -> None:
        self._config = config
        self._search = search
        self._catalog = StoreCatalog.from_config(config)

    @property
    def configured(self) -> bool:
        """True when inline or tool sources are configured."""
        retrieval = self._config.retrieval
        return bool(retrieval.inline.sources or retrieval.tool.sources)

    async def retrieve(self, query: str, vector_store_ids: list[str] | None) -> RetrievedContext:
        inline = self._config.retrieval.inline
        allowed = set(inline.sources)
        wanted = inline.sources if vector_store_ids is None else vector_store_ids
        ogx_ids = self._catalog.to_ogx(v for v in wanted if v in allowed)
        if not ogx_ids:
            return RetrievedContext()
        limit = self._config.byok.max_chunks
        per_store = await asyncio.gather(*(self._query(i, query, limit) for i in ogx_ids))
        multipliers = {s.rag_id: s.score_multiplier for s in self._catalog.stores}
        chunks = rank((hit for hits in per_store for hit in hits), multipliers, limit)
        chunks = chunks[: inline.max_chunks]
        return RetrievedContext(
            format_context(chunks, query), tuple(chunks), inline_documents(chunks)
        )

    async def _query(self, ogx_id: str, query: str, limit: int) -> list[Hit]:
        store = self._catalog.by_ogx_id(ogx_id)
        cutoff = store.relevance_cutoff_score if store else DEFAULT_RELEVANCE_CUTOFF
        source = self._catalog.display_id(ogx_id)
        try:
            found = await self._search.query(ogx_id, query, limit, cutoff)
        except Exception as exc:  # one broken store must not fail the query
            log.warning("inline RAG: searching %s failed: %s", source, exc)
            return []
        return [Hit(content, score, source, metadata) for content, score, metadata in found]

    def tools(self, vector_store_ids: list[str] | None) -> list[dict[str, Any]]:
        tool = self._config.retrieval.tool
        wanted = vector_store_ids if vector_store_ids is not None else tool.sources
        ogx_ids = self._catalog.to_ogx(wanted)
        if not ogx_ids:
            return []
        return [
            {"type": "file_search", "vector_store_ids": ogx_ids, "max_num_results": tool.max_chunks}
        ]

    def documents(self, chunks: tuple[RetrievedChunk, ...]) -> tuple[Document, ...]:
        sources = self._catalog.to_ogx(self._config.retrieval.tool.sources)
        single = self._catalog.display_id(sources[0]) if len(sources) == 1 else None
        names = {s.vector_db_id: s.rag_id for s in self._catalog.stores}
        return tool_documents(chunks, names, single)

    async def warm_up(self) -> None:
        """Load the embedding model now rather than on the first question."""
        for ogx_id in self._catalog.to_ogx(self._config.retrieval.inline.sources)[:1]:
            await self._query(ogx_id, "warm-up", 1)
