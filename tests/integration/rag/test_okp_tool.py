"""OKP as a tool end to end: the model calls ``search_okp``, the service searches the Solr
stand-in, and the chunks reach the model (the scripted backend answers from the tool output)
and come back as ``rag_chunks`` and ``referenced_documents``."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from lightspeed_core.testing.scripted_backend import BackgroundServer
from lightspeed_core.testing.solr_standin import BackgroundSolr, SolrStandIn, okp_doc
from tests.support.app import running_app, stub_config

pytestmark = pytest.mark.xdist_group("rag")

DOCS = [
    okp_doc(
        "ocp-install",
        "Installing OpenShift on bare metal",
        "To install OpenShift on bare metal, prepare the hosts and run the installer.",
        product="openshift",
    ),
    okp_doc(
        "ansible-intro", "Ansible basics", "Ansible playbooks install software.", product="ansible"
    ),
]


@pytest.fixture
def solr() -> Iterator[BackgroundSolr]:
    server = BackgroundSolr(SolrStandIn([dict(d) for d in DOCS])).start()
    yield server
    server.stop()


async def test_the_model_calls_search_okp_and_answers_from_its_chunks(
    scripted: BackgroundServer, solr: BackgroundSolr, tmp_path_factory: pytest.TempPathFactory
) -> None:
    okp = {"rhokp_url": solr.base_url, "search_mode": "keyword", "max_chunks": 7}
    okp["chunk_filter_query"] = "product:openshift"
    rag = {"okp": okp, "retrieval": {"tool": {"sources": ["okp"], "max_chunks": 2}}}
    config = stub_config(scripted.base_url, rag=rag)
    call = "[[tool:search_okp " + json.dumps({"query": "install OpenShift on bare metal"}) + "]]"
    async with running_app(config, tmp_path_factory.mktemp("okp-tool")) as app:
        scripted.backend.requests.clear()
        response = await app.client.post(
            "/v1/query", json={"query": call, "generate_topic_summary": False}
        )
    assert response.status_code == 200, response.text
    answer = response.json()
    offered = {t["function"]["name"] for t in scripted.backend.requests[0]["tools"]}
    assert "search_okp" in offered
    (tool_call,) = answer["tool_calls"]
    assert (tool_call["name"], tool_call["args"]) == (
        "search_okp",
        {"query": "install OpenShift on bare metal"},
    )
    (result,) = answer["tool_results"]
    assert result["status"] == "success"
    assert "prepare the hosts" in result["content"]
    # the scripted model answers "Tool said: <the function_call_output it was sent>"
    assert answer["response"].startswith("Tool said: file_search found 1 chunks:")
    assert "prepare the hosts and run the installer" in answer["response"]
    assert answer["referenced_documents"] == [
        {
            "doc_url": f"{solr.base_url}/documentation/ocp-install",
            "doc_title": "Installing OpenShift on bare metal",
            "source": "okp",
            "document_id": "ocp-install",
        }
    ]
    assert [c["source"] for c in answer["rag_chunks"]] == ["okp"]
    (request,) = solr.standin.requests
    assert request["rows"] == ["2"]  # rag.retrieval.tool.max_chunks
    assert request["fq"] == ["is_chunk:true", "product:openshift"]
