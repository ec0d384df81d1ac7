"""Transcripts written behind the answer and the cache committed with the turn (issue 15).

Nothing queued is lost at shutdown (every transcript file present, every turn in the cache),
and a client that reads its conversation right after the answer finds the turn, on any
worker (v1 from the user database, v2 from the cache).
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import running_app, stub_config
from tests.support.postgres import postgres_block
from tests.support.processes import free_port, spawn, stop, venv_bin, wait_http

BODY = {"query": "Say hello", "generate_topic_summary": False}
ALICE = {"user_id": "alice"}


def offpath_config(base_url: str, folder: Path, **overrides: Any) -> dict[str, Any]:
    """Transcripts on; the conversation cache in a SQLite file of its own (unless overridden)."""
    cache = {"type": "sqlite", "sqlite": {"db_path": str(folder / "cache.db")}}
    sections: dict[str, Any] = {
        "user_data_collection": {
            "transcripts_enabled": True,
            "transcripts_storage": str(folder / "transcripts"),
        },
        "conversation_cache": cache,
        **overrides,
    }
    return stub_config(base_url, **sections)


def transcript_conversations(folder: Path) -> list[str]:
    """The conversation folder of every transcript file (one entry per file)."""
    return sorted(path.parent.name for path in (folder / "transcripts").rglob("*.json"))


def cached_conversations(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT conversation_id FROM cache_entries").fetchall()
    return sorted(row[0] for row in rows)


@pytest.mark.xdist_group("conversations")
async def test_transcripts_queued_at_shutdown_are_all_written(
    scripted: BackgroundServer, tmp_path: Path
) -> None:
    turns = 30
    async with running_app(offpath_config(scripted.base_url, tmp_path), tmp_path) as app:
        batcher = app.services.transcripts.batcher
        batcher.linger = 3600  # nothing is written until the shutdown flushes the queue
        replies = await asyncio.gather(
            *(app.client.post("/v1/query", json=BODY, params=ALICE) for _ in range(turns))
        )
        assert [r.status_code for r in replies] == [200] * turns
        conversations = sorted(r.json()["conversation_id"] for r in replies)
        assert batcher.pending == turns  # every file still queued
        assert transcript_conversations(tmp_path) == []
        # the cache, unlike the transcripts, is committed before the answer
        for cid in conversations:
            v2 = await app.client.get(f"/v2/conversations/{cid}", params=ALICE)
            assert len(v2.json()["chat_history"]) == 1
    assert transcript_conversations(tmp_path) == conversations  # written at shutdown
    assert cached_conversations(tmp_path / "cache.db") == conversations
    assert not list((tmp_path / "transcripts").rglob(".*.tmp"))


async def fresh(base: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One request on a connection of its own (the kernel picks the worker)."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        return await client.request(method, path, **kwargs)


async def ask_then_read(base: str) -> str:
    """A question, then the conversation from v1 and v2 at once, each on a new connection."""
    reply = await fresh(base, "POST", "/v1/query", json=BODY, params=ALICE)
    assert reply.status_code == 200, reply.text
    cid: str = reply.json()["conversation_id"]
    v1, v2 = await asyncio.gather(
        fresh(base, "GET", f"/v1/conversations/{cid}", params=ALICE),
        fresh(base, "GET", f"/v2/conversations/{cid}", params=ALICE),
    )
    assert v1.status_code == 200, v1.text
    assert v2.status_code == 200, v2.text
    assert len(v1.json()["chat_history"]) == 1
    assert [t["messages"][1]["content"] for t in v2.json()["chat_history"]] == ["Hello from stub"]
    return cid


@pytest.fixture(params=["sqlite", "postgres"])
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    """SQLite: the cache in its own file; PostgreSQL: in the user database (one transaction)."""
    if request.param == "sqlite":
        return {"database": {"sqlite": {"db_path": str(tmp_path / "lightspeed.db")}}}
    name: str = request.getfixturevalue("postgres_db")
    block = postgres_block(name, namespace=f"offpath_{tmp_path.name[-8:]}")
    return {
        "database": {"postgres": block},
        "conversation_cache": {"type": "postgres", "postgres": block},
    }


@pytest.mark.slow
@pytest.mark.xdist_group("workers")
async def test_read_your_writes_on_two_workers_and_nothing_lost_on_sigterm(
    scripted: BackgroundServer, tmp_path: Path, databases: dict[str, Any]
) -> None:
    port = free_port()
    overrides: dict[str, Any] = {"service": {"port": port, "workers": 2}, **databases}
    config = offpath_config(scripted.base_url, tmp_path, **overrides)
    path = tmp_path / "lightspeed-stack.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    log = tmp_path / "service.log"
    metrics = tmp_path / "metrics"
    metrics.mkdir()
    env = {"LIGHTSPEED_CORE_DATA_DIR": str(tmp_path), "PROMETHEUS_MULTIPROC_DIR": str(metrics)}
    process = spawn([venv_bin("lightspeed-core"), "-c", str(path)], log, env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/liveness", process)
        for _ in range(600):  # until both workers finished starting (no timing asserted)
            if log.read_text().count("Application startup complete") >= 2:
                break
            await asyncio.sleep(0.5)
        conversations = [await ask_then_read(base) for _ in range(12)]
        conversations += await asyncio.gather(*(ask_then_read(base) for _ in range(12)))
        process.send_signal(signal.SIGTERM)
        returncode = process.wait(timeout=60)
    finally:
        stop(process)
    assert returncode in (0, -signal.SIGTERM), log.read_text()
    assert len(list(metrics.glob("counter_*.db"))) == 2  # both workers answered some of them
    assert transcript_conversations(tmp_path) == sorted(conversations)
    if "sqlite" in databases["database"]:
        assert cached_conversations(tmp_path / "cache.db") == sorted(conversations)
