"""RAG end to end, offline: index the example corpus, ask, get the document back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lightspeed_core.rag.indexer import IndexResult
from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.integration.rag.conftest import STORE, rag_section
from tests.support.app import RunningApp, running_app, stub_config

pytestmark = pytest.mark.xdist_group("rag")

QUESTION = "Which command indexes a folder of Markdown and PDF files into a vector store?"
RAG_DOC = {
    "doc_url": "https://docs.example.com/lightspeed-core/rag",
    "doc_title": "Answering from your own documents",
    "source": STORE,
    "document_id": "rag.md",
}


def _last_user_message(scripted: BackgroundServer) -> str:
    messages = scripted.backend.requests[-1]["messages"]
    content = [m for m in messages if m["role"] == "user"][-1]["content"]
    return content if isinstance(content, str) else " ".join(p["text"] for p in content)


async def test_query_answers_from_the_example_corpus(
    rag_app: RunningApp, scripted: BackgroundServer
) -> None:
    scripted.backend.requests.clear()
    response = await rag_app.client.post("/v1/query", json={"query": QUESTION})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["referenced_documents"] == [RAG_DOC]
    [chunk] = body["rag_chunks"]
    assert chunk["source"] == STORE
    assert "lightspeed-core rag index FOLDER --store NAME" in chunk["content"]
    assert chunk["attributes"]["title"] == RAG_DOC["doc_title"]
    sent = _last_user_message(scripted)
    assert sent.startswith(
        QUESTION + "\n\nfile_search found 1 chunks:\nBEGIN of file_search results.\n"
    )
    assert f"[1] document_id: {STORE}, score: " in sent
    assert sent.endswith(
        f'to help answer the user\'s query: "{QUESTION}". '
        "Use them as supporting information only in answering this query. "
    )


async def test_streaming_end_event_and_stored_turn_carry_the_document(
    rag_app: RunningApp,
) -> None:
    async with rag_app.client.stream(
        "POST", "/v1/streaming_query", json={"query": QUESTION}
    ) as response:
        assert response.status_code == 200
        events = [
            json.loads(line.removeprefix("data: "))
            async for line in response.aiter_lines()
            if line.startswith("data: ")
        ]
    start, end = events[0], events[-1]
    assert end["event"] == "end"
    assert end["data"]["referenced_documents"] == [RAG_DOC]
    conversation_id = start["data"]["conversation_id"]
    turns = await rag_app.services.conversations.turns(conversation_id)
    assert turns[-1].referenced_documents == [RAG_DOC]


async def test_request_can_narrow_inline_sources_to_nothing(
    rag_app: RunningApp, scripted: BackgroundServer
) -> None:
    scripted.backend.requests.clear()
    response = await rag_app.client.post(
        "/v1/query", json={"query": QUESTION, "vector_store_ids": []}
    )
    body = response.json()
    assert body["referenced_documents"] == []
    assert body["rag_chunks"] == []
    assert "file_search found" not in _last_user_message(scripted)


async def test_relevance_cutoff_drops_weak_chunks(
    scripted: BackgroundServer, knowledge: IndexResult, tmp_path: Path
) -> None:
    rag = rag_section(knowledge)
    rag["byok"]["stores"][0]["relevance_cutoff_score"] = 100.0
    async with running_app(stub_config(scripted.base_url, rag=rag), tmp_path) as app:
        body = (await app.client.post("/v1/query", json={"query": QUESTION})).json()
    assert body["referenced_documents"] == []


async def test_rags_endpoints_show_the_configured_id(rag_app: RunningApp) -> None:
    listing = await rag_app.client.get("/v1/rags")
    assert listing.status_code == 200
    assert STORE in listing.json()["rags"]
    for name in (STORE, STORE):  # rag_id and (here identical) vector_db_id
        info = await rag_app.client.get(f"/v1/rags/{name}")
        assert info.status_code == 200
        body: dict[str, Any] = info.json()
        assert body["id"] == STORE
        assert body["object"] == "vector_store"
        assert body["status"] == "completed"
    missing = await rag_app.client.get("/v1/rags/no-such-rag")
    assert missing.status_code == 404
    assert missing.json()["detail"] == {
        "response": "Rag not found",
        "cause": "Rag with ID no-such-rag does not exist",
    }


async def test_file_search_tool_results_become_referenced_documents(
    scripted: BackgroundServer, knowledge: IndexResult, tmp_path: Path
) -> None:
    rag = rag_section(knowledge, tool={"sources": [STORE], "max_chunks": 3})
    query = '[[tool:file_search {"query": "index a folder of documents"}]] Go'
    async with running_app(stub_config(scripted.base_url, rag=rag), tmp_path) as app:
        response = await app.client.post("/v1/query", json={"query": query})
        assert response.status_code == 200, response.text
        body = response.json()
        assert [c["name"] for c in body["tool_calls"]] == ["file_search"]
        assert body["tool_results"][0]["status"] == "success"
        assert RAG_DOC in body["referenced_documents"]
        assert body["rag_chunks"]
        offered = [t["function"]["name"] for t in scripted.backend.requests[-1]["tools"]]
        assert offered == ["file_search"]
        no_tools = await app.client.post("/v1/query", json={"query": "Hi", "no_tools": True})
        assert no_tools.status_code == 200
        assert not scripted.backend.requests[-1].get("tools")


async def test_referenced_documents_are_stored_in_each_database(
    scripted: BackgroundServer,
    knowledge: IndexResult,
    database_block: dict[str, Any],
    tmp_path: Path,
) -> None:
    config = stub_config(scripted.base_url, rag=rag_section(knowledge), database=database_block)
    async with running_app(config, tmp_path) as app:
        body = (await app.client.post("/v1/query", json={"query": QUESTION})).json()
        stored = await app.client.get(f"/v1/conversations/{body['conversation_id']}")
    assert stored.status_code == 200, stored.text
    assistant = stored.json()["chat_history"][0]["messages"][-1]
    assert assistant["referenced_documents"] == [RAG_DOC]
