"""OKP search over the Solr stand-in (in-process ASGI), and its merge with BYOK chunks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import pytest

from lightspeed_core.config.models.rag import OkpConfiguration, RagConfiguration
from lightspeed_core.rag.base import Chunk, SolrOptions
from lightspeed_core.rag.okp import OkpSearch, select_url
from lightspeed_core.rag.service import OgxRagService
from lightspeed_core.rag.solr_filters import SolrFilterError
from lightspeed_core.testing.solr_standin import SolrStandIn, okp_doc

DOCS = [
    okp_doc("a", "Install OCP", "install openshift on bare metal", product="ocp", v=[1.0, 0.0]),
    okp_doc("b", "Ansible", "ansible playbooks install software", product="ansible", v=[0.0, 1.0]),
    {"id": "a", "title": "parent of a", "is_chunk": False},
]


class Vectors:
    """A query embedder with fixed answers (the stand-in compares cosines)."""

    def __init__(self, vector: list[float] | None) -> None:
        self.vector = vector

    async def embed(self, text: str) -> list[float]:
        if self.vector is None:
            raise RuntimeError("no embedding model")
        return self.vector


def _okp(standin: SolrStandIn, vector: list[float] | None = None, **config: Any) -> OkpSearch:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=standin.app))
    okp_config = OkpConfiguration.model_validate({"rhokp_url": "http://okp:8081", **config})
    return OkpSearch(okp_config, Vectors(vector), client)


def _standin() -> SolrStandIn:
    return SolrStandIn([{**d, "chunk_vector": d.get("v")} for d in DOCS])


@pytest.mark.parametrize(
    ("url", "select"),
    [
        (None, "http://localhost:8081/solr/portal/select"),
        ("http://okp:8081/", "http://okp:8081/solr/portal/select"),
        ("http://okp:8081/solr", "http://okp:8081/solr/portal/select"),
        ("https://okp/solr/other", "https://okp/solr/other/select"),
    ],
)
def test_select_url(url: str | None, select: str) -> None:
    assert select_url(url) == select


@pytest.mark.parametrize(
    ("configured", "requested", "mode"),
    [
        (None, None, "hybrid"),
        ("semantic", None, "semantic"),
        ("semantic", "lexical", "keyword"),
        (None, "keyword", "keyword"),
    ],
)
def test_mode_comes_from_the_request_then_the_configuration(
    configured: str | None, requested: str | None, mode: str
) -> None:
    okp = _okp(_standin(), search_mode=configured)
    assert okp.plan("q", SolrOptions(mode=requested)).mode == mode


async def test_keyword_search_cites_parent_id_offline() -> None:
    okp = _okp(_standin(), search_mode="keyword", chunk_filter_query="product:ocp")
    [hit] = await okp.search(okp.plan("install openshift", None))
    assert (hit.content, hit.source) == ("install openshift on bare metal", "okp")
    assert hit.metadata == {
        "doc_id": "a",
        "title": "Install OCP",
        "parent_id": "/documentation/a",
        "doc_url": "http://okp:8081/documentation/a",
    }
    assert hit.score > 0


async def test_online_citations_use_reference_url() -> None:
    okp = _okp(_standin(), search_mode="keyword", offline=False)
    hits = await okp.search(okp.plan("install", None))
    assert [h.metadata["doc_url"] for h in hits] == [
        "https://access.redhat.com/documentation/a",
        "https://access.redhat.com/documentation/b",
    ]
    assert all(h.metadata["reference_url"] == h.metadata["doc_url"] for h in hits)


async def test_semantic_search_sends_the_query_vector() -> None:
    standin = _standin()
    okp = _okp(standin, [0.1, 0.9], search_mode="semantic", max_chunks=1)
    [hit] = await okp.search(okp.plan("anything", None))
    assert hit.metadata["doc_id"] == "b"
    assert hit.score == pytest.approx((1 + 0.9 / (0.1**2 + 0.9**2) ** 0.5) / 2)
    assert standin.requests[-1]["q"] == ["{!knn f=chunk_vector topK=1}[0.1,0.9]"]


async def test_hybrid_adds_the_vector_similarity_to_bm25() -> None:
    standin = _standin()
    keyword = _okp(standin, [0.0, 1.0], search_mode="keyword")
    okp = _okp(standin, [0.0, 1.0])  # hybrid by default; the vector prefers "b"
    bm25 = {
        h.metadata["doc_id"]: h.score for h in await keyword.search(keyword.plan("install", None))
    }
    hits = await okp.search(okp.plan("install", None))
    added = {h.metadata["doc_id"]: h.score - bm25[h.metadata["doc_id"]] for h in hits}
    assert added == {"a": pytest.approx(0.5), "b": pytest.approx(1.0)}
    request = standin.requests[-1]
    assert request["rq"] == ["{!rerank reRankQuery=$rqq reRankDocs=20 reRankWeight=1}"]
    assert request["rqq"] == ["{!knn f=chunk_vector topK=20}[0,1]"]


async def test_without_a_query_vector_hybrid_falls_back_to_keywords() -> None:
    standin = _standin()
    okp = _okp(standin, None)
    hits = await okp.search(okp.plan("openshift", None))
    assert [h.metadata["doc_id"] for h in hits] == ["a"]
    assert "rq" not in standin.requests[-1]


async def test_an_index_without_vectors_is_searched_by_keywords() -> None:
    standin = SolrStandIn([dict(d) for d in DOCS])  # no chunk_vector: Solr answers 400
    okp = _okp(standin, [0.0, 1.0])
    hits = await okp.search(okp.plan("openshift", None))
    assert [h.metadata["doc_id"] for h in hits] == ["a"]
    assert ["rq" in r for r in standin.requests] == [True, False]


async def test_request_filters_are_checked_before_any_search() -> None:
    standin = _standin()
    okp = _okp(standin)
    with pytest.raises(SolrFilterError):
        okp.plan("q", SolrOptions(filters={"key": "x", "type": "regex", "value": "."}))
    assert standin.requests == []


class ByokSearch:
    async def query(
        self, vector_store_id: str, query: str, max_chunks: int, score_threshold: float
    ) -> list[tuple[str, float, Mapping[str, Any]]]:
        return [("byok text", 0.5, {"title": "B", "document_id": "doc"})]


class Reversing:
    """A reranker that puts the last chunk first (records what it was given)."""

    def __init__(self) -> None:
        self.seen: list[list[str]] = []

    async def rerank(self, query: str, chunks: list[Chunk]) -> list[Chunk]:
        self.seen.append([c.content for c in chunks])
        return list(reversed(chunks))


def _rag(**inline: Any) -> RagConfiguration:
    store = {"rag_id": "docs", "vector_db_id": "vs_docs", "db_path": "/x"}
    return RagConfiguration.model_validate(
        {"byok": {"stores": [store]}, "retrieval": {"inline": inline}}
    )


async def test_byok_and_okp_chunks_are_merged_then_reranked() -> None:
    reranker = Reversing()
    okp = _okp(_standin(), search_mode="keyword")
    service = OgxRagService(
        _rag(sources=["docs", "okp"], max_chunks=2), ByokSearch(), okp, reranker
    )
    context = await service.retrieve("install openshift", None)
    # merged by score: BM25 of "a" beats the BYOK 0.5, which beats "b"
    assert reranker.seen == [
        ["install openshift on bare metal", "byok text", "ansible playbooks install software"]
    ]
    assert [c.content for c in context.chunks] == [
        "ansible playbooks install software",
        "byok text",
    ]
    assert [d.source for d in context.documents] == ["okp", "docs"]


async def test_vector_store_ids_can_leave_okp_out() -> None:
    standin = _standin()
    service = OgxRagService(_rag(sources=["docs", "okp"]), ByokSearch(), _okp(standin))
    context = await service.retrieve("install", ["docs"])
    assert [c.source for c in context.chunks] == ["docs"]
    assert standin.requests == []


async def test_okp_failure_keeps_the_byok_chunks() -> None:
    standin = _standin()
    standin.fail_with = 500
    service = OgxRagService(_rag(sources=["docs", "okp"]), ByokSearch(), _okp(standin))
    context = await service.retrieve("install", None)
    assert [c.source for c in context.chunks] == ["docs"]
