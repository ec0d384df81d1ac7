"""Typed events of one query, in the order the contract streams them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lightspeed_core.errors import LightspeedError
from lightspeed_core.rag.base import Chunk, Document


@dataclass(frozen=True, slots=True)
class StartEvent:
    """The stream began; names the conversation and the request."""

    conversation_id: str
    request_id: str


@dataclass(frozen=True, slots=True)
class CompactionEvent:
    """Older turns of the conversation are being summarised (before the model call)."""

    conversation_id: str


@dataclass(frozen=True, slots=True)
class TokenEvent:
    """A piece of answer text."""

    text: str


@dataclass(frozen=True, slots=True)
class ToolCallEvent:
    """The model called a tool."""

    id: str
    name: str
    args: dict[str, Any]

    def to_wire(self) -> dict[str, Any]:
        """The contract's form: streamed, returned, stored with the turn and transcribed."""
        return {"id": self.id, "name": self.name, "args": self.args, "type": "tool_call"}


@dataclass(frozen=True, slots=True)
class ToolResultEvent:
    """A tool returned."""

    id: str
    status: str
    content: str
    round: int

    def to_wire(self) -> dict[str, Any]:
        """The contract's form: streamed, returned, stored with the turn and transcribed."""
        return {
            "id": self.id,
            "status": self.status,
            "content": self.content,
            "type": "tool_result",
            "round": self.round,
        }


@dataclass(frozen=True, slots=True)
class TurnCompleteEvent:
    """The full answer text of the turn."""

    text: str


@dataclass(frozen=True, slots=True)
class EndEvent:
    """Usage, documents and quotas, after the turn completed."""

    input_tokens: int
    output_tokens: int
    referenced_documents: tuple[Document, ...] = ()
    rag_chunks: tuple[Chunk, ...] = ()
    available_quotas: dict[str, int] = field(default_factory=dict)
    truncated: bool | None = None


@dataclass(frozen=True, slots=True)
class ErrorEvent:
    """A failure after the stream started (inference error, persistence error ...)."""

    error: LightspeedError


@dataclass(frozen=True, slots=True)
class InterruptedEvent:
    """The stream was stopped by its owner."""

    request_id: str


@dataclass(frozen=True, slots=True)
class BackendEvent:
    """One OGX Responses event, unchanged (only when the turn asked for ``raw_events``).

    Comes before the events it gives rise to; an endpoint that speaks the Responses wire
    format (``/v1/responses``) renders these and ignores the token and tool events.
    """

    payload: dict[str, Any]


PipelineEvent = (
    StartEvent
    | BackendEvent
    | CompactionEvent
    | TokenEvent
    | ToolCallEvent
    | ToolResultEvent
    | TurnCompleteEvent
    | EndEvent
    | ErrorEvent
    | InterruptedEvent
)
