"""The body guard behind a real uvicorn socket: short bodies time out, long ones are cut off.

What an ASGI test client cannot show: a client that announces more bytes than it sends
gets 408 (instead of the connection being held until it gives up), and a chunked body is
refused while it is still arriving. The service keeps answering other requests meanwhile.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import stub_config
from tests.support.processes import free_port, lightspeed_service

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("body-limits")]

LIMIT = 64 * 1024


@pytest.fixture(scope="module")
def service(
    scripted: BackgroundServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, int]]:
    folder = tmp_path_factory.mktemp("body-limits")
    port = free_port()
    config = stub_config(
        scripted.base_url,
        service={
            "host": "127.0.0.1",
            "port": port,
            "max_request_body_bytes": LIMIT,
            "request_body_timeout": 1,
        },
        database={"sqlite": {"db_path": str(folder / "lightspeed.db")}},
    )
    with lightspeed_service(config, folder) as base:
        yield base, port


async def _exchange(port: int, head: str, parts: list[bytes]) -> tuple[int, Any]:
    """Send ``head`` and ``parts`` on a raw connection; the status and JSON body back."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head.encode("latin-1"))
        for part in parts:
            writer.write(part)
            await writer.drain()
        raw = await reader.read()  # the service answers and closes
    finally:
        writer.close()
    status_line, _, rest = raw.partition(b"\r\n")
    _, _, body = rest.partition(b"\r\n\r\n")
    return int(status_line.split()[1]), json.loads(body)


async def test_a_body_shorter_than_announced_is_408(service: tuple[str, int]) -> None:
    base, port = service
    head = (
        "POST /v1/query HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        "Content-Length: 100\r\nConnection: close\r\n\r\n"
    )
    stalled = asyncio.create_task(_exchange(port, head, [b'{"query": "hi']))
    async with httpx.AsyncClient(base_url=base) as client:
        assert (await client.get("/liveness")).status_code == 200  # others are answered meanwhile
    status, body = await stalled
    assert status == 408
    assert body["detail"]["response"] == "Request timeout"


async def test_a_chunked_body_over_the_limit_is_413(service: tuple[str, int]) -> None:
    _, port = service
    head = (
        "POST /v1/query HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    chunk = b"A" * 16384
    parts = [b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(LIMIT // len(chunk) + 1)]
    status, body = await _exchange(port, head, parts)
    assert status == 413
    assert body["detail"] == {
        "response": "Request body too large",
        "cause": f"The request body exceeds the maximum of {LIMIT} bytes.",
    }


async def test_an_announced_body_over_the_limit_is_413_before_it_is_sent(
    service: tuple[str, int],
) -> None:
    _, port = service
    head = (
        "POST /v1/query HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        f"Content-Length: {10 * 1024 * 1024}\r\nConnection: close\r\n\r\n"
    )
    status, body = await _exchange(port, head, [])
    assert status == 413
    assert body["detail"]["response"] == "Request body too large"


async def test_a_query_within_the_limit_is_answered(service: tuple[str, int]) -> None:
    base, _ = service
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        reply = await client.post("/v1/query", json={"query": "Say hello"})
    assert reply.status_code == 200, reply.text
