"""Where A2A tasks and contexts live: the :class:`A2AStore` Protocol and its memory backend.

A stored task carries its owner (``tasks/get`` and ``tasks/cancel`` of another user's task
answer "task not found"), its state, the ``request_id`` of the pipeline run that works on
it (what ``tasks/cancel`` interrupts through the stream registry, on any worker) and the
A2A ``Task`` itself as protocol-1.0 JSON. A context maps a user's ``contextId`` to the
conversation it continues. ``store_db.py`` keeps both in a database shared by every worker
and pod; :class:`MemoryA2AStore` keeps them in this process only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Protocol

SUBMITTED = "submitted"
WORKING = "working"
INPUT_REQUIRED = "input-required"
COMPLETED = "completed"
CANCELED = "canceled"
FAILED = "failed"
REJECTED = "rejected"
TERMINAL = frozenset({COMPLETED, CANCELED, FAILED, REJECTED})


@dataclass(frozen=True, slots=True)
class StoredTask:
    """One task as stored."""

    task_id: str
    user_id: str
    context_id: str
    state: str
    task: dict[str, Any]
    request_id: str | None = None

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL


class A2AStore(Protocol):
    """Tasks and contexts, scoped by owner."""

    async def get(self, task_id: str, user_id: str) -> StoredTask | None:
        """The user's task, or ``None`` (also when it belongs to someone else)."""
        ...

    async def put(self, task: StoredTask, conversation_id: str | None = None) -> None:
        """Insert or replace the task (and bind its context to ``conversation_id``, if given)."""
        ...

    async def update(self, task: StoredTask) -> bool:
        """Replace the task unless it has ended meanwhile (``False`` then)."""
        ...

    async def cancel_idle(self, task: StoredTask) -> bool:
        """Store ``task`` (cancelled) unless a run works on it or it ended; ``True`` if stored."""
        ...

    async def list(self, user_id: str, context_id: str | None, limit: int) -> list[StoredTask]:
        """The user's tasks, newest first."""
        ...

    async def conversation(self, user_id: str, context_id: str) -> str | None:
        """The conversation the user's context continues."""
        ...

    async def bind(self, user_id: str, context_id: str, conversation_id: str) -> None:
        """Remember (or move) the conversation of the user's context."""
        ...

    async def close(self) -> None: ...


class MemoryA2AStore:
    """Tasks and contexts in this process: one worker only (tasks are lost on restart)."""

    def __init__(self) -> None:
        self._tasks: dict[str, StoredTask] = {}
        self._order: dict[str, int] = {}
        self._contexts: dict[tuple[str, str], str] = {}
        self._counter = 0

    async def get(self, task_id: str, user_id: str) -> StoredTask | None:
        task = self._tasks.get(task_id)
        return task if task is not None and task.user_id == user_id else None

    async def put(self, task: StoredTask, conversation_id: str | None = None) -> None:
        self._counter += 1
        self._order[task.task_id] = self._counter
        self._tasks[task.task_id] = task
        if conversation_id is not None:
            await self.bind(task.user_id, task.context_id, conversation_id)

    async def update(self, task: StoredTask) -> bool:
        current = self._tasks.get(task.task_id)
        if current is None or current.terminal:
            return False
        await self.put(task)
        return True

    async def cancel_idle(self, task: StoredTask) -> bool:
        current = self._tasks.get(task.task_id)
        if current is None or current.terminal or current.request_id is not None:
            return False
        await self.put(replace(task, request_id=None))
        return True

    async def list(self, user_id: str, context_id: str | None, limit: int) -> list[StoredTask]:
        mine = [
            t
            for t in self._tasks.values()
            if t.user_id == user_id and (context_id is None or t.context_id == context_id)
        ]
        mine.sort(key=lambda t: self._order[t.task_id], reverse=True)
        return mine[:limit]

    async def conversation(self, user_id: str, context_id: str) -> str | None:
        return self._contexts.get((user_id, context_id))

    async def bind(self, user_id: str, context_id: str, conversation_id: str) -> None:
        self._contexts[(user_id, context_id)] = conversation_id

    async def close(self) -> None:
        return None
