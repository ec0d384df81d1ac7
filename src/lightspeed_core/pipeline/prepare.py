"""``prepare``: every decision and check made before the model is called.

Order (contract 0, adapted): model-override RBAC → system prompt → attachments → load the
conversation (or the one a fork starts from) and check ownership → select the model →
shields → tools (server MCP with the OAuth probe, RAG, our function tools, the client's:
``pipeline/tools.py``) → inline RAG → history within the token budget (summaries first and
a compaction plan when ``compaction.enabled`` and the history outgrew its budget) → quota
reservation (when the full estimate does not fit but the input and a short answer do,
what is left is reserved and the model's output capped to it). Any failure here is a
plain HTTP error, before a stream starts.

Tracing: the request's root span (``Endpoint.span_name``) starts here, continuing the
client's ``traceparent``, with children ``shield.moderate``, ``rag.retrieve`` and
``quota.check``; ``run`` ends it. A failure here ends it failed.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from lightspeed_core.auth.base import Principal
from lightspeed_core.authz.context import Authorized
from lightspeed_core.authz.overrides import check_model_override
from lightspeed_core.compaction.base import CompactionPlan
from lightspeed_core.conversations.access import require_conversation
from lightspeed_core.conversations.records import ConversationInfo, TurnRecord
from lightspeed_core.errors import BackendUnavailableError, LightspeedError
from lightspeed_core.ids import new_conversation_id, normalize_conversation_id
from lightspeed_core.llm.base import ModelInfo, ResponseRequest
from lightspeed_core.llm.model_select import select_model
from lightspeed_core.llm.tokens import count_tokens
from lightspeed_core.pipeline.attachments import user_content, validate_attachments
from lightspeed_core.pipeline.compacting import CompactedHistory, compacted_history
from lightspeed_core.pipeline.history import (
    MAX_HISTORY_TURNS,
    context_window,
    history_budget,
    history_within,
)
from lightspeed_core.pipeline.items import context_text, missing_function_calls, with_question
from lightspeed_core.pipeline.ports import PipelinePorts
from lightspeed_core.pipeline.tools import turn_tools
from lightspeed_core.pipeline.turn import Endpoint, TurnInput
from lightspeed_core.quota.base import Reservation
from lightspeed_core.rag.base import RetrievedContext
from lightspeed_core.shields.base import ShieldOutcome
from lightspeed_core.tracing import NOOP_SPAN, Span

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
    compaction: CompactionPlan | None = None  # older turns to summarise first (in ``run``)
    span: Span = NOOP_SPAN  # the request's root span (ended by ``run``)


def _override_allowed(auth: Authorized, turn: TurnInput) -> tuple[str, str] | None:
    if not (turn.provider and turn.model):
        return None
    check_model_override(auth)
    return turn.provider, turn.model


async def _conversation(
    ports: PipelinePorts, turn: TurnInput, auth: Authorized, endpoint: Endpoint
) -> tuple[str, ConversationInfo | None]:
    """The turn's conversation id and the stored conversation its history comes from."""
    if turn.fork is not None:
        source = normalize_conversation_id(turn.fork.conversation_id)
        return new_conversation_id(), await require_conversation(
            ports.conversations, auth, source, endpoint.action
        )
    if turn.conversation_id is None:
        return new_conversation_id(), None
    conversation_id = normalize_conversation_id(turn.conversation_id)
    info = await require_conversation(ports.conversations, auth, conversation_id, endpoint.action)
    return conversation_id, info


async def _stored_turns(
    ports: PipelinePorts, turn: TurnInput, conversation: ConversationInfo
) -> list[TurnRecord]:
    if turn.fork is None:
        return await ports.conversations.recent_turns(conversation.id, MAX_HISTORY_TURNS)
    turns = await ports.conversations.turns(conversation.id)
    return [t for t in turns if t.turn_number <= turn.fork.turn_number][-MAX_HISTORY_TURNS:]


def _llm_input(
    turn: TurnInput, history: list[dict[str, Any]], content: Any, turns: list[TurnRecord]
) -> list[dict[str, Any]]:
    if not turn.input_items:
        return [*history, {"role": "user", "content": content}]
    calls = missing_function_calls(turn.input_items, turns)
    return [*history, *calls, *with_question(turn.input_items, content)]


async def _screen(
    ports: PipelinePorts, turn: TurnInput, model: ModelInfo, endpoint: Endpoint, span: Span
) -> ShieldOutcome:
    with span.child("shield.moderate") as shield:
        shielded = await ports.shields.screen(turn.question, turn.shield_ids, model, endpoint.path)
        if shield.recording:
            shield.set({"shield.result": "passed" if shielded.refusal is None else "blocked"})
            if shielded.refusal is not None:
                shield.set({"shield.reason": shielded.refusal})
                span.event("shield.rejected")
            elif shielded.text != turn.question:
                span.event("pii.detected")
    return shielded


async def _reserve(
    ports: PipelinePorts, subject: Principal, tokens: tuple[int, int], span: Span
) -> Reservation | None:
    """Reserve ``tokens`` = (the full estimate, the least worth answering with)."""
    full, minimum = tokens
    with span.child("quota.check") as check:
        try:
            reservation = await ports.quota.reserve(subject, full, minimum=minimum)
        except LightspeedError:
            check.set({"quota.check.passed": False})
            raise
        check.set({"quota.check.passed": True})
    return reservation


