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
class RetrievedContext:
    """Inline RAG result: ``text`` is appended to the question (empty = nothing found)."""

    text: str = ""
    chunks: tuple[Chunk, ...] = ()
    documents: tuple[Document, ...] = ()


class RagService(Protocol):
    """Inline retrieval before the call, and ``file_search`` tools for the call."""

    async def retrieve(self, query: str, vector_store_ids: list[str] | None) -> RetrievedContext:
        """Search the inline sources (``rag.retrieval.inline``), filtered by the request."""
        ...

    def tools(self, vector_store_ids: list[str] | None) -> list[dict[str, Any]]:
        """``file_search`` tool definitions for the tool sources (``rag.retrieval.tool``)."""
        ...

    def documents(self, chunks: tuple[RetrievedChunk, ...]) -> tuple[Document, ...]:
        """Referenced documents for chunks a ``file_search`` tool call returned."""
        ...


class NoRag:
    """No RAG configured."""

    async def retrieve(self, query: str, vector_store_ids: list[str] | None) -> RetrievedContext:
        return RetrievedContext()

    def tools(self, vector_store_ids: list[str] | None) -> list[dict[str, Any]]:
        return []

    def documents(self, chunks: tuple[RetrievedChunk, ...]) -> tuple[Document, ...]:
        return ()
