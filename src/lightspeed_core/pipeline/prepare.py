"""``prepare``: every decision and check made before the model is called.

Order (contract 0, adapted): model-override RBAC → system prompt → attachments → load the
conversation and check ownership → select the model → shields → MCP tools (OAuth probe) →
inline RAG → history within the token budget → quota reservation (when the full estimate
does not fit but the input and a short answer do, what is left is reserved and the model's
output capped to it). Any failure here is a plain HTTP error, before a stream starts.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lightspeed_core.authz.context import Authorized
from lightspeed_core.authz.overrides import check_model_override
from lightspeed_core.conversations.access import require_conversation
from lightspeed_core.conversations.records import ConversationInfo
from lightspeed_core.errors import BackendUnavailableError
from lightspeed_core.ids import new_conversation_id, normalize_conversation_id
from lightspeed_core.llm.base import ModelInfo, ResponseRequest
from lightspeed_core.llm.model_select import select_model
from lightspeed_core.mcp.base import ToolRequest
from lightspeed_core.pipeline.attachments import user_content, validate_attachments
from lightspeed_core.pipeline.history import (
    MAX_HISTORY_TURNS,
    context_window,
    history_budget,
    history_items,
)
from lightspeed_core.pipeline.ports import PipelinePorts
from lightspeed_core.pipeline.turn import Endpoint, TurnInput
from lightspeed_core.quota.base import Reservation
from lightspeed_core.rag.base import RetrievedContext

# The smallest answer worth calling the model for when the quota is nearly spent (OGX's
# Responses API refuses a smaller ``max_output_tokens``); see docs/quota.md "Small quotas".
MIN_ANSWER_TOKENS = 16


def now_utc() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class PreparedQuery:
    """Everything decided before the model is called."""

    turn: TurnInput
    auth: Authorized
    endpoint: Endpoint
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


def _override_allowed(auth: Authorized, turn: TurnInput) -> tuple[str, str] | None:
    if not (turn.provider and turn.model):
        return None
    check_model_override(auth)
    return turn.provider, turn.model


async def _conversation(
    ports: PipelinePorts, turn: TurnInput, auth: Authorized, endpoint: Endpoint
) -> tuple[str, ConversationInfo | None]:
    if turn.conversation_id is None:
        return new_conversation_id(), None
    conversation_id = normalize_conversation_id(turn.conversation_id)
    info = await require_conversation(ports.conversations, auth, conversation_id, endpoint.action)
    return conversation_id, info


async def prepare(
    ports: PipelinePorts,
    turn: TurnInput,
    auth: Authorized,
    endpoint: Endpoint,
    headers: Mapping[str, str],
) -> PreparedQuery:
    """Run every pre-stream step; raises domain errors."""
    settings = ports.settings
    if ports.shutdown.started:  # SIGTERM: answers in flight may finish, no new ones start
        raise BackendUnavailableError(
            "This instance is shutting down; retry the request.",
            response="Service is shutting down",
        )
    requested = _override_allowed(auth, turn)
    await ports.conversations.require_available()  # 503 before the model if it cannot store
    instructions = ports.prompts.for_request(turn.system_prompt)
    validate_attachments(turn.attachments)
    conversation_id, conversation = await _conversation(ports, turn, auth, endpoint)
    last_used = None
    if conversation is not None and conversation.last_used_model:
        last_used = (conversation.last_used_provider or "", conversation.last_used_model)
    model = select_model(
        await ports.llm.list_models(),
        requested=requested,
        last_used=last_used,
        configured=settings.default_model,
        preferred=settings.preferred_model,
    )

    shielded = await ports.shields.screen(turn.question, turn.shield_ids, model, endpoint.path)
    tools: list[dict[str, Any]] = []
    context = RetrievedContext()
    if shielded.refusal is None and not turn.no_tools:
        tools = await ports.tools.tools_for(ToolRequest(auth.principal, headers))
        tools += ports.rag.tools(turn.vector_store_ids)
    if shielded.refusal is None:
        context = await ports.rag.retrieve(shielded.text, turn.vector_store_ids)

    question = shielded.text + (f"\n\n{context.text}" if context.text else "")
    content = user_content(question, turn.attachments)
    fixed = instructions + question
    budget = history_budget(context_window(model, settings.context_windows), fixed, ports.tokens)
    history: list[dict[str, Any]] = []
    if conversation is not None and budget > 0:
        turns = await ports.conversations.recent_turns(conversation_id, MAX_HISTORY_TURNS)
        history, _ = history_items(turns, budget, ports.tokens)
    estimated = ports.tokens(fixed) + sum(ports.tokens(str(item["content"])) for item in history)

    reservation = None
    max_output_tokens = None
    if shielded.refusal is None:
        answer_room = int(model.metadata.get("max_output_tokens") or settings.default_output_tokens)
        full = estimated + answer_room
        minimum = estimated + min(MIN_ANSWER_TOKENS, answer_room)
        reservation = await ports.quota.reserve(auth.principal, full, minimum=minimum)
        if reservation is not None and reservation.tokens < full:
            max_output_tokens = reservation.tokens - estimated  # the answer fits what is left
    llm_request = ResponseRequest(
        model=model.identifier,
        input=[*history, {"role": "user", "content": content}],
        instructions=instructions,
        tools=tools,
        max_infer_iters=settings.max_infer_iters,
        max_tool_calls=settings.max_tool_calls,
        max_output_tokens=max_output_tokens,
    )
    return PreparedQuery(
        turn=turn,
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
