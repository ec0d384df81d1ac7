"""``run``: the model call as typed events, and post-processing done exactly once.

Normal order: start → [compaction] → (token | tool_call | tool_result)* → turn_complete →
end. Quota is settled, the turn persisted and the topic summary scheduled before ``end``, in
both the streaming and the non-streaming endpoint. A failure after ``start`` becomes an
``error`` event and releases the quota reservation; an interrupt (or a client disconnect)
stores the partial answer, marked interrupted. When the SIGTERM grace period ends
(``shutdown.py``) a run still waiting for the model does the same and ends with an
``error`` event (503).

Tracing: the model call is the ``llm.inference`` span, whose ``traceparent`` goes to OGX
(server mode) and, through OGX, to the MCP servers; the request's root span (opened by
``prepare``) ends when the events do, with the answer (anonymized) and the usage.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import AsyncIterator

import anyio

from lightspeed_core.errors import BackendUnavailableError, InternalError, LightspeedError
from lightspeed_core.llm.base import ResponseRequest
from lightspeed_core.llm.events import (
    Completed,
    LLMEvent,
    RawEvent,
    TextDelta,
    ToolCall,
    ToolResult,
)
from lightspeed_core.llm.functions import CombinedFunctionTools, FunctionTools
from lightspeed_core.llm.tokens import count_tokens
from lightspeed_core.pipeline.compacting import compact
from lightspeed_core.pipeline.events import (
    BackendEvent,
    CompactionEvent,
    EndEvent,
    ErrorEvent,
    InterruptedEvent,
    PipelineEvent,
    StartEvent,
    TokenEvent,
    ToolCallEvent,
    ToolResultEvent,
    TurnCompleteEvent,
)
from lightspeed_core.pipeline.functions import respond_with_functions
from lightspeed_core.pipeline.mcp_retry import without_failed_server
from lightspeed_core.pipeline.outcome import Outcome, closing_text, transcript_record, turn_record
from lightspeed_core.pipeline.ports import PipelinePorts
from lightspeed_core.pipeline.prepare import PreparedQuery
from lightspeed_core.pipeline.pump import Pump
from lightspeed_core.rag.base import Chunk
from lightspeed_core.tracing import Span

log = logging.getLogger(__name__)
SHUTDOWN = "Service is shutting down"
SHUTDOWN_CAUSE = (
    "The service stopped before the answer was complete; the partial answer is stored in "
    "the conversation. Ask again."
)


def traced_request(request: ResponseRequest, headers: dict[str, str]) -> ResponseRequest:
    """``request`` carrying trace ``headers`` to OGX and to every MCP server it calls."""
    tools = [
        {**tool, "headers": {**tool.get("headers", {}), **headers}}
        if tool.get("type") == "mcp"
        else tool
        for tool in request.tools
    ]
    return dataclasses.replace(request, tools=tools, headers={**request.headers, **headers})


def _absorb(ports: PipelinePorts, outcome: Outcome, event: LLMEvent) -> PipelineEvent | None:
    if isinstance(event, RawEvent):
        return BackendEvent(event.payload)
    if isinstance(event, TextDelta):
        outcome.text.append(event.text)
        return TokenEvent(event.text)
    if isinstance(event, ToolCall):
        call = ToolCallEvent(event.id, event.name, event.args)
        outcome.tool_calls.append(call)
        return call
    if isinstance(event, ToolResult):
        result = ToolResultEvent(event.id, event.status, event.content, event.round)
        outcome.tool_results.append(result)
        if event.documents:
            outcome.add_documents(ports.rag.documents(event.documents))
            outcome.chunks.extend(
                Chunk(c.content, c.filename, c.score, c.attributes) for c in event.documents
            )
        return result
    if isinstance(event, Completed):
        outcome.completed = True
        outcome.input_tokens = event.usage.input_tokens
        outcome.output_tokens = event.usage.output_tokens
        outcome.response_id = event.response_id
    return None


class QueryRun:
    """One execution of a prepared query."""

    def __init__(self, ports: PipelinePorts, prepared: PreparedQuery) -> None:
        self.ports = ports
        self.prepared = prepared
        self.outcome = Outcome()

    async def events(self, *, interruptible: bool) -> AsyncIterator[PipelineEvent]:
        span = self.prepared.span
        try:
            with self.ports.topics.busy():
                async for event in self._events(interruptible=interruptible):
                    if isinstance(event, ErrorEvent):
                        span.fail(event.error)
                    yield event
        except (Exception, asyncio.CancelledError) as error:
            span.fail(error)
            raise
        finally:
            if span.recording:
                self._trace_outcome(span)
            span.end()

    def _trace_outcome(self, span: Span) -> None:
        outcome = self.outcome
        span.set_private({"response.output": outcome.answer})
        span.set(
            {
                "session.id": self.prepared.conversation_id,
                "llm.usage.input_tokens": outcome.input_tokens,
                "llm.usage.output_tokens": outcome.output_tokens,
            }
        )

    def _llm_span(self) -> Span:
        span = self.prepared.span.child("llm.inference")
        if span.recording:
            model = self.prepared.model
            span.set(
                {"llm.model.id": model.provider_resource_id, "llm.provider.id": model.provider_id}
            )
            span.event("llm.inference.started")
        return span

    def _trace_inference(self, span: Span, seconds: float) -> None:
        outcome = self.outcome
        names = [call.name for call in outcome.tool_calls]
        span.set(
            {
                "inference_time": seconds,
                "llm.usage.input_tokens": outcome.input_tokens,
                "llm.usage.output_tokens": outcome.output_tokens,
                "tool.calls.count": len(names),
                "tool.calls.names": names,
            }
        )
        span.event("llm.inference.completed")

    async def _events(self, *, interruptible: bool) -> AsyncIterator[PipelineEvent]:
        prepared = self.prepared
        if prepared.refusal is not None:
            yield StartEvent(prepared.conversation_id, prepared.request_id)
            self.outcome.input_tokens, self.outcome.output_tokens = prepared.refusal_usage
            async for event in self._finish(prepared.refusal):
                yield event
            return
        track = (
            self.ports.streams.track(
                prepared.request_id, prepared.auth.principal.user_id, prepared.conversation_id
            )
            if interruptible
            else contextlib.nullcontext(asyncio.Event())
        )
        started = time.perf_counter()
        llm_span = self._llm_span()
        stopping = self.ports.shutdown.expired
        # The model call starts now, while the stream row is written (unless compaction must
        # summarise first): the first token does not wait for that write.
        pump = None if prepared.compaction else self._pump(prepared.llm_request, llm_span)
        try:
            async with track as interrupted:  # registered before the client learns the id
                yield StartEvent(prepared.conversation_id, prepared.request_id)
                try:
                    if pump is None:
                        assert prepared.compaction is not None
                        yield CompactionEvent(prepared.conversation_id)
                        request = await compact(
                            self.ports, prepared.compaction, prepared.llm_request
                        )
                        pump = self._pump(request, llm_span)
                    if interruptible:
                        pump.stop_on(interrupted)
                    async for raw in pump:
                        translated = _absorb(self.ports, self.outcome, raw)
                        if translated is not None:
                            yield translated
                except LightspeedError as error:
                    llm_span.fail(error)
                    llm_span.end()
                    self._record_call(time.perf_counter() - started, ok=False)
                    await self.ports.quota.release(prepared.reservation)
                    yield ErrorEvent(error)
                    return
                except (asyncio.CancelledError, GeneratorExit):
                    llm_span.end()
                    with anyio.CancelScope(shield=True):
                        await self._store_partial()
                    self._record_call(time.perf_counter() - started, ok=True)
                    raise
                if llm_span.recording:
                    self._trace_inference(llm_span, time.perf_counter() - started)
                llm_span.end()
                if stopping.is_set() and not interrupted.is_set() and not self.outcome.completed:
                    await self._store_partial()  # settled, partial turn stored, row cleared below
                    self._record_call(time.perf_counter() - started, ok=False)
                    yield ErrorEvent(BackendUnavailableError(SHUTDOWN_CAUSE, response=SHUTDOWN))
                    return
                if interrupted.is_set() and not self.outcome.completed:
                    closing = closing_text(self.outcome.answer)
                    yield TokenEvent(closing)
                    await self._store_partial(closing)
                    self._record_call(time.perf_counter() - started, ok=True)
                    yield InterruptedEvent(prepared.request_id)
                    return
                self._record_call(time.perf_counter() - started, ok=True)
        finally:
            if pump is not None:
                with anyio.CancelScope(shield=True):
                    await pump.aclose()
        async for event in self._finish(self.outcome.answer):
            yield event

    def _pump(self, request: ResponseRequest, span: Span) -> Pump:
        """Start the model call (with the functions loop and the MCP retry), read ahead."""
        if span.recording:
            request = traced_request(request, span.headers())
        stream = without_failed_server(self._respond, request, self.ports.tools)
        return Pump(stream, self.ports.shutdown.expired)

    async def _respond(self, request: ResponseRequest) -> AsyncIterator[LLMEvent]:
        functions: FunctionTools = self.ports.functions
        mcp: FunctionTools | None = None
        if request.raw_events == "none":  # /v1/responses shows OGX's own MCP events: OGX runs them
            tools, mcp = await self.ports.tools.offer(request.tools)
            if mcp is not None:  # server MCP tools run by us, over pooled sessions
                request = dataclasses.replace(request, tools=tools)
                functions = CombinedFunctionTools(functions, mcp)
        async for event in respond_with_functions(
            self.ports.llm, request, functions, request.max_infer_iters, mcp
        ):
            yield event

    def _record_call(self, seconds: float, *, ok: bool) -> None:
        model = self.prepared.model
        self.ports.metrics.record_llm_call(
            model.provider_id,
            model.provider_resource_id,
            self.prepared.endpoint.path,
            input_tokens=self.outcome.input_tokens,
            output_tokens=self.outcome.output_tokens,
            seconds=seconds,
            ok=ok,
        )

    async def _finish(self, answer: str) -> AsyncIterator[PipelineEvent]:
        prepared, outcome = self.prepared, self.outcome
        try:
            await self.ports.quota.settle(
                prepared.reservation,
                input_tokens=outcome.input_tokens,
                output_tokens=outcome.output_tokens,
                provider=prepared.model.provider_id,
                model=prepared.model.provider_resource_id,
            )
        except LightspeedError as error:
            yield ErrorEvent(error)
            return
        yield TurnCompleteEvent(answer)
        try:
            quotas = await self.ports.quota.available(prepared.auth.principal)
            await self._persist(answer, interrupted=False)
        except LightspeedError as error:
            yield ErrorEvent(error)
            return
        documents = tuple(dict.fromkeys((*prepared.context.documents, *outcome.documents)))
        yield EndEvent(
            input_tokens=outcome.input_tokens,
            output_tokens=outcome.output_tokens,
            referenced_documents=documents,
            rag_chunks=(*prepared.context.chunks, *outcome.chunks),
            available_quotas=quotas,
        )

    async def _persist(self, answer: str, *, interrupted: bool) -> None:
        prepared = self.prepared
        user_id = prepared.auth.principal.user_id
        stored = prepared.turn.store
        try:
            if prepared.turn.transcript:  # queued: written behind the answer, never fails it
                await self.ports.transcripts.write(
                    transcript_record(prepared, self.outcome, answer)
                )
            number = None
            if stored:
                number = await self.ports.conversations.record(
                    user_id,
                    prepared.conversation_id,
                    turn_record(prepared, self.outcome, answer, interrupted=interrupted),
                    None,
                )
                prepared.span.event("turn.persisted")
        except LightspeedError:
            raise
        except Exception as exc:
            log.exception("storing turn of conversation %s failed", prepared.conversation_id)
            raise InternalError(
                "Database query failed", "Failed to store the conversation turn."
            ) from exc
        if number is None:  # not stored, or the conversation was deleted while the turn ran
            return
        if prepared.new_conversation and prepared.turn.generate_topic_summary:
            self.ports.topics.schedule(
                user_id,
                prepared.conversation_id,
                prepared.model.identifier,
                prepared.question,
                parent=prepared.span,
            )

    async def _store_partial(self, closing: str = "") -> None:
        """Persist what was answered before an interrupt or a disconnect."""
        outcome, prepared = self.outcome, self.prepared
        if not outcome.output_tokens:
            outcome.output_tokens = await count_tokens(self.ports.tokens, outcome.answer)
        if not outcome.input_tokens:
            outcome.input_tokens = prepared.estimated_input_tokens
        try:
            await self.ports.quota.settle(
                prepared.reservation,
                input_tokens=outcome.input_tokens,
                output_tokens=outcome.output_tokens,
                provider=prepared.model.provider_id,
                model=prepared.model.provider_resource_id,
            )
            await self._persist(outcome.answer + closing, interrupted=True)
        except Exception:
            log.exception("storing the partial turn of %s failed", prepared.conversation_id)


def run(
    ports: PipelinePorts, prepared: PreparedQuery, *, interruptible: bool = False
) -> AsyncIterator[PipelineEvent]:
    """The events of one prepared turn (``interruptible``: registered for interrupts)."""
    return QueryRun(ports, prepared).events(interruptible=interruptible)
