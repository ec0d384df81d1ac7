"""The tracing ports: on/off decision, the no-op pair, the SDK spans, anonymization."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from lightspeed_core.tracing import NOOP_SPAN, NOOP_TRACER, build_tracer, tracing_enabled
from lightspeed_core.tracing.anonymize import Anonymizer
from lightspeed_core.tracing.otel import OtelTracer

CLIENT_TRACE = "0af7651916cd43dd8448eb211c80319c"
CLIENT_SPAN = "b7ad6b7169203331"
TRACEPARENT = f"00-{CLIENT_TRACE}-{CLIENT_SPAN}-01"


@pytest.mark.parametrize(
    ("env", "enabled"),
    [
        ({}, False),
        ({"OTEL_SERVICE_NAME": "x"}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"}, True),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "true"}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_EXPORTER": "none"}, False),
        ({"OTEL_TRACES_EXPORTER": "console"}, True),
    ],
)
def test_tracing_is_off_unless_an_exporter_is_configured(
    env: dict[str, str], enabled: bool
) -> None:
    assert tracing_enabled(env) is enabled


def test_off_means_the_shared_noop_span_everywhere() -> None:
    tracer = build_tracer({}, version="1")
    assert tracer is NOOP_TRACER
    span = tracer.request_span("query.handle_request", {"traceparent": TRACEPARENT})
    assert span is NOOP_SPAN
    assert not span.recording
    with span.child("rag.retrieve") as child:
        assert child is NOOP_SPAN
    assert span.headers() == {}


def test_anonymizer_is_the_references_hmac_format() -> None:
    anonymize = Anonymizer("s3cret")
    digest = hmac.new(b"s3cret", b"alice", hashlib.sha256).hexdigest()[:16]
    assert anonymize("alice") == f"[hash:{digest}:short:len=5]"
    assert anonymize("x" * 51).endswith(":long:len=51]")
    assert Anonymizer(None)("alice") == "[anonymized:len=5]"


def _tracer(exporter: InMemorySpanExporter) -> OtelTracer:
    return OtelTracer.with_processor(
        SimpleSpanProcessor(exporter), Anonymizer("k"), {"service.name": "lsc-test"}
    )


def test_sdk_spans_continue_the_client_trace_and_nest() -> None:
    exporter = InMemorySpanExporter()
    tracer = _tracer(exporter)
    root = tracer.request_span("query.handle_request", {"traceparent": TRACEPARENT})
    root.set_private({"user.id": "alice"})
    with root.child("quota.check") as check:
        check.set({"quota.check.passed": True})
    outgoing = root.child("llm.inference")
    headers = outgoing.headers()
    outgoing.end()
    root.end()
    spans = {span.name: span for span in exporter.get_finished_spans()}
    top = spans["query.handle_request"]
    assert top.kind == SpanKind.SERVER
    assert format(top.context.trace_id, "032x") == CLIENT_TRACE
    assert top.parent is not None
    assert format(top.parent.span_id, "016x") == CLIENT_SPAN
    assert top.attributes is not None
    assert top.attributes["user.id"] == Anonymizer("k")("alice")
    assert spans["quota.check"].parent == top.context
    assert spans["llm.inference"].parent == top.context
    llm_span_id = format(spans["llm.inference"].context.span_id, "016x")
    assert headers["traceparent"] == f"00-{CLIENT_TRACE}-{llm_span_id}-01"
    assert top.resource.attributes["service.name"] == "lsc-test"


def test_an_exception_in_a_child_marks_it_failed() -> None:
    exporter = InMemorySpanExporter()
    root = _tracer(exporter).request_span("query.handle_request", {})
    with pytest.raises(ValueError, match="boom"), root.child("rag.retrieve"):
        raise ValueError("boom")
    root.end()
    (failed,) = [s for s in exporter.get_finished_spans() if s.name == "rag.retrieve"]
    assert failed.status.status_code == StatusCode.ERROR
    assert [event.name for event in failed.events] == ["exception"]
