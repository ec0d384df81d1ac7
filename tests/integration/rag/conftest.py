"""The example knowledge base, indexed once per session, and an app serving it inline."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from lightspeed_core.rag.indexer import IndexResult, build_store
from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import RunningApp, running_app, stub_config

KNOWLEDGE = Path(__file__).parents[3] / "examples" / "knowledge"
STORE = "lightspeed-docs"


@pytest.fixture(scope="session")
async def knowledge(tmp_path_factory: pytest.TempPathFactory) -> IndexResult:
    """``examples/knowledge`` indexed offline into a faiss file."""
    folder = tmp_path_factory.mktemp("knowledge")
    return await build_store(KNOWLEDGE, STORE, folder / "docs.faiss.db")


def rag_section(knowledge: IndexResult, **retrieval: Any) -> dict[str, Any]:
    """A ``rag`` block serving the example store (``retrieval`` overrides)."""
    return {
        "byok": {
            "max_chunks": 2,
            "stores": [
                {
                    "rag_id": STORE,
                    "vector_db_id": knowledge.vector_db_id,
                    "db_path": str(knowledge.db_path),
                    "embedding_model": "sentence-transformers/all-MiniLM-L6-v2",
                    "embedding_dimension": 384,
                }
            ],
        },
        "retrieval": retrieval or {"inline": {"sources": [STORE], "max_chunks": 1}},
    }


@pytest.fixture(scope="session")
async def rag_app(
    scripted: BackgroundServer, knowledge: IndexResult, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[RunningApp]:
    """The service with the example store as inline source (one chunk per question)."""
    folder = tmp_path_factory.mktemp("rag-app")
    config = stub_config(scripted.base_url, rag=rag_section(knowledge))
    async with running_app(config, folder) as running:
        yield running
