"""The Splunk event of one ``/v1/responses`` call, sent as the pipeline's events pass by.

Sourcetypes ``responses_completed``, ``responses_error`` and ``responses_shield_blocked``; a
no-op unless ``splunk.enabled``.

:func:`reported` wraps the event stream between ``run`` and the renderer, so the streamed and
the JSON answer report alike; sending never blocks or fails the request (splunk/service.py).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import replace

from lightspeed_core.pipeline.events import EndEvent, ErrorEvent, PipelineEvent, TurnCompleteEvent
from lightspeed_core.pipeline.prepare import PreparedQuery
from lightspeed_core.splunk import ResponsesEvent, Sourcetype, Splunk


def _event(prepared: PreparedQuery, headers: Mapping[str, str], text: str) -> ResponsesEvent:
    principal = prepared.auth.principal
    return ResponsesEvent(
        input_text=prepared.question,
        response_text=text,
        conversation_id=prepared.conversation_id,
        model=prepared.model.identifier,
        inference_time=0.0,
        org_id=principal.org_id or "",
        system_id=principal.system_id or "",
        user_agent=headers.get("user-agent"),
    )


async def reported(
    events: AsyncIterator[PipelineEvent],
    splunk: Splunk,
    prepared: PreparedQuery,
    headers: Mapping[str, str],
) -> AsyncIterator[PipelineEvent]:
    """``events`` unchanged; one Splunk event when the turn ends or fails."""
    if not splunk.enabled:
        async for event in events:
            yield event
        return
    started = time.perf_counter()
    answer = ""
    async for event in events:
        if isinstance(event, TurnCompleteEvent):
            answer = event.text
        elif isinstance(event, EndEvent):
            sent = _event(prepared, headers, answer)
            kind = Sourcetype.RESPONSES_COMPLETED
            if prepared.refusal is not None:
                kind = Sourcetype.RESPONSES_SHIELD_BLOCKED
            splunk.responses(_timed(sent, started, event.input_tokens, event.output_tokens), kind)
        elif isinstance(event, ErrorEvent):
            sent = _event(prepared, headers, type(event.error).__name__)
            splunk.responses(_timed(sent, started, 0, 0), Sourcetype.RESPONSES_ERROR)
        yield event


def _timed(event: ResponsesEvent, started: float, used_in: int, used_out: int) -> ResponsesEvent:
    return replace(
        event,
        inference_time=time.perf_counter() - started,
        input_tokens=used_in,
        output_tokens=used_out,
    )
