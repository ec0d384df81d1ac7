"""``/a2a`` over HTTP with fake ports: JSON-RPC framing, both protocol versions, bad input.

The routes of ``api/routes/a2a.py`` in a bare FastAPI app whose services are fakes: what
the SDK's dispatcher and our checks answer, byte-level where the protocol fixes it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lightspeed_core.a2a.factory import sdk_endpoint
from lightspeed_core.a2a.jsonrpc import MAX_BODY
from lightspeed_core.a2a.service import A2AService
from lightspeed_core.a2a.store import MemoryA2AStore
from lightspeed_core.api.errors import install_exception_handlers
from lightspeed_core.api.routes import a2a
from lightspeed_core.testing.services import fake_services

HEADERS_10 = {"A2A-Version": "1.0"}


def call(method: str, params: Any = None, request_id: Any = 1) -> dict[str, Any]:
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
    if params is not None:
        body["params"] = params
    return body


def v03_message(text: str, **extra: Any) -> dict[str, Any]:
    return {
        "message": {
            "kind": "message",
            "role": "user",
            "messageId": "m-1",
            "parts": [{"kind": "text", "text": text}],
            **extra,
        }
    }


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    services = fake_services(tmp_path)
    services = replace(
        services, a2a=A2AService(MemoryA2AStore(), services.background, None, sdk_endpoint)
    )
    app = FastAPI()
    install_exception_handlers(app)
    app.include_router(a2a.router)
    app.state.services = services
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        yield http
    await services.background.drain(grace=5)
    await services.topics.close(grace=0)


async def test_v03_send_get_and_stream(client: httpx.AsyncClient) -> None:
    sent = await client.post("/a2a", json=call("message/send", v03_message("hi")))
    assert sent.status_code == 200
    result = sent.json()["result"]
    assert (result["kind"], result["status"]["state"]) == ("task", "completed")
    assert result["artifacts"][0]["parts"] == [{"kind": "text", "text": "fake answer"}]
    got = await client.post("/a2a", json=call("tasks/get", {"id": result["id"]}, "g"))
    assert got.json()["id"] == "g"
    assert got.json()["result"]["id"] == result["id"]
    streamed = await client.post("/a2a", json=call("message/stream", v03_message("hi")))
    assert streamed.headers["content-type"].startswith("text/event-stream")
    frames = [json.loads(line[6:]) for line in streamed.text.splitlines() if line[:6] == "data: "]
    kinds = [f["result"]["kind"] for f in frames]
    assert kinds[0] == "task"
    assert kinds[-2:] == ["artifact-update", "status-update"]
    assert frames[-1]["result"]["final"] is True
    assert frames[-1]["result"]["status"]["state"] == "completed"
    assert {f["id"] for f in frames} == {1}


async def test_v10_send_by_the_header(client: httpx.AsyncClient) -> None:
    params = {"message": {"role": "ROLE_USER", "messageId": "m-2", "parts": [{"text": "hello"}]}}
    sent = await client.post("/a2a", json=call("SendMessage", params), headers=HEADERS_10)
    task = sent.json()["result"]["task"]
    assert task["status"]["state"] == "TASK_STATE_COMPLETED"
    got = await client.post("/a2a", json=call("GetTask", {"id": task["id"]}), headers=HEADERS_10)
    assert got.json()["result"]["id"] == task["id"]
    # a 1.0 method without the version header is refused, as the SDK does
    refused = await client.post("/a2a", json=call("GetTask", {"id": task["id"]}))
    assert refused.json()["error"]["code"] == -32009


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", -32700),
        (b"", -32700),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "tasks/get", "params": {"id": "\xff"}}', -32700),
        (b"{}", -32600),
        (b"42", -32600),
        (json.dumps({"jsonrpc": "2.0", "id": 1}).encode(), -32600),
        (json.dumps({"jsonrpc": "2.0", "id": {"a": 1}, "method": "tasks/get"}).encode(), -32600),
        (json.dumps({"jsonrpc": "2.0", "id": True, "method": "tasks/get"}).encode(), -32600),
        (json.dumps([call("tasks/get", {"id": "x"})]).encode(), -32600),
        (json.dumps({"jsonrpc": "1.0", "id": 1, "method": "tasks/get"}).encode(), -32600),
        (json.dumps(call("no/such/method", {})).encode(), -32601),
        (json.dumps(call("message/send")).encode(), -32602),
        (json.dumps(call("message/send", {"message": {"parts": []}})).encode(), -32602),
        (json.dumps(call("tasks/get", {"id": "unknown"})).encode(), -32001),
        (json.dumps(call("tasks/cancel", {"id": "unknown"})).encode(), -32001),
        (
            json.dumps(
                call(
                    "tasks/pushNotificationConfig/get", {"id": "t", "pushNotificationConfigId": "p"}
                )
            ).encode(),
            -32003,
        ),
    ],
)
async def test_bad_input_gets_the_protocols_error_codes(
    client: httpx.AsyncClient, body: bytes, code: int
) -> None:
    answer = await client.post("/a2a", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 200
    assert answer.json()["error"]["code"] == code
    assert answer.json()["jsonrpc"] == "2.0"


async def test_oversize_body_is_an_invalid_request(client: httpx.AsyncClient) -> None:
    huge = json.dumps(call("message/send", v03_message("x" * (MAX_BODY + 1))))
    answer = await client.post("/a2a", content=huge, headers={"content-type": "application/json"})
    assert answer.status_code == 200
    assert answer.json() == {
        "jsonrpc": "2.0",
        "id": None,
        "error": {"code": -32600, "message": "Payload too large"},
    }


async def test_get_works_like_post(client: httpx.AsyncClient) -> None:
    answer = await client.request("GET", "/a2a", json=call("tasks/get", {"id": "nope"}))
    assert answer.json()["error"]["code"] == -32001


async def test_card_missing_and_health(client: httpx.AsyncClient) -> None:
    for path in ("/.well-known/agent.json", "/.well-known/agent-card.json"):
        card = await client.get(path)
        assert card.status_code == 500
        assert card.json() == {"detail": "Customization configuration not found"}
    health = (await client.get("/a2a/health")).json()
    assert set(health) == {"status", "service", "version", "a2a_sdk_version", "timestamp"}
    assert (health["status"], health["service"]) == ("healthy", "lightspeed-a2a")
