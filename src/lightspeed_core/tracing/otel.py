"""Tracing on: spans of the OpenTelemetry SDK, batched to an exporter (OTLP/HTTP).

The service owns its ``TracerProvider`` (never the process-global one, which OGX may set
up for itself). Incoming and outgoing context uses the global text-map propagator, which
``OTEL_PROPAGATORS`` configures (W3C ``traceparent`` + baggage by default).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType

from opentelemetry import propagate, trace
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.trace import SpanKind, Status, StatusCode

from lightspeed_core.tracing.anonymize import Anonymizer
from lightspeed_core.tracing.base import AttributeValue

INSTRUMENTATION = "lightspeed_core"


class OtelSpan:
    """A recording span; children share the tracer and the anonymizer."""

    __slots__ = ("_anonymize", "_span", "_tracer")

    recording = True

    def __init__(self, span: trace.Span, tracer: trace.Tracer, anonymize: Anonymizer) -> None:
        self._span = span
        self._tracer = tracer
        self._anonymize = anonymize

    def set(self, attributes: Mapping[str, AttributeValue]) -> None:
        self._span.set_attributes(attributes)

    def set_private(self, attributes: Mapping[str, str]) -> None:
        self._span.set_attributes({k: self._anonymize(v) for k, v in attributes.items()})

    def event(self, name: str, attributes: Mapping[str, AttributeValue] | None = None) -> None:
        self._span.add_event(name, attributes=attributes)

    def fail(self, error: BaseException) -> None:
        self._span.record_exception(error)
        self._span.set_status(Status(StatusCode.ERROR, type(error).__name__))

    def child(self, name: str) -> OtelSpan:
        context = trace.set_span_in_context(self._span)
        span = self._tracer.start_span(name, context=context)
        return OtelSpan(span, self._tracer, self._anonymize)

    def headers(self) -> dict[str, str]:
        carrier: dict[str, str] = {}
        propagate.inject(carrier, context=trace.set_span_in_context(self._span))
        return carrier

    def end(self) -> None:
        self._span.end()

    def __enter__(self) -> OtelSpan:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if error is not None and not isinstance(error, GeneratorExit):
            self.fail(error)
        self.end()


class OtelTracer:
    """Root spans of requests on a provider of our own."""

    enabled = True

    def __init__(self, provider: TracerProvider, anonymize: Anonymizer) -> None:
        self._provider = provider
        self._tracer = provider.get_tracer(INSTRUMENTATION)
        self._anonymize = anonymize

    @classmethod
    def with_processor(
        cls, processor: SpanProcessor, anonymize: Anonymizer, resource: Mapping[str, str]
    ) -> OtelTracer:
        from opentelemetry.sdk.resources import Resource

        provider = TracerProvider(resource=Resource.create(dict(resource)))
        provider.add_span_processor(processor)
        return cls(provider, anonymize)

    def request_span(self, name: str, headers: Mapping[str, str]) -> OtelSpan:
        context = propagate.extract(headers)
        span = self._tracer.start_span(name, context=context, kind=SpanKind.SERVER)
        return OtelSpan(span, self._tracer, self._anonymize)

    def shutdown(self) -> None:
        self._provider.shutdown()
