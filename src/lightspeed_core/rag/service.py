"""The RAG service: BYOK stores in OGX, searched inline and offered as ``file_search``.

* :meth:`OgxRagService.retrieve` - inline RAG: the stores of ``rag.retrieval.inline.sources``
  (intersected with the request's ``vector_store_ids``) are queried concurrently, each with
  its ``relevance_cutoff_score`` as threshold; hits are weighted by ``score_multiplier``,
  the best ``rag.byok.max_chunks`` kept, then ``rag.retrieval.inline.max_chunks`` of them
  formatted into the block appended to the question.
  With ``okp`` among the inline sources, OKP's Solr is searched at the same time
  (:mod:`lightspeed_core.rag.okp`, at most ``rag.okp.max_chunks``, the request's ``solr``
  mode and filters); all chunks are merged by score, re-ordered by the cross-encoder when
  the reranker is on (:mod:`lightspeed_core.rag.reranker`), then cut to
  ``rag.retrieval.inline.max_chunks``.
* :meth:`OgxRagService.tools` - tool RAG: one ``file_search`` tool over the request's
  ``vector_store_ids`` (translated to OGX ids), else over ``rag.retrieval.tool.sources``.
* :meth:`OgxRagService.documents` - referenced documents of ``file_search`` results (and of
  the ``search_okp`` tool's chunks, :mod:`lightspeed_core.rag.okp_tool`).

A store that fails to answer is logged and skipped, as in the reference.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any, Protocol

from lightspeed_core.config.models.rag import OKP_SOURCE_ID, RagConfiguration
from lightspeed_core.llm.events import RetrievedChunk
from lightspeed_core.rag.base import Document, RetrievedContext, SolrOptions
from lightspeed_core.rag.inline import Hit, format_context, inline_documents, rank, tool_documents
from lightspeed_core.rag.okp import OkpQuery, OkpSearch
from lightspeed_core.rag.reranker import Reranker
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

    def __init__(
        self,
        config: RagConfiguration,
        search: VectorSearch,
        okp: OkpSearch | None = None,
        reranker: Reranker | None = None,
    ) -> None:
        self._config = config
        self._search = search
        self._okp = okp
        self._reranker = reranker
        self._catalog = StoreCatalog.from_config(config)

    @property
    def okp(self) -> OkpSearch | None:
        """The OKP search (``okp`` among the inline or tool sources), shared with the tool."""
        return self._okp

    @property
    def configured(self) -> bool:
        """True when inline or tool sources are configured."""
        retrieval = self._config.retrieval
        return bool(retrieval.inline.sources or retrieval.tool.sources)

    async def retrieve(
        self, query: str, vector_store_ids: list[str] | None, solr: SolrOptions | None = None
    ) -> RetrievedContext:
        inline = self._config.retrieval.inline
        allowed = set(inline.sources)
        requested = inline.sources if vector_store_ids is None else vector_store_ids
        wanted = [v for v in requested if v in allowed]
        ogx_ids = self._catalog.to_ogx(wanted)
        use_okp = self._okp is not None and OKP_SOURCE_ID in wanted
        if not ogx_ids and not use_okp:
            return RetrievedContext()
        okp_query = self._okp.plan(query, solr) if self._okp and use_okp else None  # 422 early
        limit = self._config.byok.max_chunks
        per_store = await asyncio.gather(
            *(self._query(i, query, limit) for i in ogx_ids), self._query_okp(okp_query)
        )
        multipliers = {s.rag_id: s.score_multiplier for s in self._catalog.stores}
        byok = rank((hit for hits in per_store[:-1] for hit in hits), multipliers, limit)
        okp = rank(per_store[-1], {}, len(per_store[-1]))
        chunks = sorted([*byok, *okp], key=lambda chunk: chunk.score or 0.0, reverse=True)
        if self._reranker is not None and chunks:
            chunks = await self._reranker.rerank(query, chunks)
        chunks = chunks[: inline.max_chunks]
        return RetrievedContext(
            format_context(chunks, query), tuple(chunks), inline_documents(chunks)
        )

    async def _query_okp(self, planned: OkpQuery | None) -> list[Hit]:
        if planned is None or self._okp is None:
            return []
        try:
            return await self._okp.search(planned)
        except Exception as exc:  # OKP down must not fail the query
            log.warning("inline RAG: searching okp at %s failed: %s", self._okp.url, exc)
            return []

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
        okp = [c for c in chunks if c.filename == OKP_SOURCE_ID]  # search_okp's (okp_tool.py)
        if okp:
            return tool_documents(okp, {}, OKP_SOURCE_ID)
        sources = self._catalog.to_ogx(self._config.retrieval.tool.sources)
        single = self._catalog.display_id(sources[0]) if len(sources) == 1 else None
        names = {s.vector_db_id: s.rag_id for s in self._catalog.stores}
        return tool_documents(chunks, names, single)

    async def aclose(self) -> None:
        """Close the OKP HTTP client."""
        if self._okp is not None:
            await self._okp.aclose()

    async def warm_up(self) -> None:
        """Load the embedding model now rather than on the first question."""
        for ogx_id in self._catalog.to_ogx(self._config.retrieval.inline.sources)[:1]:
            await self._query(ogx_id, "warm-up", 1)
