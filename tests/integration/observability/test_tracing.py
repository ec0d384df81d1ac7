"""OpenTelemetry tracing end to end: the real app exporting to a local OTLP/HTTP receiver.

The client's ``traceparent`` is continued, the contract's spans arrive decoded with the
user's data HMAC-anonymized, the ``llm.inference`` span's ``traceparent`` reaches an MCP
server (through OGX) and, in server mode, OGX itself; ``/v1/config`` shows the ``OTEL_*``
variables in effect.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from lightspeed_core.errors import LightspeedError
from lightspeed_core.llm.base import ResponseRequest
from lightspeed_core.llm.server import ServerBackend
from lightspeed_core.pipeline.run import traced_request
from lightspeed_core.testing.receivers import OtlpReceiver, ThreadServer
from lightspeed_core.testing.scripted_backend import BackgroundServer
from lightspeed_core.tracing.anonymize import Anonymizer
from tests.integration.mcp.helpers import mcp_servers, quiet, whoami
from tests.support.app import running_app, stub_config
from tests.support.mcp_server import McpTestServer, ServerOptions

pytestmark = pytest.mark.xdist_group("tracing")

CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CLIENT_SPAN = "00f067aa0ba902b7"
TRACEPARENT = f"00-{CLIENT_TRACE}-{CLIENT_SPAN}-01"
SECRET = "tracing-test-secret"


@pytest.fixture
def receiver() -> Iterator[OtlpReceiver]:
    server = OtlpReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def mcp() -> Iterator[McpTestServer]:
    with mcp_servers(ServerOptions(tokens=None)) as (server,):
        yield server


def _env(receiver: OtlpReceiver) -> dict[str, str]:
    return {
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
        "OTEL_EXPORTER_OTLP_HEADERS": "x-collector-key=abc",
        "OTEL_ANONYMIZATION_SECRET": SECRET,
        "OTEL_SERVICE_NAME": "lsc-tracing-test",
    }


async def test_a_query_is_one_trace_continuing_the_clients(
    scripted: BackgroundServer,
    receiver: OtlpReceiver,
    mcp: McpTestServer,
    tmp_path: Path,
) -> None:
    config = stub_config(scripted.base_url, mcp_servers=[{"name": "calc", "url": mcp.url}])
    async with running_app(config, tmp_path, _env(receiver)) as app:
        shown = (await app.client.get("/v1/config")).json()["configuration"]["observability"]
        reply = await app.client.post(
            "/v1/query?user_id=traced-user",
            json={"query": "[[tool:whoami {}]]"},  # a new conversation: topic summary too
            headers={"traceparent": TRACEPARENT},
        )
        assert reply.status_code == 200, reply.text
        body = reply.json()
        history = await app.client.get(
            f"/v1/conversations/{body['conversation_id']}?user_id=traced-user",
            headers={"traceparent": TRACEPARENT},
        )
        assert history.status_code == 200, history.text
    # the lifespan's end flushed the spans to the receiver
    assert shown["otel"]["OTEL_EXPORTER_OTLP_ENDPOINT"] == receiver.endpoint
    assert shown["otel"]["OTEL_ANONYMIZATION_SECRET"] == "**********"
    assert shown["otel"]["OTEL_EXPORTER_OTLP_HEADERS"] == "**********"

    (root,) = receiver.named("query.handle_request")
    assert root.trace_id == CLIENT_TRACE
    assert root.parent_span_id == CLIENT_SPAN
    assert root.resource["service.name"] == "lsc-tracing-test"
    hashed = Anonymizer(SECRET)
    assert root.attributes["user.id"] == hashed("traced-user")
    assert root.attributes["request.input"] == hashed("[[tool:whoami {}]]")
    assert root.attributes["response.output"] == hashed(body["response"])
    assert root.attributes["session.id"] == body["conversation_id"]
    assert "turn.persisted" in root.events
    children = {
        name: receiver.named(name)[0]
        for name in ("shield.moderate", "rag.retrieve", "quota.check", "llm.inference")
    }
    for name, span in children.items():
        assert (span.trace_id, span.parent_span_id) == (CLIENT_TRACE, root.span_id), name
    inference = children["llm.inference"]
    assert inference.attributes["tool.calls.names"] == ["whoami"]
    (topic,) = receiver.named("topic.summary")
    assert (topic.trace_id, topic.parent_span_id) == (CLIENT_TRACE, root.span_id)
    (listing,) = receiver.named("conversations_v1.get")
    assert (listing.trace_id, listing.parent_span_id) == (CLIENT_TRACE, CLIENT_SPAN)
    # OGX called the MCP server with the llm.inference span as parent
    assert whoami(body)["traceparent"] == f"00-{CLIENT_TRACE}-{inference.span_id}-01"


async def test_off_by_default_nothing_is_exported(
    scripted: BackgroundServer, receiver: OtlpReceiver, tmp_path: Path
) -> None:
    async with running_app(stub_config(scripted.base_url), tmp_path) as app:
        assert not app.services.tracer.enabled
        shown = (await app.client.get("/v1/config")).json()["configuration"]["observability"]
        reply = await app.client.post(
            "/v1/query", json=quiet("hello"), headers={"traceparent": TRACEPARENT}
        )
        assert reply.status_code == 200
    assert receiver.spans == []
    assert "OTEL_EXPORTER_OTLP_ENDPOINT" not in shown["otel"]


async def test_server_mode_sends_the_traceparent_to_ogx() -> None:
    seen: list[dict[str, str]] = []

    async def responses(request: Request) -> JSONResponse:
        seen.append(dict(request.headers))
        return JSONResponse({"error": {"message": "stand-in"}}, status_code=400)

    ogx = ThreadServer(
        Starlette(routes=[Route("/v1/responses", responses, methods=["POST"])]), "ogx"
    )
    ogx.start()
    backend = ServerBackend(ogx.origin, None, timeout=5.0)
    await backend.start()
    try:
        plain = ResponseRequest("m", [{"role": "user", "content": "hi"}])
        request = traced_request(plain, {"traceparent": TRACEPARENT})
        with pytest.raises(LightspeedError):  # the stand-in refuses; only the headers matter
            _ = [event async for event in backend.respond(request)]
    finally:
        await backend.close()
        ogx.stop()
    assert seen
    assert {headers["traceparent"] for headers in seen} == {TRACEPARENT}
