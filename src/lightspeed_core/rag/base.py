"""The RAG Protocol the pipeline calls, and its no-op implementation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from lightspeed_core.llm.events import RetrievedChunk


@dataclass(frozen=True, slots=True)
class Document:
    """A referenced document (``doc_url`` / ``doc_title`` / ``source`` / ``document_id``)."""

    doc_url: str | None = None
    doc_title: str | None = None
    source: str | None = None
    document_id: str | None = None


@dataclass(frozen=True, slots=True)
class Chunk:
    """A retrieved chunk (the deprecated ``rag_chunks`` field)."""

    content: str
    source: str | None = None
    score: float | None = None
    attributes: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class SolrOptions:
    """The request's ``solr`` field: OKP search mode and filters (contract 1.3).

    ``mode`` is ``semantic``, ``hybrid``, ``keyword`` or ``lexical`` (= ``keyword``); ``None``
    means ``rag.okp.search_mode``. ``filters`` is the provider filter payload: a comparison
    ``{key, type, value}``, a compound ``{type: and|or, filters: [...]}``, or the legacy
    ``{fq: [...]}``.
    """

    mode: str | None = None
    filters: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class RetrievedContext:
    """Inline RAG result: ``text`` is appended to the question (empty = nothing found)."""

    text: str = ""
    chunks: tuple[Chunk, ...] = ()
    documents: tuple[Document, ...] = ()


class RagService(Protocol):
    """Inline retrieval before the call, and ``file_search`` tools for the call."""

    async def retrieve(
        self, query: str, vector_store_ids: list[str] | None, solr: SolrOptions | None = None
    ) -> RetrievedContext:
        """Search the inline sources (``rag.retrieval.inline``), filtered by the request."""
        ...

    def tools(self, vector_store_ids: list[str] | None) -> list[dict[str, Any]]:
        """``file_search`` tool definitions for the tool sources (``rag.retrieval.tool``)."""
        ...

    def documents(self, chunks: tuple[RetrievedChunk, ...]) -> tuple[Document, ...]:
        """Referenced documents for chunks a ``file_search`` tool call returned."""
        ...

    async def aclose(self) -> None:
        """Release connections (the OKP HTTP client)."""
        ...


class NoRag:
    """No RAG configured."""

    async def retrieve(
        self, query: str, vector_store_ids: list[str] | None, solr: SolrOptions | None = None
    ) -> RetrievedContext:
        return RetrievedContext()

    def tools(self, vector_store_ids: list[str] | None) -> list[dict[str, Any]]:
        return []

    def documents(self, chunks: tuple[RetrievedChunk, ...]) -> tuple[Document, ...]:
        return ()

    async def aclose(self) -> None:
        return None
