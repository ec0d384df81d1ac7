"""The A2A request handler over the pipeline, against fakes (no HTTP, no OGX, no database)."""

from __future__ import annotations

import asyncio

import pytest
from a2a.types.a2a_pb2 import (
    CancelTaskRequest,
    GetTaskRequest,
    ListTasksRequest,
    SubscribeToTaskRequest,
    Task,
    TaskArtifactUpdateEvent,
    TaskState,
    TaskStatusUpdateEvent,
)
from a2a.utils.errors import (
    InvalidParamsError,
    PushNotificationNotSupportedError,
    TaskNotCancelableError,
    TaskNotFoundError,
)
from google.protobuf.json_format import MessageToDict

from lightspeed_core.a2a import protocol
from lightspeed_core.errors import QuotaExceededError
from lightspeed_core.pipeline.outcome import STOPPED_BY_USER
from lightspeed_core.shields.base import ShieldOutcome
from lightspeed_core.testing.fake_llm import FakeLLM, Reply, ScriptedTool
from lightspeed_core.testing.fakes import FakeShields, InMemoryConversations, RecordingQuota
from lightspeed_core.vocabulary.actions import Action

from .helpers import ALICE, BOB, agent, authorized, collect, kind, message

SLOW = Reply(" ".join(f"w{i}" for i in range(40)), delay=0.02)


def text_of(event: TaskStatusUpdateEvent | TaskArtifactUpdateEvent) -> str:
    if isinstance(event, TaskArtifactUpdateEvent):
        return "".join(part.text for part in event.artifact.parts)
    return "".join(part.text for part in event.status.message.parts)


async def test_send_runs_the_turn_and_answers_a_completed_task() -> None:
    quota, store = RecordingQuota(limit=10_000), InMemoryConversations()
    a = agent(quota=quota, conversations=store)
    task = await a.handler.on_message_send(message("Say hello"), a.context())
    assert isinstance(task, Task)
    assert task.status.state == TaskState.TASK_STATE_COMPLETED
    (artifact,) = task.artifacts
    assert [p.text for p in artifact.parts] == ["fake answer"]
    meta = MessageToDict(task.metadata)
    assert meta["model"] == "fake/fake-model"
    (turn,) = store.turns_of[meta["conversation_id"]]
    assert (turn.query, turn.response) == ("Say hello", "fake answer")
    assert store.conversations[meta["conversation_id"]].user_id == "alice"
    (settled,) = quota.settled
    assert settled[0] is not None
    assert settled[2] == 2
    # history: the question, then each superseded status message (the text deltas)
    texts = ["".join(p.text for p in m.parts) for m in task.history]
    assert texts == ["Say hello", "fake ", "answer"]
    stored = await a.service.store.get(task.id, "alice")
    assert stored is not None
    assert stored.state == "completed"
    assert protocol.from_stored(stored) == task
    assert a.service.live == {}


async def test_stream_events_in_the_reference_order() -> None:
    tool = ScriptedTool("lookup", {"q": 1}, "found")
    a = agent(llm=FakeLLM([Reply("Hi there", tools=(tool,))]))
    events = await collect(a.handler.on_message_send_stream(message("Hi"), a.context()))
    assert [kind(e) for e in events] == [
        "task",
        "status:WORKING",  # metadata: model, conversation_id
        "status:WORKING",  # Calling tool: lookup
        "status:WORKING",
        "status:WORKING",
        "artifact",
        "status:COMPLETED",
    ]
    first = events[0]
    assert isinstance(first, Task)
    assert first.status.state == TaskState.TASK_STATE_SUBMITTED
    started = events[1]
    assert isinstance(started, TaskStatusUpdateEvent)
    assert set(MessageToDict(started.metadata)) == {"model", "conversation_id"}
    notes = [text_of(e) for e in events[2:5] if isinstance(e, TaskStatusUpdateEvent)]
    assert notes == ["Calling tool: lookup", "Hi ", "there"]
    artifact = events[5]
    assert isinstance(artifact, TaskArtifactUpdateEvent)
    assert artifact.last_chunk
    assert text_of(artifact) == "Hi there"


async def test_empty_input_asks_for_input_and_the_task_continues() -> None:
    a = agent()
    asked = await a.handler.on_message_send(message("  "), a.context())
    assert isinstance(asked, Task)
    assert asked.status.state == TaskState.TASK_STATE_INPUT_REQUIRED
    assert "".join(p.text for p in asked.status.message.parts) == protocol.NO_INPUT
    assert a.ports.llm.requests == []  # type: ignore[attr-defined]
    done = await a.handler.on_message_send(message("Now a question", task_id=asked.id), a.context())
    assert isinstance(done, Task)
    assert (done.id, done.context_id) == (asked.id, asked.context_id)
    assert done.status.state == TaskState.TASK_STATE_COMPLETED
    with pytest.raises(InvalidParamsError):  # a completed task takes no more messages
        await a.handler.on_message_send(message("again", task_id=done.id), a.context())
    with pytest.raises(TaskNotFoundError):
        await a.handler.on_message_send(message("x", task_id="nope"), a.context())


