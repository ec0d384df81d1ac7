"""A2A through the real service in library mode, with the a2a-sdk's own client.

One live service (uvicorn, real OGX in-process, the scripted model, SQLite for the main,
quota and A2A state databases) answers the SDK client speaking protocol 1.0 and, like the
reference's clients, 0.3: card discovery, send, stream, get, cancel mid-stream (quota
settled, partial turn stored), input-required, failures, another user's task.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from a2a.client import ClientConfig, ClientFactory
from a2a.types.a2a_pb2 import (
    CancelTaskRequest,
    GetTaskRequest,
    StreamResponse,
    SubscribeToTaskRequest,
    TaskState,
)
from a2a.utils.errors import TaskNotFoundError
from google.protobuf.json_format import MessageToDict

from lightspeed_core.a2a.protocol import NO_INPUT
from lightspeed_core.pipeline.outcome import STOPPED_BY_USER
from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.integration.a2a.support import (
    CARD,
    FULL_TEXT,
    SLOW,
    a2a_config,
    agent_client,
    ask,
    conversation_of,
    frames,
    kind,
    only_task,
    rpc,
    text,
)
from tests.integration.quota.conftest import limiter_config
from tests.integration.streaming.server import LiveApp, serve
from tests.support.processes import free_port

pytestmark = pytest.mark.xdist_group("a2a")
PROTOCOLS = ["1.0", "0.3"]
QUOTA = 100_000


@pytest.fixture(scope="module")
async def agent(
    scripted: BackgroundServer, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[LiveApp]:
    folder = tmp_path_factory.mktemp("a2a")
    port = free_port()
    config = a2a_config(
        scripted.base_url,
        port,
        a2a_state={"sqlite": {"db_path": str(folder / "a2a.db")}},
        quota_handlers={
            "sqlite": {"db_path": str(folder / "quota.db")},
            "limiters": [limiter_config("per-user", initial_quota=QUOTA, quota_increase=0)],
            "enable_token_history": True,
        },
        user_data_collection={
            "transcripts_enabled": True,
            "transcripts_storage": str(folder / "transcripts"),
        },
    )
    async with serve(config, folder, port) as live:
        yield live


def transcripts(folder: Path, conversation: str) -> int:
    return len(list(folder.rglob(f"{conversation}/*.json")))


async def get_json(live: LiveApp, path: str, user: str = "alice") -> Any:
    async with httpx.AsyncClient(base_url=live.base_url, timeout=30) as http:
        answer = await http.get(path, params={"user_id": user})
        assert answer.status_code == 200, answer.text
        return answer.json()


async def test_card_discovery(agent: LiveApp) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        factory = ClientFactory(ClientConfig(httpx_client=http, streaming=False))
        client = await factory.create_from_url(agent.base_url)  # the card at the well-known path
        task = await only_task(client, ask("Say hello"))  # protocol 1.0, preferred by the SDK
        await client.close()
    assert task.status.state == TaskState.TASK_STATE_COMPLETED
    old = await get_json(agent, "/.well-known/agent.json")
    assert await get_json(agent, "/.well-known/agent-card.json") == old
    assert old["name"] == CARD["name"]
    assert old["url"] == f"{agent.base_url}/a2a"
    assert old["protocolVersion"] == "0.3.0"
    assert [i["protocolVersion"] for i in old["supportedInterfaces"]] == ["1.0", "0.3"]
    assert old["skills"][0]["examples"] == ["Say hello"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_send_get_and_the_conversation(
    agent: LiveApp, scripted: BackgroundServer, protocol: str
) -> None:
    async with agent_client(agent.base_url, protocol=protocol, streaming=False) as client:
        first = await only_task(client, ask("Say hello", context_id=f"ctx-{protocol}"))
        assert first.status.state == TaskState.TASK_STATE_COMPLETED
        assert [p.text for p in first.artifacts[0].parts] == ["Hello from stub"]
        got = await client.get_task(GetTaskRequest(id=first.id))
        assert (got.id, got.status.state) == (first.id, TaskState.TASK_STATE_COMPLETED)
        scripted.backend.requests.clear()
        second = await only_task(client, ask("[[say:Again]] more", context_id=f"ctx-{protocol}"))
        assert second.context_id == first.context_id
    conversation = conversation_of(first)
    assert conversation_of(second) == conversation
    # the earlier turn is history for the model
    sent = json.dumps(scripted.backend.requests[-1])
    assert "Say hello" in sent
    assert "Hello from stub" in sent
    # an A2A conversation is an ordinary conversation of its owner
    listed = await get_json(agent, "/v1/conversations")
    assert conversation in {c["conversation_id"] for c in listed["conversations"]}
    stored = await get_json(agent, f"/v1/conversations/{conversation}")
    assert len(stored["chat_history"]) == 2
    folder = agent.services.config.user_data_collection.transcripts_storage
    await agent.services.transcripts.flush()  # written behind the answers
    assert transcripts(Path(folder or ""), conversation) == 2
    async with httpx.AsyncClient(base_url=agent.base_url) as http:
        metrics = await http.get("/metrics")
    assert 'endpoint="/a2a"' in metrics.text


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_stream(agent: LiveApp, protocol: str) -> None:
    async with agent_client(agent.base_url, protocol=protocol) as client:
        events = [e async for e in client.send_message(ask("[[tokens:5]] go"))]
    kinds = [kind(e) for e in events]
    assert kinds[0] == "task"
    assert set(kinds[1:-2]) == {"status:WORKING"}
    assert kinds[-2:] == ["artifact", "status:COMPLETED"]
    started = MessageToDict(events[1].status_update.metadata)
    assert started["model"] == "stub/stub-model"
    deltas = "".join(text(e) for e in events[2:-2])
    assert deltas == text(events[-2]) == "".join(f"tok{i} " for i in range(5))
    assert events[-2].artifact_update.last_chunk


async def collect(stream: AsyncIterator[StreamResponse]) -> list[StreamResponse]:
    return [event async for event in stream]


async def until_deltas(stream: AsyncIterator[StreamResponse], count: int) -> list[str]:
    received: list[str] = []
    async for event in stream:
        if event.HasField("status_update") and event.status_update.status.HasField("message"):
            received.append(text(event))
            if len(received) == count:
                return received
    raise AssertionError("the stream ended early")


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_cancel_mid_stream(agent: LiveApp, protocol: str) -> None:
    user = f"canceller-{protocol}"  # a fresh quota
    async with (
        agent_client(agent.base_url, user, protocol=protocol) as client,
        agent_client(agent.base_url, user, protocol=protocol, streaming=False) as other,
    ):
        stream = aiter(client.send_message(ask(SLOW)))
        first = await anext(stream)
        task_id = first.task.id
        received = await until_deltas(stream, 2)
        canceled = await other.cancel_task(CancelTaskRequest(id=task_id))
        assert canceled.status.state == TaskState.TASK_STATE_CANCELED
        rest = [event async for event in stream]
        got = await other.get_task(GetTaskRequest(id=task_id))
    assert [kind(e) for e in rest][-2:] == ["artifact", "status:CANCELED"]
    partial = text(rest[-2])
    received += [text(e) for e in rest[:-2]]
    assert partial == "".join(received)  # the closing note is streamed too
    assert partial.endswith(STOPPED_BY_USER)
    assert FULL_TEXT.startswith(partial.removesuffix(STOPPED_BY_USER))
    assert got.status.state == TaskState.TASK_STATE_CANCELED
    conversation = conversation_of(canceled)
    stored = await get_json(agent, f"/v1/conversations/{conversation}", user)
    (turn,) = stored["chat_history"]
    assert turn["messages"][1]["content"] == partial
    # the quota is settled for what was used: nothing is held, the turn's tokens are charged
    quotas = await get_json(agent, "/v1/quotas", user)
    (mine,) = [q for q in quotas["quotas"] if q["limiter"] == "per-user"]
    (usage,) = (await get_json(agent, "/v1/token-usage", user))["usage"]
    used = usage["input_tokens"] + usage["output_tokens"]
    assert usage["output_tokens"] > 0
    assert (mine["reserved"], mine["available"]) == (0, QUOTA - used)


async def test_input_required_then_an_answer(agent: LiveApp) -> None:
    async with agent_client(agent.base_url, streaming=False) as client:
        asked = await only_task(client, ask(""))
        assert asked.status.state == TaskState.TASK_STATE_INPUT_REQUIRED
        assert "".join(p.text for p in asked.status.message.parts) == NO_INPUT
        done = await only_task(client, ask("Say hello", task_id=asked.id))
    assert (done.id, done.status.state) == (asked.id, TaskState.TASK_STATE_COMPLETED)


async def test_failures_are_failed_tasks(agent: LiveApp) -> None:
    async with agent_client(agent.base_url, streaming=False) as client:
        limited = await only_task(client, ask("[[error:429]] hi"))
        unknown = await only_task(client, ask("hi", model="nope", provider="stub"))
    assert limited.status.state == TaskState.TASK_STATE_FAILED
    assert MessageToDict(limited.metadata)["error"]["status_code"] == 429
    assert unknown.status.state == TaskState.TASK_STATE_FAILED
    error = MessageToDict(unknown.metadata)["error"]
    assert (error["status_code"], error["response"]) == (404, "Model not found")


async def test_another_users_task_is_refused(agent: LiveApp) -> None:
    async with (
        agent_client(agent.base_url, streaming=False) as alice,
        agent_client(agent.base_url, "bob", streaming=False) as bob,
        agent_client(agent.base_url, "bob", protocol="0.3", streaming=False) as bob03,
    ):
        task = await only_task(alice, ask("Say hello"))
        for client in (bob, bob03):
            with pytest.raises(TaskNotFoundError):
                await client.get_task(GetTaskRequest(id=task.id))
            with pytest.raises(TaskNotFoundError):
                await client.cancel_task(CancelTaskRequest(id=task.id))


async def test_resubscribe(agent: LiveApp) -> None:
    async with (
        agent_client(agent.base_url) as client,
        agent_client(agent.base_url) as again,
    ):
        stream = aiter(client.send_message(ask("[[slow:0.05]] [[tokens:10]]")))
        first = await anext(stream)
        followed, rest = await asyncio.gather(
            collect(again.subscribe(SubscribeToTaskRequest(id=first.task.id))), collect(stream)
        )
    assert kind(followed[0]) == "task"
    assert [kind(e) for e in followed][-2:] == [kind(e) for e in rest][-2:]
    assert kind(rest[-1]) == "status:COMPLETED"


async def test_bad_input_is_a_json_rpc_error(agent: LiveApp) -> None:
    cases = [
        (b"{", -32700),
        (json.dumps(rpc("tasks/unknown", {})).encode(), -32601),
        (json.dumps(rpc("message/send")).encode(), -32602),
        (json.dumps([rpc("tasks/get", {"id": "x"})]).encode(), -32600),
        (json.dumps(rpc("message/send", {"message": {"x": "y" * (11 << 20)}})).encode(), -32600),
    ]
    async with httpx.AsyncClient(base_url=agent.base_url, timeout=60) as http:
        for body, code in cases:
            answer = await http.post(
                "/a2a", content=body, headers={"content-type": "application/json"}
            )
            assert answer.status_code == 200
            assert answer.json()["error"]["code"] == code
        streamed = await http.post("/a2a", json=rpc("message/stream", {"message": {}}))
        assert streamed.json()["error"]["code"] == -32602
        ok = await http.post(
            "/a2a",
            json=rpc(
                "message/stream",
                {
                    "message": {
                        "kind": "message",
                        "role": "user",
                        "messageId": "m",
                        "parts": [{"kind": "text", "text": "Say hello"}],
                    }
                },
            ),
        )
        assert [f["result"]["kind"] for f in frames(ok.text)][-1] == "status-update"
