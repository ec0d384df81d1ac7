"""OKP inline RAG end to end, against a local Solr stand-in (no Solr can be installed here).

The service searches the stand-in (``lightspeed_core.testing.solr_standin``) over HTTP with
Solr's select API; the chunks reach the model in the reference's context block and come
back as ``rag_chunks`` and ``referenced_documents`` (citation from ``parent_id`` offline,
from ``reference_url`` online). The request's ``solr`` field picks the mode and filters.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from lightspeed_core.rag.indexer import IndexResult
from lightspeed_core.testing.scripted_backend import BackgroundServer
from lightspeed_core.testing.solr_standin import BackgroundSolr, SolrStandIn, okp_doc
from tests.integration.rag.conftest import STORE, rag_section
from tests.support.app import RunningApp, running_app, stub_config

pytestmark = pytest.mark.xdist_group("rag")

QUESTION = "How do I install OpenShift on bare metal?"
DOCS = [
    okp_doc(
        "ocp-install",
        "Installing OpenShift on bare metal",
        "To install OpenShift on bare metal, prepare the hosts and run the installer.",
        product="openshift",
        version="4.16",
    ),
    okp_doc(
        "ansible-intro",
        "Ansible basics",
        "Ansible playbooks describe tasks to install and configure software.",
        product="ansible",
        version="2.9",
    ),
    {"id": "ocp-install", "title": "Installing OpenShift (whole document)", "is_chunk": False},
]


@pytest.fixture(scope="module")
def solr() -> Iterator[BackgroundSolr]:
    server = BackgroundSolr(SolrStandIn([dict(d) for d in DOCS])).start()
    yield server
    server.stop()


def _okp(solr: BackgroundSolr, **extra: Any) -> dict[str, Any]:
    return {"rhokp_url": solr.base_url, "search_mode": "keyword", "max_chunks": 3, **extra}


@pytest.fixture(scope="module")
async def okp_app(
    scripted: BackgroundServer, solr: BackgroundSolr, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[RunningApp]:
    rag = {"okp": _okp(solr), "retrieval": {"inline": {"sources": ["okp"], "max_chunks": 2}}}
    config = stub_config(scripted.base_url, rag=rag)
    async with running_app(config, tmp_path_factory.mktemp("okp-app")) as running:
        yield running


def _sent(scripted: BackgroundServer) -> str:
    messages = scripted.backend.requests[-1]["messages"]
    content = [m for m in messages if m["role"] == "user"][-1]["content"]
    return content if isinstance(content, str) else " ".join(p["text"] for p in content)


async def test_okp_chunks_reach_the_model_and_come_back_cited(
    okp_app: RunningApp, solr: BackgroundSolr, scripted: BackgroundServer
) -> None:
    solr.standin.requests.clear()
    scripted.backend.requests.clear()
    response = await okp_app.client.post("/v1/query", json={"query": QUESTION})
    assert response.status_code == 200, response.text
    body = response.json()
    first = body["referenced_documents"][0]
    assert first == {
        "doc_url": f"{solr.base_url}/documentation/ocp-install",
        "doc_title": "Installing OpenShift on bare metal",
        "source": "okp",
        "document_id": "ocp-install",
    }
    assert body["rag_chunks"][0]["source"] == "okp"
    assert "prepare the hosts" in body["rag_chunks"][0]["content"]
    sent = _sent(scripted)
    assert sent.startswith(QUESTION + "\n\nfile_search found 2 chunks:\n")
    assert "[1] document_id: okp, score: " in sent
    [request] = solr.standin.requests
    assert request["fq"] == ["is_chunk:true"]
    assert request["defType"] == ["edismax"]
    assert "rq" not in request  # keyword mode: BM25 only


async def test_request_filters_and_legacy_fq_narrow_the_search(
    okp_app: RunningApp, solr: BackgroundSolr
) -> None:
    solr.standin.requests.clear()
    only_ansible = {"filters": {"key": "product", "type": "eq", "value": "ansible"}}
    response = await okp_app.client.post(
        "/v1/query", json={"query": QUESTION, "solr": {"mode": "lexical", **only_ansible}}
    )
    assert response.status_code == 200, response.text
    assert [d["document_id"] for d in response.json()["referenced_documents"]] == ["ansible-intro"]
    legacy = await okp_app.client.post(
        "/v1/query", json={"query": QUESTION, "solr": {"fq": ["product:openshift"]}}
    )
    assert [d["document_id"] for d in legacy.json()["referenced_documents"]] == ["ocp-install"]
    assert solr.standin.requests[-1]["fq"] == ["is_chunk:true", "product:openshift"]


async def test_an_unknown_filter_type_is_a_422(okp_app: RunningApp) -> None:
    body = {"query": QUESTION, "solr": {"filters": {"key": "product", "type": "like", "value": 1}}}
    response = await okp_app.client.post("/v1/query", json=body)
    assert response.status_code == 422
    assert response.json()["detail"] == {
        "response": "Invalid solr filters",
        "cause": "unknown solr filter type 'like'",
    }


async def test_okp_down_answers_without_its_chunks(
    okp_app: RunningApp, solr: BackgroundSolr
) -> None:
    solr.standin.fail_with = 503
    try:
        response = await okp_app.client.post("/v1/query", json={"query": QUESTION})
    finally:
        solr.standin.fail_with = None
    assert response.status_code == 200
    assert response.json()["referenced_documents"] == []


async def test_byok_and_okp_inline_semantic_online_citations(
    scripted: BackgroundServer,
    solr: BackgroundSolr,
    knowledge: IndexResult,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Both kinds of source in one answer; OKP by vector (MiniLM query vectors), online URLs."""
    from lightspeed_ogx.minilm.encoder import MiniLMEncoder

    encoder = MiniLMEncoder()
    vectors = encoder.encode([str(d.get("chunk", d["title"])) for d in DOCS])
    standin = SolrStandIn(
        [{**d, "chunk_vector": [float(x) for x in v]} for d, v in zip(DOCS, vectors, strict=True)]
    )
    semantic = BackgroundSolr(standin).start()
    try:
        rag = rag_section(knowledge, inline={"sources": [STORE, "okp"], "max_chunks": 3})
        rag["okp"] = _okp(semantic, search_mode="semantic", offline=False, max_chunks=1)
        config = stub_config(scripted.base_url, rag=rag)
        async with running_app(config, tmp_path_factory.mktemp("okp-byok")) as app:
            response = await app.client.post("/v1/query", json={"query": QUESTION})
    finally:
        semantic.stop()
    assert response.status_code == 200, response.text
    documents = response.json()["referenced_documents"]
    assert {d["source"] for d in documents} == {STORE, "okp"}
    okp = next(d for d in documents if d["source"] == "okp")
    assert okp["doc_url"] == "https://access.redhat.com/documentation/ocp-install"
    [request] = standin.requests
    assert request["q"][0].startswith("{!knn f=chunk_vector topK=1}[")


async def test_streaming_query_takes_the_solr_field_too(okp_app: RunningApp) -> None:
    only_ansible = {"filters": {"key": "product", "type": "in", "value": ["ansible"]}}
    body = {"query": QUESTION, "solr": only_ansible}
    async with okp_app.client.stream("POST", "/v1/streaming_query", json=body) as response:
        assert response.status_code == 200
        lines = [line async for line in response.aiter_lines() if line.startswith("data: ")]
    end = json.loads(lines[-1].removeprefix("data: "))
    assert end["event"] == "end"
    assert [d["document_id"] for d in end["data"]["referenced_documents"]] == ["ansible-intro"]
