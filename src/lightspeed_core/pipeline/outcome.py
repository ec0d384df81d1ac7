"""What a model call produced so far, and the turn record built from it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from lightspeed_core.conversations.records import TurnRecord
from lightspeed_core.pipeline.events import ToolCallEvent, ToolResultEvent
from lightspeed_core.pipeline.prepare import PreparedQuery, now_utc
from lightspeed_core.rag.base import Chunk, Document
from lightspeed_core.transcripts.writer import TranscriptRecord

STOPPED_BY_USER = "\n\n*Response stopped by the user.*"


@dataclass
class Outcome:
    """Accumulates the events of one call."""

    text: list[str] = field(default_factory=list)
    tool_calls: list[ToolCallEvent] = field(default_factory=list)
    tool_results: list[ToolResultEvent] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    input_tokens: int = 0
    output_tokens: int = 0
    response_id: str | None = None
    completed: bool = False

    @property
    def answer(self) -> str:
        return "".join(self.text)

    def add_documents(self, documents: tuple[Document, ...]) -> None:
        for document in documents:
            if document not in self.documents:
                self.documents.append(document)


def closing_text(partial: str) -> str:
    """What ends an interrupted answer: close an open code fence, then the reference's note."""
    fence = "\n```" if partial.count("```") % 2 == 1 else ""
    return fence + STOPPED_BY_USER


def turn_record(
    prepared: PreparedQuery, outcome: Outcome, answer: str, *, interrupted: bool = False
) -> TurnRecord:
    """The stored form of a turn."""
    return TurnRecord(
        query=prepared.question,
        response=answer,
        started_at=prepared.started_at,
        completed_at=now_utc(),
        provider=prepared.model.provider_id,
        model=prepared.model.provider_resource_id,
        tool_calls=[c.to_wire() for c in outcome.tool_calls],
        tool_results=[r.to_wire() for r in outcome.tool_results],
        referenced_documents=referenced(prepared, outcome),
        attachments=[a.model_dump() for a in prepared.turn.attachments],
        input_tokens=outcome.input_tokens,
        output_tokens=outcome.output_tokens,
        interrupted=interrupted,
        response_id=outcome.response_id,
    )


def transcript_record(prepared: PreparedQuery, outcome: Outcome, answer: str) -> TranscriptRecord:
    """What the transcript of a turn records."""
    turn = prepared.turn
    return TranscriptRecord(
        user_id=prepared.auth.principal.user_id,
        conversation_id=prepared.conversation_id,
        provider=prepared.model.provider_id,
        model=prepared.model.provider_resource_id,
        query_provider=turn.provider,
        query_model=turn.model,
        redacted_query=prepared.question,
        query_is_valid=prepared.refusal is None,
        llm_response=answer,
        rag_chunks=[asdict(c) for c in (*prepared.context.chunks, *outcome.chunks)],
        attachments=[a.model_dump() for a in turn.attachments],
        tool_calls=[c.to_wire() for c in outcome.tool_calls],
        tool_results=[r.to_wire() for r in outcome.tool_results],
    )


def referenced(prepared: PreparedQuery, outcome: Outcome) -> list[dict[str, Any]]:
    documents = list(prepared.context.documents) + outcome.documents
    return [asdict(d) for d in dict.fromkeys(documents)]
