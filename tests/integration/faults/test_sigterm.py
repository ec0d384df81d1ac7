"""SIGTERM with streams in flight (issue 14, item 3).

``lightspeed-core`` runs as a process with a 2-second grace period. Two streams are running
when it receives SIGTERM: a short one finishes within the grace period (``end``); a long one
is ended after it with an ``error`` event. Then, in the database the process leaves behind:
both turns stored (the long one partial, marked interrupted), no stream row left running,
no quota held and every token charged, and both topic summaries written.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import stub_config, write_config
from tests.support.processes import free_port, spawn, stop, venv_bin, wait_http

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("workers")]
INITIAL = 100_000
SHORT = "[[tokens:30]] [[slow:0.03]] A short answer please"  # about 1 s
STOPPED = (0, -signal.SIGTERM)  # uvicorn re-raises the signal it handled once it is done
LONG = "[[tokens:2000]] [[slow:0.03]] A very long answer please"  # about 60 s


async def _stream(
    client: httpx.AsyncClient, question: str, started: asyncio.Event
) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    body = {"query": question, "generate_topic_summary": True}
    async with client.stream("POST", "/v1/streaming_query", json=body) as reply:
        assert reply.status_code == 200
        async for line in reply.aiter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
                if events[-1]["event"] == "token":
                    started.set()
    return events


def _rows(path: Path, query: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as connection:
        return connection.execute(query).fetchall()


async def test_sigterm_drains_short_streams_and_ends_long_ones(
    scripted: BackgroundServer, tmp_path: Path
) -> None:
    port = free_port()
    database = tmp_path / "lightspeed.db"
    limiter = {
        "type": "user_limiter",
        "name": "per-user",
        "initial_quota": INITIAL,
        "quota_increase": 0,
        "period": "1 day",
    }
    config = stub_config(
        scripted.base_url,
        service={"port": port, "shutdown_grace_period": 2},
        database={"sqlite": {"db_path": str(database)}},
        quota_handlers={
            "sqlite": {"db_path": str(database)},
            "limiters": [limiter],
            "enable_token_history": True,
        },
    )
    path = write_config(config, tmp_path)
    log = tmp_path / "service.log"
    process = spawn(
        [venv_bin("lightspeed-core"), "-c", str(path)],
        log,
        {"LIGHTSPEED_CORE_DATA_DIR": str(tmp_path)},
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/liveness", process)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            short_started, long_started = asyncio.Event(), asyncio.Event()
            long = asyncio.ensure_future(_stream(client, LONG, long_started))
            await long_started.wait()
            short = asyncio.ensure_future(_stream(client, SHORT, short_started))
            await short_started.wait()
            process.send_signal(signal.SIGTERM)
            short_events, long_events = await asyncio.gather(short, long)
        assert process.wait(timeout=120) in STOPPED
    finally:
        if process.poll() is None:
            stop(process)
    output = log.read_text()

    assert short_events[-1]["event"] == "end", output
    assert long_events[-1]["event"] == "error", output
    error = long_events[-1]["data"]
    assert error["status_code"] == 503
    assert error["response"] == "Service is shutting down"
    streamed = "".join(e["data"]["token"] for e in long_events if e["event"] == "token")
    assert 0 < len(streamed.split()) < 2000

    conversations = {e["data"]["conversation_id"] for e in (short_events[0], long_events[0])}
    turns = _rows(database, "SELECT conversation_id, interrupted, output_tokens FROM user_turn")
    assert {t[0] for t in turns} == conversations
    assert sorted(bool(t[1]) for t in turns) == [False, True]  # the long one: partial
    assert _rows(database, "SELECT count(*) FROM stream_request WHERE completed_at IS NULL") == [
        (0,)
    ]
    assert _rows(database, "SELECT count(*) FROM quota_reservation") == [(0,)]
    (available,) = _rows(database, "SELECT available FROM quota_limits")[0]
    (charged,) = _rows(database, "SELECT sum(input_tokens + output_tokens) FROM token_usage")[0]
    assert INITIAL - available == charged > 0
    topics = _rows(database, "SELECT topic_summary FROM user_conversation")
    assert len(topics) == 2
    assert all(topic for (topic,) in topics), output
    assert "Cancel" not in output  # uvicorn never had to cancel a request


def test_sigterm_with_nothing_in_flight_exits_at_once(
    scripted: BackgroundServer, tmp_path: Path
) -> None:
    port = free_port()
    config = stub_config(
        scripted.base_url,
        service={"port": port, "shutdown_grace_period": 600},
        database={"sqlite": {"db_path": str(tmp_path / "lightspeed.db")}},
    )
    process = spawn(
        [venv_bin("lightspeed-core"), "-c", str(write_config(config, tmp_path))],
        tmp_path / "service.log",
        {"LIGHTSPEED_CORE_DATA_DIR": str(tmp_path)},
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/liveness", process)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=120) in STOPPED  # the grace period waits for answers only
    except subprocess.TimeoutExpired:
        stop(process)
        raise
