"""A2A protocol objects (the a2a-sdk's protocol-1.0 types) and the task fold.

The request handler works in protocol 1.0; the SDK converts to and from 0.3 for clients
that speak it. Here: the messages, statuses and artifacts a run publishes, how each event
changes the task (as the SDK's task manager does: a superseded status message moves into
``history``, an artifact is added or replaced), the options a message's ``metadata`` may
carry, and the conversion to and from the stored form (:class:`StoredTask`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from a2a.types.a2a_pb2 import (
    Artifact,
    Message,
    Part,
    Role,
    Task,
    TaskArtifactUpdateEvent,
    TaskState,
    TaskStatus,
    TaskStatusUpdateEvent,
)
from google.protobuf.json_format import MessageToDict, ParseDict

from lightspeed_core.a2a import store

Event = Task | Message | TaskStatusUpdateEvent | TaskArtifactUpdateEvent

NO_INPUT = "No input received. Please provide your input."

STATES: dict[int, str] = {
    TaskState.TASK_STATE_SUBMITTED: store.SUBMITTED,
    TaskState.TASK_STATE_WORKING: store.WORKING,
    TaskState.TASK_STATE_INPUT_REQUIRED: store.INPUT_REQUIRED,
    TaskState.TASK_STATE_COMPLETED: store.COMPLETED,
    TaskState.TASK_STATE_CANCELED: store.CANCELED,
    TaskState.TASK_STATE_FAILED: store.FAILED,
    TaskState.TASK_STATE_REJECTED: store.REJECTED,
    TaskState.TASK_STATE_AUTH_REQUIRED: "auth-required",
}


@dataclass(frozen=True, slots=True)
class Options:
    """What a message's ``metadata`` may choose (contract 10, plus ``generate_topic_summary``)."""

    model: str | None = None
    provider: str | None = None
    vector_store_ids: list[str] | None = None
    generate_topic_summary: bool = True

    @classmethod
    def of(cls, message: Message) -> Options:
        if not message.HasField("metadata"):
            return cls()
        meta = MessageToDict(message.metadata)
        ids = meta.get("vector_store_ids")
        return cls(
            model=_text(meta.get("model")),
            provider=_text(meta.get("provider")),
            vector_store_ids=[str(i) for i in ids] if isinstance(ids, list) else None,
            generate_topic_summary=meta.get("generate_topic_summary") is not False,
        )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def user_text(message: Message) -> str:
    """The text of a message's text parts (other parts are not read)."""
    return "\n".join(part.text for part in message.parts if part.HasField("text")).strip()


def agent_message(text: str, task_id: str, context_id: str) -> Message:
    return Message(
        message_id=str(uuid.uuid4()),
        role=Role.ROLE_AGENT,
        parts=[Part(text=text)],
        task_id=task_id,
        context_id=context_id,
    )


def status(state: int, message: Message | None = None) -> TaskStatus:
    result = TaskStatus(state=state)  # type: ignore[arg-type]
    result.timestamp.GetCurrentTime()
    if message is not None:
        result.message.CopyFrom(message)
    return result


def status_event(
    task: Task,
    state: int,
    text: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> TaskStatusUpdateEvent:
    """A status update of ``task`` (with an agent message when ``text`` is given)."""
    message = None if text is None else agent_message(text, task.id, task.context_id)
    event = TaskStatusUpdateEvent(
        task_id=task.id, context_id=task.context_id, status=status(state, message)
    )
    if metadata:
        event.metadata.update(metadata)
    return event


def artifact_event(task: Task, text: str) -> TaskArtifactUpdateEvent:
    """The whole answer as one artifact (``lastChunk``)."""
    return TaskArtifactUpdateEvent(
        task_id=task.id,
        context_id=task.context_id,
        artifact=Artifact(artifact_id=str(uuid.uuid4()), parts=[Part(text=text)]),
        last_chunk=True,
    )


def apply(task: Task, event: Event) -> None:
    """Change ``task`` by one event (the SDK task manager's rules)."""
    if isinstance(event, TaskStatusUpdateEvent):
        if task.status.HasField("message"):
            task.history.append(task.status.message)
        if event.HasField("metadata"):
            task.metadata.update(MessageToDict(event.metadata))
        task.status.CopyFrom(event.status)
    elif isinstance(event, TaskArtifactUpdateEvent):
        for existing in task.artifacts:
            if existing.artifact_id == event.artifact.artifact_id:
                if event.append:
                    existing.parts.extend(event.artifact.parts)
                else:
                    existing.CopyFrom(event.artifact)
                return
        task.artifacts.append(event.artifact)
    elif isinstance(event, Task):
        task.CopyFrom(event)


def state_of(task: Task) -> str:
    return STATES.get(task.status.state, "unknown")


def to_stored(task: Task, user_id: str, request_id: str | None = None) -> store.StoredTask:
    return store.StoredTask(
        task_id=task.id,
        user_id=user_id,
        context_id=task.context_id,
        state=state_of(task),
        task=MessageToDict(task),
        request_id=request_id,
    )


def from_stored(stored: store.StoredTask) -> Task:
    task = Task()
    ParseDict(stored.task, task)
    return task


def copy(task: Task) -> Task:
    result = Task()
    result.CopyFrom(task)
    return result
