"""Pure helpers of inline RAG: ranking hits, the context block, referenced documents.

The context block is byte-identical to the reference service's
(``src/utils/vector_search.py::_format_rag_context``)::

    file_search found 2 chunks:
    BEGIN of file_search results.
    [1] document_id: <rag_id>, score: 0.9000, attributes: {...}
    <content>

    [2] ...

    END of file_search results.
    The above results were retrieved to help answer the user's query: "<query>". Use them as
    supporting information only in answering this query.␠

(the last two lines are one line ending with a space). ``score`` is the weighted score
(raw similarity times the store's ``score_multiplier``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from lightspeed_core.llm.events import RetrievedChunk
from lightspeed_core.rag.base import Chunk, Document

URL_KEYS = ("reference_url", "doc_url", "docs_url")
TOOL_URL_KEYS = ("doc_url", "docs_url", "url", "link")


@dataclass(frozen=True, slots=True)
class Hit:
    """One chunk a vector store returned for the query."""

    content: str
    score: float
    source: str  # the rag_id (or OGX id) of the store it came from
    metadata: Mapping[str, Any] = field(default_factory=dict)


def rank(hits: Iterable[Hit], multipliers: Mapping[str, float], limit: int) -> list[Chunk]:
    """Weight every hit by its store's multiplier, best first, at most ``limit``."""
    weighted = sorted(
        ((hit.score * multipliers.get(hit.source, 1.0), hit) for hit in hits),
        key=lambda pair: pair[0],
        reverse=True,
    )
    return [
        Chunk(hit.content, hit.source, score, dict(hit.metadata)) for score, hit in weighted[:limit]
    ]


def format_context(chunks: list[Chunk], query: str) -> str:
    """The reference's inline RAG block ("" when there are no chunks)."""
    if not chunks:
        return ""
    output = f"file_search found {len(chunks)} chunks:\n"
    output += "BEGIN of file_search results.\n"
    for index, chunk in enumerate(chunks, 1):
        parts = []
        if chunk.source:
            parts.append(f"document_id: {chunk.source}")
        if chunk.score is not None:
            parts.append(f"score: {chunk.score:.4f}")
        metadata_text = ", ".join(parts)
        if chunk.attributes:
            metadata_text += f", attributes: {chunk.attributes}"
        output += f"[{index}] {metadata_text}\n{chunk.content}\n\n"
    output += "END of file_search results.\n"
    output += (
        f'The above results were retrieved to help answer the user\'s query: "{query}". '
        "Use them as supporting information only in answering this query. "
    )
    return output


def _url(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    parsed = urlparse(value)
    return value if parsed.scheme and parsed.netloc else None


def _first(attributes: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    return next((attributes[k] for k in keys if attributes.get(k)), None)


def inline_documents(chunks: Iterable[Chunk]) -> tuple[Document, ...]:
    """Referenced documents of the chunks sent to the model, deduplicated, in order.

    Key: the chunk's URL (``reference_url``/``doc_url``/``docs_url``), else its
    ``document_id``/``doc_id``, else its store - as in the reference.
    """
    seen: set[str] = set()
    documents: list[Document] = []
    for chunk in chunks:
        attributes = chunk.attributes or {}
        raw_url = _first(attributes, URL_KEYS)
        doc_id = _first(attributes, ("document_id", "doc_id"))
        key = str(raw_url or doc_id or chunk.source or "")
        if not key or key in seen:
            continue
        seen.add(key)
        title = attributes.get("title")
        documents.append(
            Document(
                doc_url=_url(raw_url),
                doc_title=str(title) if title else None,
                source=chunk.source,
                document_id=str(doc_id) if doc_id else chunk.source,
            )
        )
    return tuple(documents)


def tool_documents(
    chunks: Iterable[RetrievedChunk], source_of: Mapping[str, str], single_source: str | None
) -> tuple[Document, ...]:
    """Referenced documents of ``file_search`` results (reference ``parse_referenced_documents``).

    A result counts when it has a title or a URL; duplicates by (URL, title) are dropped.
    ``single_source`` is the store's display id when only one store was searched;
    otherwise the result's ``source`` / ``vector_store_id`` attribute names it.
    """
    seen: set[tuple[str | None, str | None]] = set()
    documents: list[Document] = []
    for chunk in chunks:
        attributes = chunk.attributes
        url = _first(attributes, TOOL_URL_KEYS)
        title = attributes.get("title")
        if not (url or title):
            continue
        key = (str(url) if url else None, str(title) if title else None)
        if key in seen:
            continue
        seen.add(key)
        doc_id = _first(attributes, ("document_id", "doc_id"))
        documents.append(
            Document(
                doc_url=key[0],
                doc_title=key[1],
                source=_tool_source(attributes, source_of, single_source),
                document_id=str(doc_id) if doc_id else None,
            )
        )
    return tuple(documents)


def _tool_source(
    attributes: Mapping[str, Any], source_of: Mapping[str, str], single_source: str | None
) -> str | None:
    if single_source is not None:
        return single_source
    if source := attributes.get("source"):
        return str(source)
    if store := attributes.get("vector_store_id"):
        return source_of.get(str(store), str(store))
    return None
