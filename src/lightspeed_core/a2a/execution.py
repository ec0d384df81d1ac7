"""One A2A task run: the pipeline turn behind it, and the events it publishes.

A run is the same turn as ``/v1/query`` (``prepare`` → ``run`` over
:class:`~lightspeed_core.pipeline.ports.PipelinePorts`: RBAC model override, conversation
ownership, shields, MCP tools, RAG, history, quota reserve and settle, transcripts, the
stored turn, metrics). It runs in a background task of the worker that received the
message, so a client that hangs up does not stop it (A2A tasks outlive their streams), and
publishes protocol events to :class:`LiveTask` listeners (``message/stream``,
``tasks/resubscribe``) while writing the task to the :class:`~lightspeed_core.a2a.store.A2AStore`
at its milestones: submitted, working (with the pipeline ``request_id`` that ``tasks/cancel``
interrupts through the stream registry, from any worker), and its end.

Pipeline events map to A2A events as in the reference: ``start`` → status ``working``
(metadata ``model``, ``conversation_id``); each ``token`` → status ``working`` with the text
delta; ``tool_call`` → status ``working`` "Calling tool: <name>"; ``turn_complete`` → the
artifact with the whole answer; ``end`` → ``completed``; ``error`` → ``failed``;
``interrupted`` → the partial answer as artifact, then ``canceled``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import replace

import anyio
from a2a.types.a2a_pb2 import Task, TaskState

from lightspeed_core.a2a import protocol
from lightspeed_core.a2a.caller import Caller
from lightspeed_core.a2a.protocol import Event, Options
from lightspeed_core.a2a.store import TERMINAL, A2AStore
from lightspeed_core.errors import InternalError, LightspeedError, NotFoundError
from lightspeed_core.pipeline.events import (
    EndEvent,
    ErrorEvent,
    InterruptedEvent,
    StartEvent,
    TokenEvent,
    ToolCallEvent,
    TurnCompleteEvent,
)
from lightspeed_core.pipeline.prepare import PreparedQuery, prepare
from lightspeed_core.pipeline.run import run
from lightspeed_core.pipeline.turn import Endpoint, TurnInput
from lightspeed_core.vocabulary.actions import Action

log = logging.getLogger(__name__)
ENDPOINT = Endpoint("/a2a", Action.A2A_JSONRPC, span="a2a.execute")  # the reference's span
STOPPED = "The service stopped while the task was running."
UNEXPECTED = "An unexpected error occurred while processing the request."


class LiveTask:
    """A task running in this process: its latest state and who listens to its events."""

    def __init__(self, task: Task, user_id: str) -> None:
        self.task = task
        self.user_id = user_id
        self.done = asyncio.Event()
        self._listeners: list[asyncio.Queue[Event | None]] = []

    def publish(self, event: Event) -> None:
        protocol.apply(self.task, event)
        for queue in self._listeners:
            queue.put_nowait(event)

    def finish(self) -> None:
        self.done.set()
        for queue in self._listeners:
            queue.put_nowait(None)

    def listen(self) -> AsyncIterator[Event]:
        """Events published from now on, until the run ends (subscribe before awaiting)."""
        queue: asyncio.Queue[Event | None] = asyncio.Queue()
        if self.done.is_set():
            queue.put_nowait(None)
        self._listeners.append(queue)
        return self._drain(queue)

    async def _drain(self, queue: asyncio.Queue[Event | None]) -> AsyncIterator[Event]:
        try:
            while (event := await queue.get()) is not None:
                yield event
        finally:
            self._listeners.remove(queue)


class TaskRun:
    """Runs one message of a task through the pipeline."""

    def __init__(
        self,
        live: LiveTask,
        store: A2AStore,
        caller: Caller,
        options: Options,
        *,
        stored: bool,
        new_context: bool = False,
    ) -> None:
        self.live = live
        self.store = store
        self.caller = caller
        self.options = options
        # stored: the task is in the store, and so can be cancelled; else nobody knows its id
        # yet (a blocking message/send) and it is written when it ends
        self.stored = stored
        self.cancellable = stored
        self.new_context = new_context  # a context id of ours: no conversation to look up
        self.unbound: str | None = None  # the context's new conversation, not yet stored
        self.request_id: str | None = None
        self.answer: list[str] = []

    @property
    def task(self) -> Task:
        return self.live.task

    async def execute(self) -> None:
        """The whole run; the task ends in a final state whatever happens."""
        try:
            await self._execute()
        except Exception:
            log.exception("A2A task %s failed", self.task.id)
            if protocol.state_of(self.task) not in TERMINAL:
                await self._fail(InternalError("Internal server error", UNEXPECTED))
        except BaseException:  # cancelled: the service is stopping
            if protocol.state_of(self.task) not in TERMINAL:
                with anyio.CancelScope(shield=True):
                    await self._end(TaskState.TASK_STATE_FAILED, STOPPED)
            raise
        finally:
            self.live.finish()

    async def _save(self, *, final: bool = False) -> bool:
        """Write the task (``False``: it was ended meanwhile, i.e. cancelled)."""
        if not (self.stored or final):
            return True
        stored = protocol.to_stored(self.task, self.caller.user_id, self.request_id)
        try:
            if self.stored:
                return await self.store.update(stored)
            await self.store.put(stored, self.unbound)
            self.stored = True
        except Exception:
            log.exception("storing A2A task %s failed", self.task.id)
        return True

    async def _end(self, state: int, text: str | None = None) -> None:
        self.live.publish(protocol.status_event(self.task, state, text))
        await self._save(final=True)

    async def _execute(self) -> None:
        question = protocol.user_text(self.task.history[-1])
        if not question:
            await self._end(TaskState.TASK_STATE_INPUT_REQUIRED, protocol.NO_INPUT)
            return
        try:
            prepared = await self._prepare(question)
        except LightspeedError as error:
            await self._fail(error)
            return
        ports = self.caller.ports
        async for event in run(ports, prepared, interruptible=self.cancellable):
            match event:
                case StartEvent():
                    await self._started(prepared)
                case TokenEvent():
                    self.answer.append(event.text)
                    self._working(event.text)
                case ToolCallEvent():
                    self._working(f"Calling tool: {event.name}")
                case TurnCompleteEvent():
                    self.live.publish(protocol.artifact_event(self.task, event.text))
                case EndEvent():
                    await self._end(TaskState.TASK_STATE_COMPLETED)
                case ErrorEvent():
                    await self._fail(event.error)
                case InterruptedEvent():
                    self.live.publish(protocol.artifact_event(self.task, "".join(self.answer)))
                    await self._end(TaskState.TASK_STATE_CANCELED)

    async def _prepare(self, question: str) -> PreparedQuery:
        caller, options = self.caller, self.options
        context_id = self.task.context_id
        conversation_id = None
        if not self.new_context:
            conversation_id = await self.store.conversation(caller.user_id, context_id)
        turn = TurnInput(
            question=question,
            conversation_id=conversation_id,
            provider=options.provider,
            model=options.model,
            vector_store_ids=options.vector_store_ids,
            generate_topic_summary=options.generate_topic_summary,
        )
        try:
            prepared = await prepare(caller.ports, turn, caller.auth, ENDPOINT, caller.headers)
        except NotFoundError as error:
            if error.resource != "Conversation" or conversation_id is None:
                raise
            # the context's conversation was deleted: the context starts a new one
            turn = replace(turn, conversation_id=None)
            prepared = await prepare(caller.ports, turn, caller.auth, ENDPOINT, caller.headers)
        if prepared.conversation_id != conversation_id:
            if self.stored:
                await self.store.bind(caller.user_id, context_id, prepared.conversation_id)
            else:  # written with the task, in one transaction, when it ends
                self.unbound = prepared.conversation_id
        return prepared

    async def _started(self, prepared: PreparedQuery) -> None:
        """The model call is registered: record its request id (what cancel interrupts)."""
        self.request_id = prepared.request_id
        metadata = {"model": prepared.model.identifier, "conversation_id": prepared.conversation_id}
        working = protocol.status_event(self.task, TaskState.TASK_STATE_WORKING, None, metadata)
        self.live.publish(working)
        if not await self._save():  # cancelled before the model call started
            with contextlib.suppress(LightspeedError):  # not registered: it runs to its end
                await self.caller.ports.streams.interrupt(prepared.request_id, self.caller.user_id)

    def _working(self, text: str) -> None:
        self.live.publish(protocol.status_event(self.task, TaskState.TASK_STATE_WORKING, text))

    async def _fail(self, error: LightspeedError) -> None:
        failure = {
            "error": {
                "status_code": error.status_code,
                "response": error.response,
                "cause": error.cause,
            }
        }
        event = protocol.status_event(
            self.task, TaskState.TASK_STATE_FAILED, f"{error.response}: {error.cause}", failure
        )
        self.live.publish(event)
        await self._save(final=True)
