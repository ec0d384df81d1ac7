"""OGX's Responses events, re-labelled for the client: the OpenAI Responses SSE or JSON.

The pipeline runs the turn with ``raw_events``: each OGX event arrives as a
:class:`~lightspeed_core.pipeline.events.BackendEvent`. :class:`ResponsesStream` rewrites
them: its own ``sequence_number``; on every response object our ``conversation`` id, the
client's ``safety_identifier``, ``store``, ``metadata`` and ``previous_response_id``, the
instructions as the client sent them (``<server prompt applied>`` when the server's
prompt was used), the model without its provider when the server chose it, and no
server-configured MCP tools (a client ``file_search`` names its stores as the client did);
``available_quotas: {}`` and ``output_text: ""`` on
``response.in_progress``. Events of server-configured MCP servers (``mcp_list_tools``,
``mcp_call`` ...) are left out (with client MCP servers in the same request, the
``response.mcp_list_tools.*`` progress events, which name no server, are kept). The
terminal event (``response.completed`` / ``response.incomplete``) is held until the
pipeline settled the quota and stored the turn, then sent with the real
``available_quotas`` and the answer text. A shield refusal (no model call) becomes the
reference's four synthetic events.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

from lightspeed_core.errors import InternalError, LightspeedError
from lightspeed_core.pipeline.events import (
    BackendEvent,
    EndEvent,
    ErrorEvent,
    PipelineEvent,
    TurnCompleteEvent,
)
from lightspeed_core.pipeline.prepare import PreparedQuery
from lightspeed_core.pipeline.tools import mcp_labels
from lightspeed_core.schemas.responses import ResponsesRequest, ResponsesResponse

SERVER_PROMPT = "<server prompt applied>"
_MCP_ITEMS = {"mcp_call", "mcp_list_tools", "mcp_approval_request"}
_TERMINAL = {"response.completed", "response.incomplete"}


def sse(payload: dict[str, Any]) -> str:
    """One SSE frame named after the event's type."""
    return f"event: {payload['type']}\ndata: {json.dumps(payload)}\n\n"


DONE = "data: [DONE]\n\n"


def output_text(response: dict[str, Any]) -> str:
    """The concatenated ``output_text`` parts of the response's messages."""
    return "".join(
        str(part.get("text", ""))
        for item in response.get("output") or ()
        if item.get("type") == "message"
        for part in item.get("content") or ()
        if part.get("type") == "output_text"
    )


