"""What one model call streams back, independent of library or server mode.

OGX's Responses API stream (``response.output_text.delta``, ``response.output_item.done``,
``response.completed`` ...) is normalised into these few frozen types by
:func:`lightspeed_core.llm.normalize.normalize_stream`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts reported by the backend for one call (all model rounds included)."""

    input_tokens: int = 0
    output_tokens: int = 0


@dataclass(frozen=True, slots=True)
class TextDelta:
    """A piece of the answer text."""

    text: str


@dataclass(frozen=True, slots=True)
class ToolCall:
    """The model asked for a tool (MCP, file search, function ...)."""

    id: str
    name: str
    args: dict[str, Any]
    kind: str  # "mcp_call" | "file_search_call" | "function_call" | "mcp_list_tools" ...
    server_label: str | None = None
    call_id: str | None = None  # a function call's ``call_id`` (its output names it)


@dataclass(frozen=True, slots=True)
class ToolResult:
    """The outcome of a tool call, as OGX reports it."""

    id: str
    status: str  # "success" | "failure"
    content: str
    round: int = 1
    documents: tuple[RetrievedChunk, ...] = ()


@dataclass(frozen=True, slots=True)
class RetrievedChunk:
    """A chunk returned by a file search (tool RAG)."""

    content: str
    score: float | None = None
    filename: str | None = None
    file_id: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Completed:
    """The call finished; ``status`` is ``completed`` or ``incomplete`` (length limit)."""

    text: str
    usage: Usage
    status: str = "completed"
    response_id: str | None = None


@dataclass(frozen=True, slots=True)
class RawEvent:
    """One OGX Responses stream event as JSON, unchanged (``ResponseRequest.raw_events``).

    Streamed before the normalised events it gives rise to, for endpoints that speak the
    Responses wire format themselves (``/v1/responses``).
    """

    payload: dict[str, Any]


RawEvents = Literal["none", "all", "final"]
"""Which OGX events a call also streams as ``RawEvent``s: none, all, or the terminal one."""

LLMEvent = TextDelta | ToolCall | ToolResult | Completed | RawEvent
