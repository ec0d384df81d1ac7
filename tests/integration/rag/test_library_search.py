"""Library mode searches through OGX's vector_io router: the same hits as the library client.

Also: a question searched inline in two stores is embedded once (OGX embeds it per store;
the MiniLM runner shares the computation under way).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lightspeed_core.llm.ports import ResourceCallError
from lightspeed_core.llm.resources import LibraryVectorStores, OgxVectorStores
from lightspeed_core.rag.indexer import IndexResult, build_store
from lightspeed_core.testing.scripted_backend import BackgroundServer
from lightspeed_ogx.minilm.runner import shared_runner
from tests.integration.rag.conftest import KNOWLEDGE, STORE, rag_section
from tests.support.app import RunningApp, running_app, stub_config

pytestmark = pytest.mark.xdist_group("rag")

QUESTIONS = (
    "Which command indexes a folder of Markdown and PDF files into a vector store?",
    "How are quotas enforced?",
    "nothing here is about llamas",
)


@pytest.mark.parametrize("question", QUESTIONS)
async def test_router_search_equals_the_library_clients(
    rag_app: RunningApp, knowledge: IndexResult, question: str
) -> None:
    stores = rag_app.services.vector_stores
    assert isinstance(stores, LibraryVectorStores)
    for limit, cutoff in ((10, 0.0), (2, 0.3), (5, 0.5)):
        direct = await stores.query(knowledge.vector_db_id, question, limit, cutoff)
        # the base class's query: through the library client's HTTP emulation
        through_client = await OgxVectorStores.query(
            stores, knowledge.vector_db_id, question, limit, cutoff
        )
        assert direct == through_client
    assert await stores.query(knowledge.vector_db_id, QUESTIONS[0], 10, 0.0)  # not vacuous


async def test_an_unknown_store_is_a_not_found_resource_error(rag_app: RunningApp) -> None:
    with pytest.raises(ResourceCallError) as caught:
        await rag_app.services.vector_stores.query("vs_nowhere", "question", 3, 0.0)
    assert caught.value.not_found


async def test_two_stores_searched_inline_embed_the_question_once(
    scripted: BackgroundServer,
    knowledge: IndexResult,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other = await build_store(KNOWLEDGE, "second-docs", tmp_path / "second.faiss.db")
    rag = rag_section(knowledge, inline={"sources": [STORE, "second"], "max_chunks": 4})
    store = dict(rag["byok"]["stores"][0])
    store |= {"rag_id": "second", "vector_db_id": other.vector_db_id}
    store["db_path"] = str(other.db_path)
    rag["byok"]["stores"].append(store)
    runner = shared_runner()
    embedded: list[list[str]] = []
    compute = runner._encode

    def counted(texts: list[str]) -> tuple[object, int]:
        embedded.append(texts)
        return compute(texts)

    async with running_app(stub_config(scripted.base_url, rag=rag), tmp_path / "app") as app:
        monkeypatch.setattr(runner, "_encode", counted)
        response = await app.client.post("/v1/query", json={"query": QUESTIONS[0]})
    assert response.status_code == 200, response.text
    assert embedded == [[QUESTIONS[0]]]
    assert {chunk["source"] for chunk in response.json()["rag_chunks"]} == {STORE, "second"}
