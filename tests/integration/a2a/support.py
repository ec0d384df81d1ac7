"""Shared bits of the A2A integration tests: configuration, a real A2A client, raw JSON-RPC."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
from a2a.client import A2ACardResolver, Client, ClientConfig, ClientFactory
from a2a.types.a2a_pb2 import (
    Message,
    Part,
    Role,
    SendMessageRequest,
    StreamResponse,
    Task,
)
from google.protobuf.json_format import MessageToDict

from tests.support.app import stub_config

CARD = {
    "name": "Lightspeed test agent",
    "description": "Answers questions through the scripted model",
    "provider": {"organization": "Tests", "url": "https://example.com"},
    "skills": [
        {
            "id": "answer",
            "name": "Answer",
            "description": "Answers a question",
            "tags": ["qa"],
            "inputModes": ["text/plain"],
            "outputModes": ["text/plain"],
            "examples": ["Say hello"],
        }
    ],
}
SLOW = "[[slow:0.2]] [[tokens:50]]"
FULL_TEXT = "".join(f"tok{i} " for i in range(50))


def a2a_config(backend_url: str, port: int, **overrides: Any) -> dict[str, Any]:
    """A library-mode service that is an agent at ``http://127.0.0.1:<port>``."""
    base = f"http://127.0.0.1:{port}"
    return stub_config(
        backend_url,
        service={"host": "127.0.0.1", "port": port, "base_url": base},
        customization={"agent_card_config": CARD},
        **overrides,
    )


@contextlib.asynccontextmanager
async def agent_client(
    base_url: str, user: str = "alice", *, protocol: str = "1.0", streaming: bool = True
) -> AsyncIterator[Client]:
    """The a2a-sdk client, from the card, speaking ``protocol`` (1.0, or 0.3 as the reference's)."""
    http = httpx.AsyncClient(params={"user_id": user}, timeout=60)
    try:
        card = await A2ACardResolver(http, base_url).get_agent_card()
        chosen = [i for i in card.supported_interfaces if i.protocol_version == protocol]
        assert chosen, f"the card offers no protocol {protocol}"
        del card.supported_interfaces[:]
        card.supported_interfaces.extend(chosen)
        client = ClientFactory(ClientConfig(httpx_client=http, streaming=streaming)).create(card)
        try:
            yield client
        finally:
            await client.close()
    finally:
        await http.aclose()


def ask(
    text: str, *, context_id: str = "", task_id: str = "", **metadata: Any
) -> SendMessageRequest:
    message = Message(
        message_id=str(uuid.uuid4()),
        role=Role.ROLE_USER,
        parts=[Part(text=text)],
        context_id=context_id,
        task_id=task_id,
    )
    if metadata:
        message.metadata.update(metadata)
    return SendMessageRequest(message=message)


def kind(response: StreamResponse) -> str:
    """``task``, ``status:<STATE>``, ``artifact`` or ``message``."""
    which = response.WhichOneof("payload")
    if which == "status_update":
        state: str = MessageToDict(response.status_update)["status"]["state"]
        return "status:" + state.removeprefix("TASK_STATE_")
    return {"artifact_update": "artifact", "task": "task", "message": "message"}[str(which)]


def text(response: StreamResponse) -> str:
    if response.HasField("artifact_update"):
        return "".join(p.text for p in response.artifact_update.artifact.parts)
    return "".join(p.text for p in response.status_update.status.message.parts)


def conversation_of(task: Task) -> str:
    return str(MessageToDict(task.metadata)["conversation_id"])


async def only_task(client: Client, request: SendMessageRequest) -> Task:
    """``message/send`` (a client configured with ``streaming=False``): the final task."""
    (response,) = [r async for r in client.send_message(request)]
    assert response.HasField("task")
    return response.task


def rpc(method: str, params: Any = None, request_id: Any = 1) -> dict[str, Any]:
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
    if params is not None:
        body["params"] = params
    return body


def frames(sse: str) -> list[dict[str, Any]]:
    return [json.loads(line[6:]) for line in sse.splitlines() if line.startswith("data: ")]
