"""``QueryPipeline``: prepare (pre-stream checks) and run (typed events + post-processing)."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from lightspeed_core.authz.actions import Action
from lightspeed_core.authz.context import Authorized
from lightspeed_core.container import Services
from lightspeed_core.errors import ForbiddenError, LightspeedError
from lightspeed_core.ids import new_conversation_id, normalize_conversation_id
from lightspeed_core.llm.base import ModelInfo, ResponseRequest
from lightspeed_core.llm.events import Completed, TextDelta, ToolCall, ToolResult
from lightspeed_core.pipeline.events import (
    EndEvent,
    ErrorEvent,
    PipelineEvent,
    StartEvent,
    TokenEvent,
    ToolCallEvent,
    ToolResultEvent,
    TurnCompleteEvent,
)
from lightspeed_core.pipeline.model_select import select_model
from lightspeed_core.schemas.query import QueryRequest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PreparedQuery:
    """Everything decided before the model is called."""

    request: QueryRequest
    auth: Authorized
    endpoint: str
    conversation_id: str
    request_id: str
    model: ModelInfo
    llm_request: ResponseRequest
    new_conversation: bool
    started_at: float = field(default_factory=time.time)


def _configured_model(services: Services) -> tuple[str, str] | None:
    inference = services.config.inference
    if inference.default_provider and inference.default_model:
        return inference.default_provider, inference.default_model
    return None


class QueryPipeline:
    """One query, in two halves."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def prepare(
        self, request: QueryRequest, auth: Authorized, endpoint: str
    ) -> PreparedQuery:
        """Every check that can fail before streaming; raises domain errors."""
        services = self.services
        requested = (
            (request.provider, request.model) if request.provider and request.model else None
        )
        if requested is not None and not auth.may(Action.MODEL_OVERRIDE):
            raise ForbiddenError(
                "This instance does not permit overriding model/provider in the query request "
                "(missing permission: model_override). Please remove the model and provider "
                "fields from your request.",
                "User lacks model_override permission required to override model/provider.",
            )
        instructions = services.prompts.for_request(request.system_prompt)
        model = select_model(
            await services.llm.list_models(),
            requested=requested,
            last_used=None,
            configured=_configured_model(services),
            preferred=services.backend_state.preferred_model,
        )
        new = request.conversation_id is None
        conversation_id = (
            new_conversation_id()
            if new
            else normalize_conversation_id(str(request.conversation_id))
        )
        inference = services.config.inference
        llm_request = ResponseRequest(
            model=model.identifier,
            input=[{"role": "user", "content": request.query}],
            instructions=instructions,
            max_infer_iters=inference.max_infer_iters,
            max_tool_calls=inference.max_tool_calls,
        )
        return PreparedQuery(
            request=request,
            auth=auth,
            endpoint=endpoint,
            conversation_id=conversation_id,
            request_id=str(uuid.uuid4()),
            model=model,
            llm_request=llm_request,
            new_conversation=new,
        )

    async def run(self, prepared: PreparedQuery) -> AsyncIterator[PipelineEvent]:
        """Call the model and yield events; ends with ``EndEvent`` or ``ErrorEvent``."""
        yield StartEvent(prepared.conversation_id, prepared.request_id)
        started = time.perf_counter()
        completed: Completed | None = None
        try:
            async for event in self.services.llm.respond(prepared.llm_request):
                translated = _translate(event)
                if translated is not None:
                    yield translated
                elif isinstance(event, Completed):
                    completed = event
        except LightspeedError as error:
            self._record(prepared, None, time.perf_counter() - started)
            yield ErrorEvent(error)
            return
        self._record(prepared, completed, time.perf_counter() - started)
        text = completed.text if completed else ""
        yield TurnCompleteEvent(text)
        usage = completed.usage if completed else None
        yield EndEvent(
            input_tokens=usage.input_tokens if usage else 0,
            output_tokens=usage.output_tokens if usage else 0,
        )

    def _record(self, prepared: PreparedQuery, completed: Completed | None, seconds: float) -> None:
        model = prepared.model
        usage = completed.usage if completed else None
        self.services.metrics.record_llm_call(
            model.provider_id,
            model.provider_resource_id,
            prepared.endpoint,
            input_tokens=usage.input_tokens if usage else 0,
            output_tokens=usage.output_tokens if usage else 0,
            seconds=seconds,
            ok=completed is not None,
        )


def _translate(event: Any) -> PipelineEvent | None:
    if isinstance(event, TextDelta):
        return TokenEvent(event.text)
    if isinstance(event, ToolCall):
        return ToolCallEvent(event.id, event.name, event.args)
    if isinstance(event, ToolResult):
        return ToolResultEvent(event.id, event.status, event.content, event.round)
    return None
