"""The inline reranker in the running service: chunks re-ordered, or no start without weights."""

from __future__ import annotations

import pytest

from lightspeed_core.rag.indexer import IndexResult
from lightspeed_core.rag.reranker import RerankerUnavailableError
from lightspeed_core.testing.scripted_backend import BackgroundServer
from lightspeed_ogx.minilm.cross import MiniLMCrossEncoder
from tests.integration.rag.conftest import STORE, rag_section
from tests.support.app import running_app, stub_config
from tests.support.cross_encoder import build_cross_encoder

pytestmark = pytest.mark.xdist_group("rag")

QUESTION = "How do I index my own documents?"


async def test_inline_chunks_come_back_in_cross_encoder_order(
    scripted: BackgroundServer,
    knowledge: IndexResult,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder = tmp_path_factory.mktemp("app")
    (folder / "ce").mkdir()
    model = build_cross_encoder(folder / "ce")
    inline = {"sources": [STORE], "max_chunks": 3, "reranker": {"enabled": True, "model": "ce"}}
    config = stub_config(scripted.base_url, rag=rag_section(knowledge, inline=inline))
    async with running_app(config, folder) as app:  # "ce" is relative to the config's folder
        response = await app.client.post("/v1/query", json={"query": QUESTION})
    assert response.status_code == 200, response.text
    chunks = response.json()["rag_chunks"]
    assert len(chunks) == 2  # byok.max_chunks of the example section
    logits = MiniLMCrossEncoder(model).score(QUESTION, [c["content"] for c in chunks])
    assert list(logits) == sorted(logits, reverse=True)
    assert all(0 < c["score"] < 1 for c in chunks)


async def test_enabled_without_weights_the_service_does_not_start(
    scripted: BackgroundServer,
    knowledge: IndexResult,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path_factory.mktemp("no-weights")
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.delenv("HF_HOME", raising=False)
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    inline = {"sources": [STORE], "reranker": {"enabled": True}}
    config = stub_config(scripted.base_url, rag=rag_section(knowledge, inline=inline))
    with pytest.raises(RerankerUnavailableError, match="are not on this machine"):
        async with running_app(config, folder):
            pass
