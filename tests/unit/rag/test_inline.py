"""Inline RAG formatting, ranking and referenced documents (pure functions)."""

from __future__ import annotations

from lightspeed_core.llm.events import RetrievedChunk
from lightspeed_core.rag.base import Chunk, Document
from lightspeed_core.rag.inline import (
    Hit,
    format_context,
    inline_documents,
    rank,
    tool_documents,
)


def test_context_block_matches_the_reference_byte_for_byte() -> None:
    chunks = [
        Chunk("First text.", "docs", 1.5, {"title": "T"}),
        Chunk("Second text.", None, None, None),
    ]
    expected = (
        "file_search found 2 chunks:\n"
        "BEGIN of file_search results.\n"
        "[1] document_id: docs, score: 1.5000, attributes: {'title': 'T'}\n"
        "First text.\n\n"
        "[2] \n"
        "Second text.\n\n"
        "END of file_search results.\n"
        'The above results were retrieved to help answer the user\'s query: "Why?". '
        "Use them as supporting information only in answering this query. "
    )
    assert format_context(chunks, "Why?") == expected


def test_no_chunks_no_block() -> None:
    assert format_context([], "Why?") == ""


def test_rank_weights_sorts_and_limits() -> None:
    hits = [
        Hit("a", 0.9, "one"),
        Hit("b", 0.5, "two"),
        Hit("c", 0.4, "two"),
        Hit("d", 0.1, "one"),
    ]
    ranked = rank(hits, {"one": 1.0, "two": 2.0}, 3)
    assert [(c.content, c.score) for c in ranked] == [("b", 1.0), ("a", 0.9), ("c", 0.8)]


def test_inline_documents_dedup_by_url_then_id() -> None:
    chunks = [
        Chunk("x", "docs", 1.0, {"doc_url": "https://e.com/a", "title": "A", "document_id": "a"}),
        Chunk("y", "docs", 0.9, {"doc_url": "https://e.com/a", "title": "A", "document_id": "a"}),
        Chunk("z", "docs", 0.8, {"document_id": "b.md", "title": "B"}),
        Chunk("w", "docs", 0.7, {"reference_url": "not a url", "title": "C"}),
        Chunk("v", "other", 0.6, {}),
    ]
    assert inline_documents(chunks) == (
        Document("https://e.com/a", "A", "docs", "a"),
        Document(None, "B", "docs", "b.md"),
        Document(None, "C", "docs", "docs"),
        Document(None, None, "other", "other"),
    )


def test_tool_documents_need_title_or_url_and_resolve_source() -> None:
    chunks = (
        RetrievedChunk("a", 1.0, "a.md", "f1", {"title": "A", "doc_url": "https://e.com/a"}),
        RetrievedChunk("b", 0.9, "a.md", "f1", {"title": "A", "doc_url": "https://e.com/a"}),
        RetrievedChunk("c", 0.8, "c.md", "f2", {"document_id": "c"}),
        RetrievedChunk("d", 0.7, "d.md", "f3", {"title": "D", "vector_store_id": "vs_1"}),
    )
    assert tool_documents(chunks, {"vs_1": "docs"}, None) == (
        Document("https://e.com/a", "A", None, None),
        Document(None, "D", "docs", None),
    )
    single = tool_documents(chunks, {}, "only")
    assert {d.source for d in single} == {"only"}
