"""The A2A request handler: the SDK's ``RequestHandler`` over our pipeline and task store.

The SDK's JSON-RPC dispatcher decodes both protocol versions and calls these methods with
protocol-1.0 objects. Every method is scoped to the caller: another user's task is "not
found". ``message/send`` and ``message/stream`` start a :class:`TaskRun` in a background
task of this worker; ``tasks/get`` reads the task here if it runs here, else from the
store; ``tasks/cancel`` interrupts the run through the stream registry, whichever worker
runs it, and waits for the run to store its partial turn and end the task.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncGenerator, AsyncIterator

from a2a.server.context import ServerCallContext
from a2a.server.request_handlers.request_handler import RequestHandler, validate_request_params
from a2a.types.a2a_pb2 import (
    AgentCard,
    CancelTaskRequest,
    DeleteTaskPushNotificationConfigRequest,
    GetExtendedAgentCardRequest,
    GetTaskPushNotificationConfigRequest,
    GetTaskRequest,
    ListTaskPushNotificationConfigsRequest,
    ListTaskPushNotificationConfigsResponse,
    ListTasksRequest,
    ListTasksResponse,
    Message,
    Role,
    SendMessageRequest,
    SubscribeToTaskRequest,
    Task,
    TaskPushNotificationConfig,
    TaskState,
)
from a2a.utils.errors import (
    ExtendedAgentCardNotConfiguredError,
    InvalidParamsError,
    PushNotificationNotSupportedError,
    TaskNotCancelableError,
    TaskNotFoundError,
    UnsupportedOperationError,
)
from a2a.utils.task import apply_history_length, validate_history_length

from lightspeed_core.a2a import protocol
from lightspeed_core.a2a.caller import Caller
from lightspeed_core.a2a.execution import LiveTask, TaskRun
from lightspeed_core.a2a.protocol import Event, Options
from lightspeed_core.a2a.service import A2AService
from lightspeed_core.a2a.store import COMPLETED, StoredTask
from lightspeed_core.errors import NotFoundError

CANCEL_WAIT = 10.0  # seconds a cancel waits for the run to end (its worker polls every 0.15 s)
POLL = 0.1
LIST_LIMIT = 100


def caller_of(context: ServerCallContext) -> Caller:
    caller = context.state["caller"]
    assert isinstance(caller, Caller)
    return caller


class LightspeedRequestHandler(RequestHandler):
    """A2A methods for the callers of one worker."""

    def __init__(self, service: A2AService) -> None:
        self.service = service
        self.store = service.store

    async def _load(self, task_id: str, user_id: str) -> tuple[Task, StoredTask | None]:
        """The caller's task: live if it runs here, else stored; TaskNotFound otherwise."""
        live = self.service.live.get(task_id)
        if live is not None and live.user_id == user_id:
            return protocol.copy(live.task), None
        stored = await self.store.get(task_id, user_id)
        if stored is None:
            raise TaskNotFoundError
        return protocol.from_stored(stored), stored

    # -- messages ------------------------------------------------------------------------

    async def _begin(
        self, params: SendMessageRequest, caller: Caller, *, listen: bool = False
    ) -> tuple[LiveTask, Task, AsyncIterator[Event] | None]:
        """Create (or continue) the task of a message and start its run.

        Returns the live task, its first snapshot and (``listen``) its events, listened to
        before the run starts so that none is missed.
        """
        validate_history_length(params.configuration)
        message = Message()
        message.CopyFrom(params.message)
        message.role = Role.ROLE_USER
        if message.task_id:
            task, stored = await self._load(message.task_id, caller.user_id)
            state = protocol.state_of(task)
            if stored is None or state not in {"input-required", "auth-required"}:
                raise InvalidParamsError(message=f"Task {task.id} cannot take a message ({state})")
            if message.context_id and message.context_id != task.context_id:
                raise InvalidParamsError(
                    message=f"Context {message.context_id} does not match context "
                    f"{task.context_id} of task {task.id}"
                )
        else:
            task = Task(id=str(uuid.uuid4()), context_id=message.context_id or str(uuid.uuid4()))
        message.task_id, message.context_id = task.id, task.context_id
        task.history.append(message)
        task.status.CopyFrom(protocol.status(TaskState.TASK_STATE_SUBMITTED))
        # a blocking message/send tells nobody the task id before the task ends: its task is
        # written then (two writes fewer); a stream, a return_immediately or a continued
        # task is written now, for tasks/get and tasks/cancel on any worker
        announce = listen or params.configuration.return_immediately or bool(params.message.task_id)
        if announce:
            await self.store.put(protocol.to_stored(task, caller.user_id))
        live = LiveTask(task, caller.user_id)
        first, events = protocol.copy(task), live.listen() if listen else None
        self.service.live[task.id] = live
        new_context = not (params.message.context_id or params.message.task_id)
        options = Options.of(message)
        run = TaskRun(live, self.store, caller, options, stored=announce, new_context=new_context)
        self.service.background.spawn(self._run(run), name=f"a2a-task-{task.id}")
        return live, first, events

    async def _run(self, run: TaskRun) -> None:
        try:
            await run.execute()
        finally:
            self.service.live.pop(run.task.id, None)

    @validate_request_params
    async def on_message_send(
        self, params: SendMessageRequest, context: ServerCallContext
    ) -> Task | Message:
        live, first, _none = await self._begin(params, caller_of(context))
        if params.configuration.return_immediately:
            return apply_history_length(first, params.configuration)
        await live.done.wait()
        return apply_history_length(protocol.copy(live.task), params.configuration)

    @validate_request_params
    async def on_message_send_stream(
        self, params: SendMessageRequest, context: ServerCallContext
    ) -> AsyncGenerator[Event]:
        _live, first, events = await self._begin(params, caller_of(context), listen=True)
        yield first
        assert events is not None
        async for event in events:
            yield event

    # -- tasks ---------------------------------------------------------------------------

    @validate_request_params
    async def on_get_task(self, params: GetTaskRequest, context: ServerCallContext) -> Task | None:
        validate_history_length(params)
        task, _stored = await self._load(params.id, caller_of(context).user_id)
        return apply_history_length(task, params)

    @validate_request_params
    async def on_list_tasks(
        self, params: ListTasksRequest, context: ServerCallContext
    ) -> ListTasksResponse:
        limit = min(params.page_size or LIST_LIMIT, LIST_LIMIT)
        found = await self.store.list(caller_of(context).user_id, params.context_id or None, limit)
        tasks = [protocol.from_stored(stored) for stored in found]
        if params.status:
            tasks = [task for task in tasks if task.status.state == params.status]
        return ListTasksResponse(tasks=tasks, page_size=limit, total_size=len(tasks))

    @validate_request_params
    async def on_cancel_task(
        self, params: CancelTaskRequest, context: ServerCallContext
    ) -> Task | None:
        caller = caller_of(context)
        stored = await self.store.get(params.id, caller.user_id)
        if stored is None:
            raise TaskNotFoundError
        if stored.terminal:
            raise TaskNotCancelableError
        if stored.request_id is None:  # waiting for input, or its model call not started yet
            canceled = protocol.from_stored(stored)
            protocol.apply(canceled, protocol.status_event(canceled, TaskState.TASK_STATE_CANCELED))
            if await self.store.cancel_idle(protocol.to_stored(canceled, caller.user_id)):
                return canceled
            stored = await self.store.get(params.id, caller.user_id) or stored
        if stored.request_id is not None:
            with contextlib.suppress(NotFoundError):  # unregistered: the run ends by itself
                await caller.ports.streams.interrupt(stored.request_id, caller.user_id)
        ended = await self._ended(params.id, caller.user_id)
        if protocol.state_of(ended) == COMPLETED:
            raise TaskNotCancelableError
        return ended

    async def _ended(self, task_id: str, user_id: str) -> Task:
        """The task once its run ended (or as it is after ``CANCEL_WAIT`` seconds)."""
        live = self.service.live.get(task_id)
        if live is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(live.done.wait(), CANCEL_WAIT)
            return protocol.copy(live.task)
        deadline = time.monotonic() + CANCEL_WAIT
        while True:
            stored = await self.store.get(task_id, user_id)
            if stored is None:
                raise TaskNotFoundError
            if stored.terminal:
                return protocol.from_stored(stored)
            if time.monotonic() > deadline:  # the worker running it is gone
                task = protocol.from_stored(stored)
                protocol.apply(task, protocol.status_event(task, TaskState.TASK_STATE_CANCELED))
                await self.store.update(protocol.to_stored(task, user_id, stored.request_id))
                return task
            await asyncio.sleep(POLL)

    @validate_request_params
    async def on_subscribe_to_task(
        self, params: SubscribeToTaskRequest, context: ServerCallContext
    ) -> AsyncGenerator[Event]:
        caller = caller_of(context)
        live = self.service.live.get(params.id)
        if live is not None and live.user_id == caller.user_id:
            events = live.listen()
            yield protocol.copy(live.task)
            async for event in events:
                yield event
            return
        task, stored = await self._load(params.id, caller.user_id)
        if stored is None or stored.terminal:
            state = protocol.state_of(task)
            raise UnsupportedOperationError(
                message=f"Task {params.id} is in terminal state: {state}"
            )
        yield task
        async for event in self._follow(stored, caller.user_id):
            yield event

    async def _follow(self, stored: StoredTask, user_id: str) -> AsyncGenerator[Event]:
        """A task running on another worker: its artifacts and final status once it ends."""
        while not stored.terminal:
            await asyncio.sleep(POLL * 5)
            latest = await self.store.get(stored.task_id, user_id)
            if latest is None:
                return
            stored = latest
        task = protocol.from_stored(stored)
        for artifact in task.artifacts:
            event = protocol.artifact_event(task, "")
            event.artifact.CopyFrom(artifact)
            yield event
        final = protocol.status_event(task, task.status.state)
        final.status.CopyFrom(task.status)
        yield final

    # -- not supported -------------------------------------------------------------------

    async def on_create_task_push_notification_config(
        self, params: TaskPushNotificationConfig, context: ServerCallContext
    ) -> TaskPushNotificationConfig:
        raise PushNotificationNotSupportedError

    async def on_get_task_push_notification_config(
        self, params: GetTaskPushNotificationConfigRequest, context: ServerCallContext
    ) -> TaskPushNotificationConfig:
        raise PushNotificationNotSupportedError

    async def on_list_task_push_notification_configs(
        self, params: ListTaskPushNotificationConfigsRequest, context: ServerCallContext
    ) -> ListTaskPushNotificationConfigsResponse:
        raise PushNotificationNotSupportedError

    async def on_delete_task_push_notification_config(
        self, params: DeleteTaskPushNotificationConfigRequest, context: ServerCallContext
    ) -> None:
        raise PushNotificationNotSupportedError

    async def on_get_extended_agent_card(
        self, params: GetExtendedAgentCardRequest, context: ServerCallContext
    ) -> AgentCard:
        raise ExtendedAgentCardNotConfiguredError
