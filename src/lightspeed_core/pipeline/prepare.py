"""``prepare``: every decision and check made before the model is called.

Order (contract 0, adapted): model-override RBAC → system prompt → attachments → load the
conversation and check ownership → select the model → shields → MCP tools (OAuth probe) →
inline RAG → history within the token budget → quota reservation. Any failure here is a
plain HTTP error, before a stream starts.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lightspeed_core.authz.actions import Action
from lightspeed_core.authz.context import Authorized
from lightspeed_core.authz.overrides import check_model_override
from lightspeed_core.authz.ownership import check_conversation_access
from lightspeed_core.container import Services
from lightspeed_core.conversations.repository import now_utc
from lightspeed_core.errors import NotFoundError
from lightspeed_core.ids import new_conversation_id, normalize_conversation_id
from lightspeed_core.llm.base import ModelInfo, ResponseRequest
from lightspeed_core.mcp.base import ToolRequest
from lightspeed_core.pipeline.attachments import user_content, validate_attachments
from lightspeed_core.pipeline.history import (
    MAX_HISTORY_TURNS,
    context_window,
    history_budget,
    history_items,
)
from lightspeed_core.pipeline.model_select import select_model
from lightspeed_core.quota.base import Reservation
from lightspeed_core.rag.base import RetrievedContext
from lightspeed_core.schemas.query import QueryRequest


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
    question: str
    started_at: datetime = field(default_factory=now_utc)
    started_clock: float = field(default_factory=time.perf_counter)
    refusal: str | None = None
    refusal_usage: tuple[int, int] = (0, 0)
    context: RetrievedContext = field(default_factory=RetrievedContext)
    reservation: Reservation | None = None
    estimated_input_tokens: int = 0


def _override_allowed(auth: Authorized, request: QueryRequest) -> tuple[str, str] | None:
    if not (request.provider and request.model):
        return None
    check_model_override(auth)
    return request.provider, request.model


async def prepare_query(
    services: Services,
    request: QueryRequest,
    auth: Authorized,
    endpoint: str,
    headers: Mapping[str, str],
    action: Action,
) -> PreparedQuery:
    """Run every pre-stream step; raises domain errors."""
    requested = _override_allowed(auth, request)
    instructions = services.prompts.for_request(request.system_prompt)
    attachments = request.attachments or []
    validate_attachments(attachments)

    conversation = None
    if request.conversation_id is not None:
        conversation_id = normalize_conversation_id(request.conversation_id)
        conversation = await services.conversations.get(conversation_id)
        check_conversation_access(
            auth, conversation.user_id if conversation else None, action, conversation_id
        )
        if conversation is None:
            raise NotFoundError("Conversation", conversation_id)
    else:
        conversation_id = new_conversation_id()
    last_used = None
    if conversation is not None and conversation.last_used_model:
        last_used = (conversation.last_used_provider or "", conversation.last_used_model)
    inference = services.config.inference
    configured = None
    if inference.default_provider and inference.default_model:
        configured = (inference.default_provider, inference.default_model)
    model = select_model(
        await services.llm.list_models(),
        requested=requested,
        last_used=last_used,
        configured=configured,
        preferred=services.backend_state.preferred_model,
    )

    shielded = await services.shields.screen(request.query, request.shield_ids, model, endpoint)
    tools: list[dict[str, Any]] = []
    context = RetrievedContext()
    if shielded.refusal is None and not request.no_tools:
        tools = await services.tools.tools_for(ToolRequest(auth.principal, headers))
        tools += services.rag.tools(request.vector_store_ids)
    if shielded.refusal is None:
        context = await services.rag.retrieve(shielded.text, request.vector_store_ids)

    question = shielded.text + (f"\n\n{context.text}" if context.text else "")
    content = user_content(question, attachments)
    fixed = instructions + question
    budget = history_budget(
        context_window(model, inference.context_windows), fixed, services.tokens
    )
    history: list[dict[str, Any]] = []
    if conversation is not None and budget > 0:
        turns = await services.conversations.recent_turns(conversation_id, MAX_HISTORY_TURNS)
        history, _ = history_items(turns, budget, services.tokens)
    estimated = services.tokens(fixed) + sum(
        services.tokens(str(item["content"])) for item in history
    )

    reservation = None
    if shielded.refusal is None:
        answer_room = int(
            model.metadata.get("max_output_tokens")
            or services.config.quota_handlers.default_output_tokens
        )
        reservation = await services.quota.reserve(auth.principal, estimated + answer_room)
    llm_request = ResponseRequest(
        model=model.identifier,
        input=[*history, {"role": "user", "content": content}],
        instructions=instructions,
        tools=tools,
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
        new_conversation=conversation is None,
        question=shielded.text,
        refusal=shielded.refusal,
        refusal_usage=(shielded.input_tokens, shielded.output_tokens),
        context=context,
        reservation=reservation,
        estimated_input_tokens=estimated,
    )
