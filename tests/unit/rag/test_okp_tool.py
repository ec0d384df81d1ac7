"""``search_okp``: OKP offered as a function tool, over the Solr stand-in (in-process ASGI)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import pytest

from lightspeed_core.config import Configuration, built_in_default_configuration
from lightspeed_core.config.models.rag import OkpConfiguration, RagConfiguration
from lightspeed_core.llm.base import ResponseRequest
from lightspeed_core.llm.events import ToolResult
from lightspeed_core.llm.functions import CombinedFunctionTools, NoFunctionTools
from lightspeed_core.pipeline.functions import respond_with_functions
from lightspeed_core.rag.base import Document
from lightspeed_core.rag.factory import build_okp_tool
from lightspeed_core.rag.okp import OkpSearch
from lightspeed_core.rag.okp_tool import SEARCH_OKP, OkpFunctions
from lightspeed_core.rag.service import OgxRagService
from lightspeed_core.testing.fake_llm import FakeLLM, Reply, ScriptedTool
from lightspeed_core.testing.solr_standin import SolrStandIn, okp_doc

DOCS = [
    okp_doc("ocp", "Install OCP", "install openshift on bare metal", product="ocp"),
    okp_doc("ocp", "Install OCP", "openshift install needs DNS", product="ocp", chunk_index=1),
    okp_doc("ans", "Ansible", "ansible playbooks install software", product="ansible"),
]


def _search(standin: SolrStandIn, **config: object) -> OkpSearch:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=standin.app))
    okp = OkpConfiguration.model_validate(
        {"rhokp_url": "http://okp:8081", "search_mode": "keyword", **config}
    )
    return OkpSearch(okp, None, client)


class NoSearch:
    """A VectorSearch that is never asked (no BYOK store is searched here)."""

    async def query(
        self, vector_store_id: str, query: str, max_chunks: int, score_threshold: float
    ) -> list[tuple[str, float, Mapping[str, Any]]]:
        raise AssertionError("no BYOK search expected")


def test_the_tool_is_offered_by_name() -> None:
    tool = OkpFunctions(_search(SolrStandIn([])), max_chunks=3)
    (definition,) = tool.definitions()
    assert definition["type"] == "function"
    assert definition["name"] == SEARCH_OKP == "search_okp"
    assert definition["parameters"]["required"] == ["query"]
    assert tool.handles("search_okp")
    assert not tool.handles("load_skill")


async def test_a_call_searches_okp_and_answers_with_the_chunks() -> None:
    standin = SolrStandIn([dict(d) for d in DOCS])
    tool = OkpFunctions(_search(standin, chunk_filter_query="product:ocp", max_chunks=9), 1)
    output = await tool.call(SEARCH_OKP, {"query": "install openshift"})
    assert output.ok
    assert output.content.startswith("file_search found 1 chunks:\nBEGIN of file_search results.")
    assert "[1] document_id: okp, score: " in output.content
    assert 'help answer the user\'s query: "install openshift"' in output.content
    (request,) = standin.requests
    assert request["rows"] == ["1"]  # rag.retrieval.tool.max_chunks, not rag.okp.max_chunks
    assert request["fq"] == ["is_chunk:true", "product:ocp"]
    (chunk,) = output.documents
    assert chunk.content in output.content
    assert chunk.filename == "okp"
    assert chunk.attributes["source"] == "okp"
    assert chunk.attributes["doc_url"] == "http://okp:8081/documentation/ocp"


async def test_the_chunks_become_referenced_documents_of_okp() -> None:
    standin = SolrStandIn([dict(d) for d in DOCS])
    tool = OkpFunctions(_search(standin, chunk_filter_query="product:ocp"), 5)
    output = await tool.call(SEARCH_OKP, {"query": "openshift install"})
    assert len(output.documents) == 2
    byok = [{"rag_id": "docs", "vector_db_id": "vs_docs", "db_path": "/x"}]
    rag = RagConfiguration.model_validate(
        {"byok": {"stores": byok}, "retrieval": {"tool": {"sources": ["docs", "okp"]}}}
    )
    documents = OgxRagService(rag, NoSearch()).documents(output.documents)
    assert documents == (
        Document("http://okp:8081/documentation/ocp", "Install OCP", "okp", "ocp"),
    )


async def test_bad_calls_and_a_broken_okp_answer_the_model_with_an_error() -> None:
    tool = OkpFunctions(_search(SolrStandIn([dict(d) for d in DOCS])), 3)
    empty = await tool.call(SEARCH_OKP, {"query": "  "})
    assert (empty.ok, empty.content) == (False, "Error: the query is empty")
    assert not (await tool.call("other", {"query": "x"})).ok
    nothing = await tool.call(SEARCH_OKP, {"query": "zebra"})
    assert nothing.ok
    assert nothing.documents == ()
    assert "no chunks" in nothing.content

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    okp = OkpConfiguration(rhokp_url="http://okp:8081", search_mode="keyword")
    down = OkpSearch(okp, None, httpx.AsyncClient(transport=httpx.MockTransport(refuse)))
    failed = await OkpFunctions(down, 3).call(SEARCH_OKP, {"query": "install"})
    assert (failed.ok, failed.content) == (False, "Error: the OKP search failed (ConnectError)")


async def test_the_loop_hands_the_chunks_to_the_turn() -> None:
    tool = OkpFunctions(_search(SolrStandIn([dict(d) for d in DOCS])), 3)
    call = ScriptedTool(SEARCH_OKP, {"query": "ansible"}, kind="function_call")
    llm = FakeLLM([Reply("", tools=(call,)), Reply("done")])
    functions = CombinedFunctionTools(NoFunctionTools(), tool)
    events = [
        e
        async for e in respond_with_functions(
            llm, ResponseRequest("m", [{"role": "user", "content": "q"}]), functions
        )
    ]
    (result,) = [e for e in events if isinstance(e, ToolResult)]
    assert result.status == "success"
    assert "ansible playbooks" in result.content
    assert [c.attributes["doc_id"] for c in result.documents] == ["ans"]
    sent = llm.requests[-1].input
    assert sent[-1]["type"] == "function_call_output"
    assert "ansible playbooks" in sent[-1]["output"]


def _config(**tool: object) -> Configuration:
    config = built_in_default_configuration()
    rag = RagConfiguration.model_validate(
        {"okp": {"search_mode": "keyword"}, "retrieval": {"tool": tool}}
    )
    return config.model_copy(update={"rag": rag})


@pytest.mark.parametrize(("sources", "offered"), [([], False), (["okp"], True)])
def test_build_okp_tool_follows_the_tool_sources(sources: list[str], offered: bool) -> None:
    config = _config(sources=sources, max_chunks=4)
    rag = OgxRagService(config.rag, NoSearch(), _search(SolrStandIn([])))
    tool = build_okp_tool(config, rag)
    assert isinstance(tool, OkpFunctions) == offered
    if isinstance(tool, OkpFunctions):
        assert tool.max_chunks == 4
    without_okp = OgxRagService(config.rag, NoSearch())  # no OKP search was built
    assert isinstance(build_okp_tool(config, without_okp), NoFunctionTools)