async def test_a_context_continues_its_conversation() -> None:
    store = InMemoryConversations()
    a = agent(conversations=store)
    first = await a.handler.on_message_send(message("one", context_id="ctx-1"), a.context())
    second = await a.handler.on_message_send(message("two", context_id="ctx-1"), a.context())
    assert isinstance(first, Task)
    assert isinstance(second, Task)
    assert first.id != second.id
    assert first.context_id == second.context_id == "ctx-1"
    conversation = MessageToDict(first.metadata)["conversation_id"]
    assert MessageToDict(second.metadata)["conversation_id"] == conversation
    assert [t.query for t in store.turns_of[conversation]] == ["one", "two"]
    # the same contextId of another user is another conversation
    other = await a.handler.on_message_send(message("three", context_id="ctx-1"), a.context(BOB))
    assert isinstance(other, Task)
    assert MessageToDict(other.metadata)["conversation_id"] != conversation
    # the conversation was deleted: the context starts a new one
    del store.conversations[conversation]
    fresh = await a.handler.on_message_send(message("four", context_id="ctx-1"), a.context())
    assert isinstance(fresh, Task)
    assert fresh.status.state == TaskState.TASK_STATE_COMPLETED
    assert MessageToDict(fresh.metadata)["conversation_id"] != conversation


async def test_failures_end_the_task_failed_and_release_the_quota() -> None:
    quota = RecordingQuota(limit=10_000)
    error = QuotaExceededError("The model quota has been exceeded", "upstream said 429")
    a = agent(llm=FakeLLM([Reply("a b c", error=error, error_after=1)]), quota=quota)
    task = await a.handler.on_message_send(message("hi"), a.context())
    assert isinstance(task, Task)
    assert task.status.state == TaskState.TASK_STATE_FAILED
    assert "".join(p.text for p in task.status.message.parts) == (
        "The model quota has been exceeded: upstream said 429"
    )
    assert MessageToDict(task.metadata)["error"]["status_code"] == 429
    assert len(quota.released) == 1
    assert quota.settled == []


async def test_a_check_before_the_model_call_fails_the_task() -> None:
    modest = authorized("carol", set(ALICE.actions) - {Action.MODEL_OVERRIDE})
    a = agent()
    chosen = {"model": "fake-model", "provider": "fake"}
    task = await a.handler.on_message_send(message("hi", metadata=chosen), a.context(modest))
    assert isinstance(task, Task)
    assert task.status.state == TaskState.TASK_STATE_FAILED
    assert MessageToDict(task.metadata)["error"]["status_code"] == 403
    unknown = {"model": "nope", "provider": "fake"}
    task = await a.handler.on_message_send(message("hi", metadata=unknown), a.context())
    assert isinstance(task, Task)
    assert MessageToDict(task.metadata)["error"]["status_code"] == 404


async def test_cancel_stops_the_model_call_settles_and_stores_the_partial_turn() -> None:
    quota, store = RecordingQuota(limit=100_000), InMemoryConversations()
    a = agent(llm=FakeLLM([SLOW]), quota=quota, conversations=store)
    stream = a.handler.on_message_send_stream(message("long"), a.context())
    first = await anext(stream)
    assert isinstance(first, Task)
    received = []
    async for event in stream:
        if isinstance(event, TaskStatusUpdateEvent) and event.status.HasField("message"):
            received.append(text_of(event))
            if len(received) == 3:
                break
    canceled = await a.handler.on_cancel_task(CancelTaskRequest(id=first.id), a.context())
    assert canceled is not None
    assert canceled.status.state == TaskState.TASK_STATE_CANCELED
    rest = await collect(stream)
    assert [kind(e) for e in rest][-2:] == ["artifact", "status:CANCELED"]
    partial = text_of(rest[-2])  # type: ignore[arg-type]
    assert partial.endswith(STOPPED_BY_USER)
    assert partial.startswith("".join(received))
    conversation = MessageToDict(canceled.metadata)["conversation_id"]
    (turn,) = store.turns_of[conversation]
    assert turn.interrupted
    assert turn.response == partial
    (settled,) = quota.settled
    assert settled[2] > 0  # the tokens answered so far
    with pytest.raises(TaskNotCancelableError):
        await a.handler.on_cancel_task(CancelTaskRequest(id=first.id), a.context())