async def prepare(
    ports: PipelinePorts,
    turn: TurnInput,
    auth: Authorized,
    endpoint: Endpoint,
    headers: Mapping[str, str],
) -> PreparedQuery:
    """Run every pre-stream step; raises domain errors."""
    span = ports.tracer.request_span(endpoint.span_name, headers)
    if span.recording:
        span.set_private({"user.id": auth.principal.user_id, "request.input": turn.question})
        span.set({"request.attachments.count": len(turn.attachments)})
    try:
        return await _prepare(ports, turn, auth, endpoint, headers, span)
    except BaseException as error:
        span.fail(error)
        span.end()
        raise


async def _prepare(
    ports: PipelinePorts,
    turn: TurnInput,
    auth: Authorized,
    endpoint: Endpoint,
    headers: Mapping[str, str],
    span: Span,
) -> PreparedQuery:
    settings = ports.settings
    if ports.shutdown.started:  # SIGTERM: answers in flight may finish, no new ones start
        raise BackendUnavailableError(
            "This instance is shutting down; retry the request.",
            response="Service is shutting down",
        )
    requested = _override_allowed(auth, turn)
    await ports.conversations.require_available()  # 503 before the model if it cannot store
    instructions = turn.instructions
    if instructions is None:
        instructions = ports.prompts.for_request(turn.system_prompt)
    validate_attachments(turn.attachments)
    conversation_id, conversation = await _conversation(ports, turn, auth, endpoint)
    new_conversation = conversation is None or turn.fork is not None
    span.event("validation.completed")
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

    shielded = await _screen(ports, turn, model, endpoint, span)
    tools: list[dict[str, Any]] = []
    context = RetrievedContext()
    if shielded.refusal is None:
        tools = await turn_tools(ports, turn, auth, headers)
        if shielded.text:  # a Responses turn may only send a function call's output
            with span.child("rag.retrieve") as rag:
                context = await ports.rag.retrieve(shielded.text, turn.vector_store_ids, turn.solr)
                if rag.recording:
                    rag.set_private({"rag.input": shielded.text})
                    rag.set({"rag.sources.count": len(context.documents)})

    question = shielded.text + (f"\n\n{context.text}" if context.text else "")
    content = user_content(question, turn.attachments)
    fixed = instructions + question + context_text(turn.input_items)
    fixed_tokens = await count_tokens(ports.tokens, fixed)  # off the loop when long
    window = context_window(model, settings.context_windows)
    budget = history_budget(window, fixed_tokens)
    history: list[dict[str, Any]] = []
    turns: list[TurnRecord] = []
    compacted = CompactedHistory(())
    if conversation is not None and budget > 0:
        turns = await _stored_turns(ports, turn, conversation)
        if ports.compaction.config.enabled:
            compacted = await compacted_history(
                ports,
                conversation,
                turns,
                model=model.identifier,
                window=window,
                instructions=instructions,
                fixed_tokens=fixed_tokens,
            )
            turns = list(compacted.turns)
            budget -= ports.tokens(compacted.extra)
        history = await history_within(turns, budget, ports.tokens)
    contents = [str(item["content"]) for item in history]
    estimated = fixed_tokens + await count_tokens(ports.tokens, compacted.extra, *contents)

    llm_input = _llm_input(turn, history, content, turns)  # may refuse: before any reservation
    options = turn.options
    reservation = None
    max_output_tokens = options.max_output_tokens
    if shielded.refusal is None and turn.charge_quota:
        answer_room = int(
            options.max_output_tokens
            or model.metadata.get("max_output_tokens")
            or settings.default_output_tokens
        )
        subject = auth.principal
        if turn.quota_subject is not None:
            subject = replace(subject, user_id=turn.quota_subject)
        full = estimated + answer_room
        minimum = estimated + min(MIN_ANSWER_TOKENS, answer_room)
        if options.max_output_tokens:  # the client asked for this room: all of it, or 429
            minimum = full
        reservation = await _reserve(ports, subject, (full, minimum), span)
        if reservation is not None and reservation.tokens < full:
            max_output_tokens = reservation.tokens - estimated  # the answer fits what is left
    llm_request = ResponseRequest(
        model=model.identifier,
        input=llm_input,
        instructions=instructions + compacted.extra,
        tools=tools,
        max_output_tokens=max_output_tokens,
        max_infer_iters=options.max_infer_iters or settings.max_infer_iters,
        max_tool_calls=options.max_tool_calls or settings.max_tool_calls,
        temperature=options.temperature,
        include=list(options.include),
        extra=dict(options.extra),
        raw_events=options.raw_events,
    )
    return PreparedQuery(
        turn=turn,
        auth=auth,
        endpoint=endpoint,
        conversation_id=conversation_id,
        request_id=str(uuid.uuid4()),
        model=model,
        llm_request=llm_request,
        new_conversation=new_conversation,
        question=shielded.text,
        refusal=shielded.refusal,
        refusal_usage=(shielded.input_tokens, shielded.output_tokens),
        context=context,
        reservation=reservation,
        estimated_input_tokens=estimated,
        compaction=compacted.plan,
        span=span,
    )
