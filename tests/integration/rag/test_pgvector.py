"""A pgvector BYOK store served through OGX's ``remote::pgvector`` provider.

Skipped where it cannot run: the provider needs the ``pgvector`` Python package (not a
project dependency) and the ``vector`` extension in PostgreSQL (not packaged for the local
PostgreSQL 15 on this machine, and nothing can be downloaded). The run-config side is
covered by ``tests/unit/rag/test_runconfig_rag.py``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import running_app, stub_config
from tests.support.postgres import postgres_block

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("rag")]


async def _vector_extension(database: str) -> bool:
    connection = await asyncpg.connect(host="127.0.0.1", user="postgres", database=database)
    try:
        await connection.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except asyncpg.PostgresError:
        return False
    finally:
        await connection.close()
    return True


async def test_pgvector_store_is_served(
    scripted: BackgroundServer, postgres_db: str, tmp_path: Path
) -> None:
    if importlib.util.find_spec("pgvector") is None:
        pytest.skip("the pgvector Python package is not installed (optional, not a dependency)")
    if not await _vector_extension(postgres_db):
        pytest.skip("the PostgreSQL 'vector' extension is not available on this server")
    block: dict[str, Any] = postgres_block(postgres_db)
    store = {
        "rag_id": "pg-docs",
        "backend": "pgvector",
        "vector_db_id": "vs_pg_docs",
        "embedding_model": "all-MiniLM-L6-v2",
        "embedding_dimension": 384,
        "host": "127.0.0.1",
        "port": 5432,
        "db": postgres_db,
        "user": block["user"],
        "password": "unused",
    }
    rag = {"byok": {"stores": [store]}, "retrieval": {"inline": {"sources": ["pg-docs"]}}}
    async with running_app(stub_config(scripted.base_url, rag=rag), tmp_path) as app:
        listing = await app.client.get("/v1/rags")
        assert "pg-docs" in listing.json()["rags"]
        answer = await app.client.post("/v1/query", json={"query": "anything"})
        assert answer.status_code == 200