async def test_cancel_of_a_task_that_waits_for_input_or_has_ended() -> None:
    a = agent()
    asked = await a.handler.on_message_send(message(""), a.context())
    assert isinstance(asked, Task)
    canceled = await a.handler.on_cancel_task(CancelTaskRequest(id=asked.id), a.context())
    assert canceled is not None
    assert canceled.status.state == TaskState.TASK_STATE_CANCELED
    stored = await a.service.store.get(asked.id, "alice")
    assert stored is not None
    assert stored.state == "canceled"
    done = await a.handler.on_message_send(message("hi"), a.context())
    assert isinstance(done, Task)
    with pytest.raises(TaskNotCancelableError):
        await a.handler.on_cancel_task(CancelTaskRequest(id=done.id), a.context())


async def test_cancel_before_the_model_call_starts() -> None:
    a = agent(llm=FakeLLM([SLOW]))
    stream = a.handler.on_message_send_stream(message("long"), a.context())
    first = await anext(stream)
    assert isinstance(first, Task)
    # the run has not reached the model yet: the task is cancelled in the store ...
    canceled = await a.handler.on_cancel_task(CancelTaskRequest(id=first.id), a.context())
    assert canceled is not None
    assert canceled.status.state == TaskState.TASK_STATE_CANCELED
    # ... and the run, once started, stops at once
    rest = await collect(stream)
    assert [kind(e) for e in rest][-1] == "status:CANCELED"
    stored = await a.service.store.get(first.id, "alice")
    assert stored is not None
    assert stored.state == "canceled"


async def test_another_users_task_is_not_found() -> None:
    a = agent(llm=FakeLLM([SLOW]))
    stream = a.handler.on_message_send_stream(message("long"), a.context())
    first = await anext(stream)
    assert isinstance(first, Task)
    for call in (
        a.handler.on_get_task(GetTaskRequest(id=first.id), a.context(BOB)),
        a.handler.on_cancel_task(CancelTaskRequest(id=first.id), a.context(BOB)),
    ):
        with pytest.raises(TaskNotFoundError):
            await call
    with pytest.raises(TaskNotFoundError):
        await anext(
            a.handler.on_subscribe_to_task(SubscribeToTaskRequest(id=first.id), a.context(BOB))
        )
    with pytest.raises(TaskNotFoundError):
        await a.handler.on_message_send(message("x", task_id=first.id), a.context(BOB))
    await a.handler.on_cancel_task(CancelTaskRequest(id=first.id), a.context())
    await collect(stream)


async def test_get_list_and_subscribe() -> None:
    a = agent(llm=FakeLLM([SLOW]))
    stream = a.handler.on_message_send_stream(message("long", context_id="c1"), a.context())
    first = await anext(stream)
    assert isinstance(first, Task)
    await anext(stream)
    running = await a.handler.on_get_task(GetTaskRequest(id=first.id), a.context())
    assert running is not None
    assert running.status.state == TaskState.TASK_STATE_WORKING
    followed = a.handler.on_subscribe_to_task(SubscribeToTaskRequest(id=first.id), a.context())
    snapshot = await anext(followed)
    assert isinstance(snapshot, Task)
    assert snapshot.id == first.id
    both = await asyncio.gather(collect(stream), collect(followed))
    assert [kind(e) for e in both[0]][-1] == [kind(e) for e in both[1]][-1] == "status:COMPLETED"
    done = await a.handler.on_get_task(GetTaskRequest(id=first.id, history_length=1), a.context())
    assert done is not None
    assert len(done.history) == 1
    listed = await a.handler.on_list_tasks(ListTasksRequest(context_id="c1"), a.context())
    assert [t.id for t in listed.tasks] == [first.id]
    assert (await a.handler.on_list_tasks(ListTasksRequest(), a.context(BOB))).tasks == []


async def test_push_notifications_are_not_supported() -> None:
    a = agent()
    with pytest.raises(PushNotificationNotSupportedError):
        await a.handler.on_get_task_push_notification_config(None, a.context())  # type: ignore[arg-type]


class BrokenShields(FakeShields):
    async def screen(self, *args: object, **kwargs: object) -> ShieldOutcome:
        raise RuntimeError("boom")


async def test_a_shield_refusal_and_an_unexpected_failure() -> None:
    a = agent(shields=FakeShields(blocked=["forbidden"]))
    refused = await a.handler.on_message_send(message("a forbidden question"), a.context())
    assert isinstance(refused, Task)
    assert refused.status.state == TaskState.TASK_STATE_COMPLETED
    assert [p.text for p in refused.artifacts[0].parts] == ["I cannot answer that."]
    broken = agent(shields=BrokenShields())
    failed = await broken.handler.on_message_send(message("hi"), broken.context())
    assert isinstance(failed, Task)
    assert failed.status.state == TaskState.TASK_STATE_FAILED
    assert MessageToDict(failed.metadata)["error"] == {
        "status_code": 500,
        "response": "Internal server error",
        "cause": "An unexpected error occurred while processing the request.",
    }
