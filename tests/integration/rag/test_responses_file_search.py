"""``/v1/responses`` with a client ``file_search`` tool over our store (``openai`` package)."""

from __future__ import annotations

from pathlib import Path

import httpx
import openai

from lightspeed_core.rag.indexer import IndexResult
from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.integration.rag.conftest import STORE, rag_section
from tests.support.app import running_app, stub_config

SEARCH = '[[tool:file_search {"query": "index a folder of documents"}]] Go'


async def test_client_file_search_over_a_rag_id(
    scripted: BackgroundServer, knowledge: IndexResult, tmp_path: Path
) -> None:
    rag = rag_section(knowledge, inline={"sources": []})
    async with running_app(stub_config(scripted.base_url, rag=rag), tmp_path) as app:
        transport = httpx.ASGITransport(app=app.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            sdk = openai.AsyncOpenAI(
                base_url="http://testserver/v1",
                api_key="t",
                http_client=http,  # type: ignore[arg-type]  # openai types it as httpx2's client; httpx's works
                max_retries=0,
            )
            response = await sdk.responses.create(
                model="stub/stub-model",
                input=SEARCH,
                tools=[{"type": "file_search", "vector_store_ids": [STORE]}],
                include=["file_search_call.results"],
            )
            [search] = [item for item in response.output if item.type == "file_search_call"]
            assert search.status == "completed"
            assert search.results
            assert response.output_text.startswith("Tool said: ")
            [tool] = response.tools
            assert tool.type == "file_search"
            assert tool.vector_store_ids == [STORE]  # as the client named it
            offered = [t["function"]["name"] for t in scripted.backend.requests[-1]["tools"]]
            assert offered == ["file_search"]
            conversation = response.model_dump()["conversation"]
            [turn] = await app.services.conversations.turns(conversation)
            assert [c["name"] for c in turn.tool_calls] == ["file_search"]
            assert turn.referenced_documents
