"""Tool RAG over OKP: the ``search_okp`` function tool (``okp`` in ``rag.retrieval.tool.sources``).

The reference offers OKP to the model through OGX's ``file_search`` tool (its OKP store is an
OGX vector store). Here OKP is searched by this service (:mod:`lightspeed_core.rag.okp`), so
it is offered as a function tool of ours, ``search_okp``, run by the pipeline's function-tool
loop (``pipeline/functions.py``; see docs/differences.md). A call searches OKP with the same
client, mode and filters as inline RAG (``rag.okp.search_mode``, ``rag.okp.chunk_filter_query``;
a request's ``solr`` field applies to inline RAG only), at most
``rag.retrieval.tool.max_chunks`` chunks, and answers the model with the chunks in the
reference's ``file_search`` block. The chunks come back as the turn's ``rag_chunks`` and
their documents as its ``referenced_documents`` (source ``okp``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from lightspeed_core.config.models.rag import OKP_SOURCE_ID
from lightspeed_core.llm.events import RetrievedChunk
from lightspeed_core.llm.functions import FunctionOutput
from lightspeed_core.rag.inline import format_context, rank
from lightspeed_core.rag.okp import OkpSearch

log = logging.getLogger(__name__)

SEARCH_OKP = "search_okp"

SEARCH_OKP_TOOL: dict[str, Any] = {
    "type": "function",
    "name": SEARCH_OKP,
    "description": (
        "Search the Red Hat Offline Knowledge Portal (product documentation, solutions and "
        "articles) for passages relevant to a question. Call it when the answer needs Red Hat "
        "product knowledge."
    ),
    "parameters": {
        "type": "object",
        "properties": {
            "query": {
                "type": "string",
                "description": "What to search for: a question or keywords.",
            }
        },
        "required": ["query"],
    },
}


class OkpFunctions:
    """``search_okp`` as :class:`~lightspeed_core.llm.functions.FunctionTools`."""

    def __init__(self, search: OkpSearch, max_chunks: int) -> None:
        self.search = search
        self.max_chunks = max_chunks

    def definitions(self) -> list[dict[str, Any]]:
        return [SEARCH_OKP_TOOL]

    def handles(self, name: str) -> bool:
        return name == SEARCH_OKP

    async def call(self, name: str, arguments: Mapping[str, Any]) -> FunctionOutput:
        query = str(arguments.get("query") or "").strip()
        if name != SEARCH_OKP:
            return FunctionOutput(f"Error: unknown function {name!r}", ok=False)
        if not query:
            return FunctionOutput("Error: the query is empty", ok=False)
        try:
            hits = await self.search.search(self.search.plan(query, None, self.max_chunks))
        except Exception as exc:  # OKP down: the model is told, the turn goes on
            log.warning("tool RAG: searching okp at %s failed: %s", self.search.url, exc)
            return FunctionOutput(f"Error: the OKP search failed ({type(exc).__name__})", ok=False)
        chunks = rank(hits, {}, self.max_chunks)
        if not chunks:
            return FunctionOutput(f'file_search found no chunks for the query: "{query}".')
        found = tuple(
            RetrievedChunk(
                chunk.content,
                chunk.score,
                OKP_SOURCE_ID,  # filename: the rag_chunks source; OgxRagService.documents
                attributes={**(chunk.attributes or {}), "source": OKP_SOURCE_ID},
            )
            for chunk in chunks
        )
        return FunctionOutput(format_context(chunks, query), documents=found)
