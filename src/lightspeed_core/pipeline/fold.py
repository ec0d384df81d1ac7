"""Fold pipeline events into a ``QueryResponse`` (the non-streaming endpoint)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from lightspeed_core.errors import InternalError
from lightspeed_core.pipeline.events import (
    EndEvent,
    ErrorEvent,
    PipelineEvent,
    StartEvent,
    ToolCallEvent,
    ToolResultEvent,
    TurnCompleteEvent,
)
from lightspeed_core.schemas.query import (
    QueryResponse,
    RAGChunk,
    ReferencedDocument,
    ToolCallSummary,
    ToolResultSummary,
)


async def fold(events: AsyncIterator[PipelineEvent]) -> QueryResponse:
    """Consume the events; an ``ErrorEvent`` re-raises its domain error."""
    conversation_id: str | None = None
    text = ""
    calls: list[ToolCallSummary] = []
    results: list[ToolResultSummary] = []
    end: EndEvent | None = None
    async for event in events:
        match event:
            case StartEvent():
                conversation_id = event.conversation_id
            case ToolCallEvent():
                calls.append(ToolCallSummary.model_validate(event.to_wire()))
            case ToolResultEvent():
                results.append(ToolResultSummary.model_validate(event.to_wire()))
            case TurnCompleteEvent():
                text = event.text
            case EndEvent():
                end = event
            case ErrorEvent():
                raise event.error
    if end is None:
        raise InternalError("Internal server error", "The query ended without a result.")
    return QueryResponse(
        conversation_id=conversation_id,
        response=text,
        rag_chunks=[
            RAGChunk(content=c.content, source=c.source, score=c.score, attributes=c.attributes)
            for c in end.rag_chunks
        ],
        referenced_documents=[
            ReferencedDocument(
                doc_url=d.doc_url, doc_title=d.doc_title, source=d.source, document_id=d.document_id
            )
            for d in end.referenced_documents
        ],
        truncated=bool(end.truncated),
        input_tokens=end.input_tokens,
        output_tokens=end.output_tokens,
        available_quotas=end.available_quotas,
        tool_calls=calls,
        tool_results=results,
    )
