"""OgxRagService over a scripted VectorSearch: source selection, thresholds, tools."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lightspeed_core.config.models.rag import RagConfiguration
from lightspeed_core.rag.service import OgxRagService


class FakeSearch:
    """Answers from a table; records every call."""

    def __init__(self, hits: Mapping[str, list[tuple[str, float, dict[str, Any]]]]) -> None:
        self.hits = hits
        self.calls: list[tuple[str, str, int, float]] = []

    async def query(
        self, vector_store_id: str, query: str, max_chunks: int, score_threshold: float
    ) -> list[tuple[str, float, Mapping[str, Any]]]:
        self.calls.append((vector_store_id, query, max_chunks, score_threshold))
        if vector_store_id == "vs_broken":
            raise RuntimeError("store is gone")
        hits: list[tuple[str, float, Mapping[str, Any]]] = [
            h for h in self.hits.get(vector_store_id, []) if h[1] >= score_threshold
        ]
        return hits[:max_chunks]


def _config(**retrieval: Any) -> RagConfiguration:
    stores = [
        {"rag_id": "docs", "vector_db_id": "vs_docs", "db_path": "/x", "score_multiplier": 2.0},
        {"rag_id": "faq", "vector_db_id": "vs_faq", "db_path": "/y", "relevance_cutoff_score": 0.5},
        {"rag_id": "broken", "vector_db_id": "vs_broken", "db_path": "/z"},
    ]
    return RagConfiguration.model_validate(
        {"byok": {"stores": stores, "max_chunks": 3}, "retrieval": retrieval}
    )


HITS = {
    "vs_docs": [("d1", 0.6, {"title": "D1", "document_id": "1"}), ("d2", 0.4, {"title": "D2"})],
    "vs_faq": [("f1", 0.9, {"title": "F1"}), ("f2", 0.45, {"title": "F2"})],
}


async def test_inline_queries_configured_sources_with_their_cutoffs() -> None:
    search = FakeSearch(HITS)
    service = OgxRagService(_config(inline={"sources": ["docs", "faq", "broken"]}), search)
    context = await service.retrieve("question", None)
    assert sorted(c[0] for c in search.calls) == ["vs_broken", "vs_docs", "vs_faq"]
    assert {c[0]: c[3] for c in search.calls} == {"vs_docs": 0.3, "vs_faq": 0.5, "vs_broken": 0.3}
    assert [(c.content, c.source, c.score) for c in context.chunks] == [
        ("d1", "docs", 1.2),
        ("f1", "faq", 0.9),
        ("d2", "docs", 0.8),
    ]
    assert context.text.startswith("file_search found 3 chunks:\n")
    assert '"question"' in context.text
    # d2 has neither URL nor id: like the reference, it folds into its store's document
    assert [(d.doc_title, d.document_id) for d in context.documents] == [
        ("D1", "1"),
        ("F1", "faq"),
        ("D2", "docs"),
    ]


async def test_request_ids_are_intersected_with_inline_sources() -> None:
    search = FakeSearch(HITS)
    service = OgxRagService(_config(inline={"sources": ["docs"]}), search)
    context = await service.retrieve("q", ["faq", "docs", "vs_docs"])
    assert [c[0] for c in search.calls] == ["vs_docs"]
    assert len(context.chunks) == 2
    assert await service.retrieve("q", []) == type(context)()


async def test_inline_max_chunks_caps_the_block() -> None:
    service = OgxRagService(
        _config(inline={"sources": ["docs", "faq"], "max_chunks": 1}), FakeSearch(HITS)
    )
    context = await service.retrieve("q", None)
    assert [c.content for c in context.chunks] == ["d1"]


async def test_nothing_configured_nothing_searched() -> None:
    search = FakeSearch(HITS)
    service = OgxRagService(RagConfiguration(), search)
    assert (await service.retrieve("q", None)).text == ""
    assert search.calls == []
    assert service.tools(None) == []


def test_tools_prefer_request_ids_then_tool_sources() -> None:
    service = OgxRagService(_config(tool={"sources": ["faq"], "max_chunks": 4}), FakeSearch({}))
    assert service.tools(None) == [
        {"type": "file_search", "vector_store_ids": ["vs_faq"], "max_num_results": 4}
    ]
    assert service.tools(["docs", "vs_other", "okp"])[0]["vector_store_ids"] == [
        "vs_docs",
        "vs_other",
    ]
    assert service.tools([]) == []
