""":class:`Splunk`: what an endpoint calls when a turn completes or fails.

Usage (``/v1/infer``; ``/v1/responses`` is the same with :class:`ResponsesEvent`)::

    splunk = services.splunk
    if splunk.enabled:  # optional: skips building the event when Splunk is off
        splunk.infer(InferEvent(question=..., response=answer, inference_time=seconds,
                                model=model, request_id=request_id, ...),
                     Sourcetype.INFER_WITH_LLM)  # INFER_ERROR on failure

The call returns at once (the event is queued; a background task sends it); it never
raises and never slows the request. Call it after the answer is known, also on the error
path before raising the HTTP error.
"""

from __future__ import annotations

from lightspeed_core.splunk.base import EventSink, NoopSink, Sourcetype
from lightspeed_core.splunk.events import InferEvent, ResponsesEvent


class Splunk:
    """Builds the reference's events and hands them to a sink."""

    def __init__(self, sink: EventSink, deployment: str, *, enabled: bool) -> None:
        self.sink = sink
        self.deployment = deployment
        self.enabled = enabled

    def infer(self, event: InferEvent, sourcetype: Sourcetype | str) -> None:
        """Queue one ``/v1/infer`` event (``infer_with_llm``, ``infer_error`` …)."""
        if self.enabled:
            self.sink.send(str(sourcetype), event.body(self.deployment))

    def responses(self, event: ResponsesEvent, sourcetype: Sourcetype | str) -> None:
        """Queue one ``/v1/responses`` event (``responses_completed``, ``responses_error`` …)."""
        if self.enabled:
            self.sink.send(str(sourcetype), event.body(self.deployment))

    async def close(self) -> None:
        await self.sink.close()


DISABLED = Splunk(NoopSink(), "", enabled=False)
