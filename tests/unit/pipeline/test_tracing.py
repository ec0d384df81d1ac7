"""The request path's spans, over the pipeline's fakes and the real OpenTelemetry SDK."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from lightspeed_core.errors import BackendUnavailableError, QuotaExceededError
from lightspeed_core.pipeline.events import ErrorEvent
from lightspeed_core.pipeline.prepare import prepare
from lightspeed_core.pipeline.run import run
from lightspeed_core.pipeline.turn import Endpoint, TurnInput
from lightspeed_core.testing.fake_llm import FakeLLM, Reply
from lightspeed_core.testing.fakes import FakeShields, FakeTools, RecordingQuota
from lightspeed_core.testing.services import fake_ports
from lightspeed_core.tracing.anonymize import Anonymizer
from lightspeed_core.tracing.otel import OtelTracer
from lightspeed_core.vocabulary.actions import Action

from .helpers import ALICE, QUERY, STREAM, collect

MCP_TOOL = {
    "type": "mcp",
    "server_label": "calc",
    "server_url": "http://calc",
    "headers": {"X": "1"},
}
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
hashed = Anonymizer("key")


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def tracer(exporter: InMemorySpanExporter) -> OtelTracer:
    return OtelTracer.with_processor(SimpleSpanProcessor(exporter), hashed, {})


def _by_name(exporter: InMemorySpanExporter) -> dict[str, ReadableSpan]:
    return {span.name: span for span in exporter.get_finished_spans()}


async def test_a_turn_is_one_trace_with_the_contracts_spans(
    tracer: OtelTracer, exporter: InMemorySpanExporter
) -> None:
    llm = FakeLLM([Reply("Hello there")])
    ports = fake_ports(llm=llm, tracer=tracer, tools=FakeTools([MCP_TOOL]))
    prepared = await prepare(ports, TurnInput("hi"), ALICE, QUERY, {"traceparent": TRACEPARENT})
    await collect(run(ports, prepared))
    spans = _by_name(exporter)
    root = spans["query.handle_request"]
    for name in ("shield.moderate", "rag.retrieve", "quota.check", "llm.inference"):
        assert spans[name].parent == root.context, name
    assert root.parent is not None
    assert root.parent.span_id == 0xB7AD6B7169203331
    attributes = dict(root.attributes or {})
    assert attributes["user.id"] == hashed("alice")
    assert attributes["request.input"] == hashed("hi")
    assert attributes["response.output"] == hashed("Hello there")
    assert attributes["session.id"] == prepared.conversation_id
    assert [e.name for e in root.events] == ["validation.completed", "turn.persisted"]
    assert dict(spans["quota.check"].attributes or {}) == {"quota.check.passed": True}
    assert dict(spans["shield.moderate"].attributes or {}) == {"shield.result": "passed"}
    inference = dict(spans["llm.inference"].attributes or {})
    assert inference["llm.usage.output_tokens"] == 2
    # the model call carries the llm.inference span as parent, to OGX and to MCP servers
    (request,) = llm.requests
    traceparent = request.headers["traceparent"]
    assert traceparent.split("-")[2] == format(spans["llm.inference"].context.span_id, "016x")
    assert request.tools[0]["headers"] == {"X": "1", "traceparent": traceparent}


async def test_streaming_root_span_is_named_after_its_endpoint(
    tracer: OtelTracer, exporter: InMemorySpanExporter
) -> None:
    ports = fake_ports(tracer=tracer)
    prepared = await prepare(ports, TurnInput("hi"), ALICE, STREAM, {})
    await collect(run(ports, prepared, interruptible=True))
    assert "streaming_query.handle_request" in _by_name(exporter)


async def test_a_refused_reservation_ends_the_trace_failed(
    tracer: OtelTracer, exporter: InMemorySpanExporter
) -> None:
    ports = fake_ports(tracer=tracer, quota=RecordingQuota(limit=1))
    with pytest.raises(QuotaExceededError):
        await prepare(ports, TurnInput("hi"), ALICE, QUERY, {})
    spans = _by_name(exporter)
    assert dict(spans["quota.check"].attributes or {}) == {"quota.check.passed": False}
    assert spans["query.handle_request"].status.status_code == StatusCode.ERROR


async def test_a_failed_model_call_fails_inference_and_request(
    tracer: OtelTracer, exporter: InMemorySpanExporter
) -> None:
    error = BackendUnavailableError("connection refused")
    ports = fake_ports(tracer=tracer, llm=FakeLLM([Reply(error=error)]))
    prepared = await prepare(ports, TurnInput("hi"), ALICE, QUERY, {})
    events = await collect(run(ports, prepared))
    assert isinstance(events[-1], ErrorEvent)
    spans = _by_name(exporter)
    assert spans["llm.inference"].status.status_code == StatusCode.ERROR
    assert spans["query.handle_request"].status.status_code == StatusCode.ERROR


async def test_tracing_off_leaves_the_model_call_untouched() -> None:
    llm = FakeLLM([Reply("Hello")])
    ports = fake_ports(llm=llm, tools=FakeTools([MCP_TOOL]))
    prepared = await prepare(ports, TurnInput("hi"), ALICE, QUERY, {"traceparent": TRACEPARENT})
    await collect(run(ports, prepared))
    (request,) = llm.requests
    assert request.headers == {}
    assert request.tools == [MCP_TOOL]


@pytest.mark.parametrize(
    ("endpoint", "name"),
    [
        (QUERY, "query.handle_request"),
        (STREAM, "streaming_query.handle_request"),
        (Endpoint("/v1/responses", Action.QUERY), "responses.handle_request"),
        (Endpoint("/v1/infer", Action.RLSAPI_V1_INFER, span="rlsapi_v1.infer"), "rlsapi_v1.infer"),
    ],
)
def test_root_span_names(endpoint: Endpoint, name: str) -> None:
    assert endpoint.span_name == name


async def test_a_refusal_is_recorded_and_no_model_call_traced(
    tracer: OtelTracer, exporter: InMemorySpanExporter
) -> None:
    ports = fake_ports(tracer=tracer, shields=FakeShields(["secret"]))
    prepared = await prepare(ports, TurnInput("the secret"), ALICE, QUERY, {})
    await collect(run(ports, prepared))
    spans = _by_name(exporter)
    assert dict(spans["shield.moderate"].attributes or {}) == {
        "shield.result": "blocked",
        "shield.reason": "I cannot answer that.",
    }
    assert "shield.rejected" in [e.name for e in spans["query.handle_request"].events]
    assert "llm.inference" not in spans
    assert "rag.retrieve" not in spans
