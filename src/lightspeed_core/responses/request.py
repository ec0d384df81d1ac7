"""A ``/v1/responses`` body as the pipeline's :class:`~lightspeed_core.pipeline.turn.TurnInput`.

Context: ``conversation`` (ours, as on ``/v1/query``) continues that conversation;
``previous_response_id`` names a stored turn: the latest turn of its conversation continues
it, an older one forks a new conversation with the history up to that turn; neither starts a
new conversation. ``tools`` replace the server's tools unless the request carries
``X-LCS-Merge-Server-Tools: true`` (``pipeline/tools.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

from lightspeed_core.authz.context import Authorized
from lightspeed_core.conversations.access import require_conversation
from lightspeed_core.errors import NotFoundError, UnprocessableError
from lightspeed_core.pipeline.items import question_of
from lightspeed_core.pipeline.ports import PipelinePorts
from lightspeed_core.pipeline.turn import CallOptions, Endpoint, ForkPoint, TurnInput
from lightspeed_core.rag.base import SolrOptions
from lightspeed_core.schemas.responses import MAX_BODY_CHARACTERS, ResponsesRequest, dump_item

MERGE_HEADER = "x-lcs-merge-server-tools"


def check_size(raw: bytes) -> None:
    """422 when the raw body is longer than the reference accepts."""
    length = len(raw.decode("utf-8", errors="replace")) if len(raw) > MAX_BODY_CHARACTERS else 0
    if length > MAX_BODY_CHARACTERS:
        raise UnprocessableError(
            "Request body too large",
            f"The request body has {length} characters; at most {MAX_BODY_CHARACTERS} "
            "are accepted.",
        )


def _sent(model: Any) -> dict[str, Any]:
    """What the client sent of a nested object (not the defaults the schema fills in)."""
    sent: dict[str, Any] = model.model_dump(mode="json", exclude_unset=True)
    return sent


def _options(body: ResponsesRequest) -> CallOptions:
    extra: dict[str, Any] = {}
    if body.tool_choice is not None:
        choice = body.tool_choice
        extra["tool_choice"] = choice.value if isinstance(choice, Enum) else _sent(choice)
    for name in ("text", "prompt"):
        value = getattr(body, name)
        if value is not None:
            extra[name] = _sent(value)
    for name in ("parallel_tool_calls", "safety_identifier"):
        if getattr(body, name) is not None:
            extra[name] = getattr(body, name)
    return CallOptions(
        max_output_tokens=body.max_output_tokens,
        temperature=body.temperature,
        max_infer_iters=body.max_infer_iters,
        max_tool_calls=body.max_tool_calls,
        include=tuple(str(i) for i in body.include or ()),
        extra=extra,
        raw_events="all" if body.stream else "final",  # JSON: the final response only
    )


def _model(body: ResponsesRequest) -> tuple[str | None, str | None]:
    if body.model is None:
        return None, None
    provider, _, model = body.model.partition("/")
    return (provider, model) if model else (None, body.model)


async def _context(
    ports: PipelinePorts, body: ResponsesRequest, auth: Authorized, endpoint: Endpoint
) -> tuple[str | None, ForkPoint | None]:
    """(conversation to continue, fork point) for the body's context."""
    if body.previous_response_id is None:
        return body.conversation, None
    found = await ports.conversations.find_response(body.previous_response_id)
    if found is None:
        raise NotFoundError("Response", body.previous_response_id)
    conversation_id, number = found
    info = await require_conversation(ports.conversations, auth, conversation_id, endpoint.action)
    if number >= info.message_count:
        return conversation_id, None
    return None, ForkPoint(conversation_id, number)


async def turn_input(
    ports: PipelinePorts,
    body: ResponsesRequest,
    auth: Authorized,
    endpoint: Endpoint,
    headers: Mapping[str, str],
) -> TurnInput:
    """The pipeline's input for ``body``."""
    conversation_id, fork = await _context(ports, body, auth, endpoint)
    provider, model = _model(body)
    items: tuple[dict[str, Any], ...] = ()
    if isinstance(body.input, str):
        question = body.input
    else:
        items = tuple(dump_item(i) for i in body.input)
        question = question_of(items)
    return TurnInput(
        question=question,
        conversation_id=conversation_id,
        provider=provider,
        model=model,
        system_prompt=body.instructions,
        shield_ids=body.shield_ids,
        generate_topic_summary=body.generate_topic_summary is not False,
        input_items=items,
        fork=fork,
        client_tools=tuple(dump_item(t) for t in body.tools) if body.tools is not None else None,
        merge_server_tools=headers.get(MERGE_HEADER, "").strip().lower() == "true",
        options=_options(body),
        store=body.store,
        solr=SolrOptions(body.solr.mode, body.solr.filters) if body.solr else None,
    )
