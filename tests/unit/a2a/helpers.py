"""Shared bits of the A2A unit tests: a handler over fakes, callers, messages."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from a2a.server.context import ServerCallContext
from a2a.types.a2a_pb2 import Message, Part, Role, SendMessageRequest, StreamResponse
from google.protobuf.json_format import MessageToDict

from lightspeed_core.a2a.caller import Caller
from lightspeed_core.a2a.factory import sdk_endpoint
from lightspeed_core.a2a.handler import LightspeedRequestHandler
from lightspeed_core.a2a.protocol import Event
from lightspeed_core.a2a.service import A2AService
from lightspeed_core.a2a.store import A2AStore, MemoryA2AStore
from lightspeed_core.auth.base import Principal
from lightspeed_core.authz.context import Authorized
from lightspeed_core.authz.policy import DEFAULT_ACTIONS
from lightspeed_core.background import BackgroundTasks
from lightspeed_core.pipeline.ports import PipelinePorts
from lightspeed_core.testing.services import fake_ports


def authorized(user_id: str, actions: Any = DEFAULT_ACTIONS) -> Authorized:
    return Authorized(Principal(user_id, user_id), frozenset(actions))


ALICE = authorized("alice")
BOB = authorized("bob")


@dataclass
class Agent:
    """A request handler over fake ports, and how to call it as a given user."""

    handler: LightspeedRequestHandler
    service: A2AService
    ports: PipelinePorts

    def context(self, auth: Authorized = ALICE) -> ServerCallContext:
        caller = Caller(auth, self.ports, {})
        return ServerCallContext(state={"headers": {}, "caller": caller})


CREATED: list[Agent] = []  # closed after each test (conftest.py)


def agent(store: A2AStore | None = None, **ports: Any) -> Agent:
    service = A2AService(store or MemoryA2AStore(), BackgroundTasks(), None, sdk_endpoint)
    created = Agent(LightspeedRequestHandler(service), service, fake_ports(**ports))
    CREATED.append(created)
    return created


async def close_agents() -> None:
    while CREATED:
        done = CREATED.pop()
        await done.service.background.drain(grace=5)
        await done.ports.topics.close(grace=0)


def message(
    text: str,
    *,
    task_id: str = "",
    context_id: str = "",
    metadata: dict[str, Any] | None = None,
) -> SendMessageRequest:
    sent = Message(
        message_id=str(uuid.uuid4()),
        role=Role.ROLE_USER,
        parts=[Part(text=text)],
        task_id=task_id,
        context_id=context_id,
    )
    if metadata:
        sent.metadata.update(metadata)
    return SendMessageRequest(message=sent)


def kind(event: Event) -> str:
    """``task``, ``status:<state>`` or ``artifact``, for comparing event sequences."""
    response = StreamResponse()
    which = {
        "Task": "task",
        "TaskStatusUpdateEvent": "status_update",
        "TaskArtifactUpdateEvent": "artifact_update",
    }[type(event).__name__]
    getattr(response, which).CopyFrom(event)
    data = MessageToDict(response)
    if "statusUpdate" in data:
        state: str = data["statusUpdate"]["status"]["state"]
        return "status:" + state.removeprefix("TASK_STATE_")
    return "artifact" if "artifactUpdate" in data else "task"


async def collect(events: AsyncIterator[Event]) -> list[Event]:
    return [event async for event in events]
