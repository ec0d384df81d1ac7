"""pgvector end to end: ingest into PostgreSQL through OGX, then answer from it with inline RAG.

OGX's ``remote::pgvector`` provider needs PostgreSQL's ``vector`` extension. The local server
is used when it has the extension; otherwise (Debian's PostgreSQL 15 here has no pgvector
package) the test starts ``pgserver`` - a real PostgreSQL 16 with pgvector, from PyPI - in a
temporary folder, reached over its Unix socket.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import running_app, stub_config
from tests.support.postgres import HOST, PORT, USER, create_database, drop_database
from tests.support.vector_stores import ingested

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("rag")]

MODEL = {"embedding_model": "all-MiniLM-L6-v2", "embedding_dimension": 384}
TEXT = (
    b"Llamas carry loads in the Andes and live in herds.\n\n"
    b"Alpacas are bred for their wool, which is softer than sheep's wool."
)


async def _has_vector(**connect: Any) -> bool:
    connection = await asyncpg.connect(**connect)
    try:
        await connection.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except asyncpg.PostgresError:
        return False
    finally:
        await connection.close()
    return True


@pytest.fixture(scope="module")
async def vector_postgres(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[dict[str, Any]]:
    """Connection settings of a PostgreSQL database with the ``vector`` extension."""
    name = await create_database()
    try:
        if await _has_vector(host=HOST, port=PORT, user=USER, database=name):
            yield {"host": HOST, "port": PORT, "db": name, "user": USER}
            return
    finally:
        await drop_database(name)
    pgserver = pytest.importorskip("pgserver")
    # pgserver logs at INFO from an atexit hook, after pytest has closed its capture streams
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    folder = tmp_path_factory.mktemp("pgvector")
    server = await asyncio.to_thread(pgserver.get_server, folder, cleanup_mode="stop")
    try:
        socket = {"host": str(folder), "port": 5432, "user": "postgres"}
        assert await _has_vector(**socket, database="postgres")
        yield {**socket, "db": "postgres"}
    finally:
        await asyncio.to_thread(server.cleanup)


async def test_ingest_into_pgvector_then_answer_from_it(
    scripted: BackgroundServer, vector_postgres: dict[str, Any], tmp_path: Path
) -> None:
    settings = {**vector_postgres, "password": "unused"}
    # 1. a runtime vector store on pgvector: upload a document, OGX embeds it into PostgreSQL
    runtime = {
        "default_provider": "pg",
        "providers": [{"id": "pg", "type": "pgvector", **MODEL, "config": settings}],
    }
    config = stub_config(scripted.base_url, vector_store=runtime)
    async with running_app(config, tmp_path / "ingest") as app:
        created = await app.client.post("/v1/vector-stores", json={"name": "animals"})
        assert created.status_code == 200, created.text
        store = created.json()["id"]
        upload = await app.client.post(
            "/v1/files", files={"file": ("animals.txt", TEXT, "text/plain")}
        )
        assert upload.status_code == 200, upload.text
        file_id = upload.json()["id"]
        attached = await app.client.post(
            f"/v1/vector-stores/{store}/files",
            json={"file_id": file_id, "attributes": {"title": "Animals"}},
        )
        assert attached.status_code == 200, attached.text
        assert (await ingested(app.client, store, file_id))["status"] == "completed"

    # 2. another service serves that PostgreSQL store as a BYOK store with inline RAG
    byok = {"rag_id": "pg-docs", "backend": "pgvector", "vector_db_id": store, **MODEL}
    rag = {
        "byok": {"stores": [{**byok, **settings}]},
        "retrieval": {"inline": {"sources": ["pg-docs"]}},
    }
    async with running_app(stub_config(scripted.base_url, rag=rag), tmp_path / "serve") as app:
        assert "pg-docs" in (await app.client.get("/v1/rags")).json()["rags"]
        answer = await app.client.post("/v1/query", json={"query": "Where do llamas carry loads?"})
        assert answer.status_code == 200, answer.text
        chunks = answer.json()["rag_chunks"]
        assert chunks, answer.json()
        assert "Andes" in chunks[0]["content"]