class ResponsesStream:
    """Re-labels the events of one ``/v1/responses`` turn."""

    def __init__(self, prepared: PreparedQuery, body: ResponsesRequest) -> None:
        self.prepared = prepared
        self.body = body
        self.sequence = 0
        self.hidden: set[str] = set()  # ids of server MCP items left out
        client = prepared.turn.client_tools or ()
        self.server_labels = mcp_labels(prepared.llm_request.tools) - mcp_labels(client)
        self.client_mcp = bool(mcp_labels(client))
        self.store_names = _store_names(client, prepared.llm_request.tools)
        self.last_mcp_hidden = False  # whether the latest MCP item seen was a server's
        self.held: dict[str, Any] | None = None
        self.refusal: str | None = None
        self.error: LightspeedError | None = None

    def _tools(self, tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
        shown = []
        for tool in tools:
            if tool.get("type") == "mcp" and tool.get("server_label") in self.server_labels:
                continue
            if tool.get("type") == "file_search" and self.store_names:
                ids = [self.store_names.get(i, i) for i in tool.get("vector_store_ids") or ()]
                tool = {**tool, "vector_store_ids": ids}
            shown.append(tool)
        return shown

    def _visible(self, item: dict[str, Any]) -> bool:
        if item.get("type") not in _MCP_ITEMS:
            return True
        self.last_mcp_hidden = item.get("server_label") in self.server_labels
        if self.last_mcp_hidden:
            self.hidden.add(str(item.get("id")))
        return not self.last_mcp_hidden

    def _hidden_event(self, payload: dict[str, Any]) -> bool:
        """Whether an event belongs to a server MCP item (some MCP events carry no item id)."""
        kind = str(payload.get("type"))
        mcp = kind.startswith("response.mcp_")
        if mcp and not self.client_mcp:  # every MCP event is a server's
            return bool(self.server_labels)
        if "item_id" in payload and payload["item_id"] in self.hidden:
            return True
        return mcp and kind.startswith("response.mcp_call.") and self.last_mcp_hidden

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        """A response object as the client sees it."""
        body, prepared = self.body, self.prepared
        response = dict(response)
        response["output"] = [i for i in response.get("output") or () if self._visible(i)]
        response["tools"] = self._tools(list(response.get("tools") or ()))
        response["instructions"] = body.instructions if body.instructions else SERVER_PROMPT
        if body.model is None:
            response["model"] = prepared.model.provider_resource_id
        response["store"] = body.store
        response["metadata"] = body.metadata
        response["previous_response_id"] = body.previous_response_id
        response["conversation"] = prepared.conversation_id
        response["safety_identifier"] = body.safety_identifier
        return response

    def _next(self, payload: dict[str, Any]) -> dict[str, Any]:
        payload["sequence_number"] = self.sequence
        self.sequence += 1
        return payload

    def rewrite(self, payload: dict[str, Any]) -> dict[str, Any] | None:
        """The client's form of one OGX event; ``None``: not sent (or held)."""
        kind = payload.get("type")
        item = payload.get("item")
        if isinstance(item, dict) and not self._visible(item):
            return None
        if self._hidden_event(payload):
            return None
        payload = dict(payload)
        if isinstance(payload.get("response"), dict):
            payload["response"] = self.response(payload["response"])
            if kind == "response.in_progress":
                payload["response"] |= {"available_quotas": {}, "output_text": ""}
            if kind in _TERMINAL:
                self.held = payload
                return None
        return self._next(payload)

    def finish(self, end: EndEvent) -> list[dict[str, Any]]:
        """The terminal event(s), now that quotas are known."""
        if self.held is None:
            return self._refused(end)
        held, self.held = self.held, None
        response = held["response"]
        response |= {"available_quotas": end.available_quotas, "output_text": output_text(response)}
        return [self._next(held)]

    def _refused(self, end: EndEvent) -> list[dict[str, Any]]:
        """The reference's four events for an answer the model never gave (shield refusal)."""
        now = int(time.time())
        message_id = f"msg_{uuid.uuid4()}"
        text = self.refusal or ""
        part = {"type": "output_text", "text": text, "annotations": [], "logprobs": []}
        message = {"id": message_id, "type": "message", "role": "assistant"}
        base = self.response(
            {
                "id": f"modr_{uuid.uuid4()}",
                "object": "response",
                "created_at": now,
                "model": self.prepared.model.identifier,
                "status": "in_progress",
                "output": [],
                "tools": [],
                "parallel_tool_calls": True,
            }
        )
        done = {**message, "status": "completed", "content": [part]}
        usage = {
            "input_tokens": end.input_tokens,
            "output_tokens": end.output_tokens,
            "total_tokens": end.input_tokens + end.output_tokens,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens_details": {"reasoning_tokens": 0},
        }
        final = base | {
            "status": "completed",
            "completed_at": now,
            "output": [done],
            "usage": usage,
            "available_quotas": end.available_quotas,
            "output_text": text,
        }
        rid = base["id"]
        return [
            self._next({"type": "response.created", "response": base}),
            self._next(
                {
                    "type": "response.output_item.added",
                    "response_id": rid,
                    "output_index": 0,
                    "item": {**message, "status": "in_progress", "content": []},
                }
            ),
            self._next(
                {
                    "type": "response.output_item.done",
                    "response_id": rid,
                    "output_index": 0,
                    "item": done,
                }
            ),
            self._next({"type": "response.completed", "response": final}),
        ]

    async def payloads(self, events: AsyncIterator[PipelineEvent]) -> AsyncIterator[dict[str, Any]]:
        """The client's events; an error after the start becomes an ``error`` event."""
        async for event in events:
            match event:
                case BackendEvent():
                    rewritten = self.rewrite(event.payload)
                    if rewritten is not None:
                        yield rewritten
                case TurnCompleteEvent():
                    self.refusal = event.text
                case EndEvent():
                    for payload in self.finish(event):
                        yield payload
                case ErrorEvent():
                    self.error = event.error
                    yield self._next(error_payload(event.error))
                    return

    async def sse(self, events: AsyncIterator[PipelineEvent]) -> AsyncIterator[str]:
        """The ``text/event-stream`` body, ending with ``data: [DONE]``."""
        async for payload in self.payloads(events):
            yield sse(payload)
        yield DONE

    async def fold(self, events: AsyncIterator[PipelineEvent]) -> ResponsesResponse:
        """The JSON body: the terminal response object; an error raises its domain error."""
        final: dict[str, Any] | None = None
        async for payload in self.payloads(events):
            if payload["type"] == "error":
                raise self.error or InternalError("Internal server error", payload["message"])
            if payload["type"] in _TERMINAL:
                final = payload["response"]
        if final is None:
            raise InternalError("Internal server error", "The response ended without a result.")
        return ResponsesResponse.model_validate(final)


def _store_names(
    client: Sequence[dict[str, Any]], sent: Sequence[dict[str, Any]]
) -> dict[str, str]:
    """OGX vector-store id -> the id the client named it by (a ``rag_id``), per file search.

    The client's tools come first in what was sent (``pipeline/tools.py``), in order.
    """
    names: dict[str, str] = {}
    for mine, theirs in zip(client, sent, strict=False):
        if mine.get("type") == "file_search" and theirs.get("type") == "file_search":
            ours = theirs.get("vector_store_ids") or ()
            names.update(zip(ours, mine.get("vector_store_ids") or (), strict=False))
    return names


def error_payload(error: LightspeedError) -> dict[str, Any]:
    """The OpenAI ``error`` stream event for a failure after the stream started."""
    return {
        "type": "error",
        "code": str(error.status_code),
        "message": f"{error.response}: {error.cause}",
        "param": None,
    }
