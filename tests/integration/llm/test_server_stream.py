"""Server mode's reading of ``/v1/responses`` over HTTP, against a small local SSE server.

The stand-in answers like OGX on the wire (status codes, ``text/event-stream`` bodies) so the
byte-level cases real OGX does not produce on demand can be checked: events split across
network chunks (inside a multi-byte character too), a stream cut off mid-event, error
statuses, an unreachable server. The end-to-end path against ``ogx run`` is covered by
``tests/integration/api/test_backend_modes.py``.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from lightspeed_core.errors import (
    BackendUnavailableError,
    InternalError,
    PromptTooLongError,
    QuotaExceededError,
)
from lightspeed_core.llm.base import ResponseRequest
from lightspeed_core.llm.events import Completed, LLMEvent, RawEvent, TextDelta
from lightspeed_core.llm.server import PROVIDER_DATA_HEADER, ServerBackend
from lightspeed_core.testing.receivers import ThreadServer
from tests.support.processes import free_port

TEXT = "Bonjour, ça va ? 👋"
DELTAS = [TEXT[:9], TEXT[9:]]
COMPLETED = {
    "type": "response.completed",
    "sequence_number": 3,
    "response": {
        "id": "resp_9",
        "status": "completed",
        "usage": {"input_tokens": 5, "output_tokens": 4},
    },
}


def sse(event: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode()


def deltas() -> bytes:
    return b"".join(
        sse({"type": "response.output_text.delta", "delta": d, "sequence_number": i})
        for i, d in enumerate(DELTAS)
    )


def in_chunks(payload: bytes, size: int) -> StreamingResponse:
    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(payload), size):
            yield payload[start : start + size]

    return StreamingResponse(chunks(), media_type="text/event-stream")


SEEN: list[dict[str, str]] = []
PORTS: list[int] = []


async def responses(request: Request) -> Response:
    body = await request.json()
    SEEN.append(dict(request.headers))
    PORTS.append(request.client.port if request.client else 0)
    model = body["model"]
    if model == "chunked":  # 5-byte chunks: lines, JSON and UTF-8 characters split
        return in_chunks(deltas() + sse(COMPLETED), 5)
    if model == "multiline":  # one event's JSON over several data lines
        lines = json.dumps(COMPLETED, indent=2).splitlines()
        return in_chunks(b"".join(f"data: {line}\n".encode() for line in lines) + b"\n", 64)
    if model == "truncated":  # the connection ends inside the last event
        return in_chunks(deltas() + sse(COMPLETED)[:40], 1000)
    if model == "lingering":  # the stream stays open after the terminal event

        async def lingering() -> AsyncIterator[bytes]:
            yield deltas() + sse(COMPLETED)
            await asyncio.sleep(3)
            yield sse({"type": "response.output_text.delta", "delta": "late"})

        return StreamingResponse(lingering(), media_type="text/event-stream")
    if model == "error-event":
        error = {"type": "error", "code": "rate_limit_exceeded", "message": "slow down"}
        return in_chunks(deltas() + sse(error), 1000)
    statuses = {
        "too-long": (400, "This model's maximum context length is 10 tokens"),
        "rate-limited": (429, "Rate limit reached"),
        "broken": (500, "upstream exploded"),
    }
    status, message = statuses[model]
    return JSONResponse({"error": {"message": message}}, status_code=status)


MODEL = {
    "id": "stub/stub-model",
    "object": "model",
    "custom_metadata": {"provider_id": "stub", "provider_resource_id": "stub-model"},
}
PROVIDER = {"api": "inference", "provider_id": "stub", "provider_type": "remote::openai"}
CHATS: list[tuple[dict[str, Any], dict[str, str]]] = []


async def version(request: Request) -> Response:
    SEEN.append(dict(request.headers))
    return JSONResponse({"version": "1.5.0"})


async def models(request: Request) -> Response:
    return JSONResponse({"data": [MODEL]})


async def providers(request: Request) -> Response:
    return JSONResponse({"data": [PROVIDER]})


async def chat(request: Request) -> Response:
    body = await request.json()
    CHATS.append((body, dict(request.headers)))
    if body["model"] == "broken":
        return JSONResponse({"error": {"message": "upstream exploded"}}, status_code=500)
    choice = {"index": 0, "message": {"role": "assistant", "content": "A topic"}}
    return JSONResponse({"id": "c1", "object": "chat.completion", "choices": [choice]})


@pytest.fixture(scope="module")
def ogx() -> Iterator[str]:
    routes = [
        Route("/v1/responses", responses, methods=["POST"]),
        Route("/v1/version", version),
        Route("/v1/models", models),
        Route("/v1/providers", providers),
        Route("/v1/chat/completions", chat, methods=["POST"]),
    ]
    server = ThreadServer(Starlette(routes=routes), "sse")
    server.start()
    try:
        yield server.origin
    finally:
        server.stop()


async def run(url: str, request: ResponseRequest) -> list[LLMEvent]:
    backend = ServerBackend(url, "secret", timeout=10.0)
    await backend.start()
    try:
        return [event async for event in backend.respond(request)]
    finally:
        await backend.close()


def ask(model: str, **extra: Any) -> ResponseRequest:
    return ResponseRequest(model, [{"role": "user", "content": "hi"}], **extra)


async def test_events_split_across_chunks(ogx: str) -> None:
    events = await run(ogx, ask("chunked"))
    assert events[:2] == [TextDelta(DELTAS[0]), TextDelta(DELTAS[1])]
    done = events[2]
    assert isinstance(done, Completed)
    assert (done.text, done.usage.input_tokens, done.usage.output_tokens) == (TEXT, 5, 4)
    assert done.response_id == "resp_9"


async def test_multi_line_data_and_raw_events(ogx: str) -> None:
    events = await run(ogx, ask("multiline", raw_events="all"))
    assert [type(e) for e in events] == [RawEvent, Completed]
    assert events[0] == RawEvent(COMPLETED)


async def test_truncated_stream_ends_without_completion(ogx: str) -> None:
    events = await run(ogx, ask("truncated"))
    assert events == [TextDelta(DELTAS[0]), TextDelta(DELTAS[1])]


async def test_a_stream_left_open_after_completion_still_ends_the_call(ogx: str) -> None:
    events = await run(ogx, ask("lingering"))
    assert events[:2] == [TextDelta(DELTAS[0]), TextDelta(DELTAS[1])]
    assert isinstance(events[2], Completed)
    assert len(events) == 3  # nothing after the terminal event, no error either


async def test_error_event_mid_stream(ogx: str) -> None:
    with pytest.raises(QuotaExceededError):
        await run(ogx, ask("error-event"))


@pytest.mark.parametrize(
    ("model", "error"),
    [
        ("too-long", PromptTooLongError),
        ("rate-limited", QuotaExceededError),
        ("broken", InternalError),
    ],
)
async def test_error_statuses_map_to_contract_errors(
    ogx: str, model: str, error: type[Exception]
) -> None:
    with pytest.raises(error) as caught:
        await run(ogx, ask(model))
    if model == "broken":
        assert "upstream exploded" in str(caught.value)


async def test_headers_sent_to_ogx(ogx: str) -> None:
    SEEN.clear()
    request = ask("chunked", provider_data={"k": "v"}, headers={"traceparent": "00-ab-cd-01"})
    await run(ogx, request)
    (headers,) = SEEN
    assert headers["traceparent"] == "00-ab-cd-01"
    assert json.loads(headers[PROVIDER_DATA_HEADER.lower()]) == {"k": "v"}
    assert headers["authorization"] == "Bearer secret"
    assert "x-ogx-client-version" in headers


async def test_unreachable_server_is_a_503() -> None:
    with pytest.raises(BackendUnavailableError) as caught:
        await run(f"http://127.0.0.1:{free_port()}", ask("chunked"))
    assert caught.value.cause == "Connection error."


async def test_one_connection_is_kept_across_calls(ogx: str) -> None:
    PORTS.clear()
    backend = ServerBackend(ogx, None, timeout=10.0)
    await backend.start()
    try:
        for _ in range(3):
            events = [event async for event in backend.respond(ask("chunked"))]
            assert isinstance(events[-1], Completed)
    finally:
        await backend.close()
    assert len(PORTS) == 3
    assert len(set(PORTS)) == 1  # the stream is read to its end, the connection reused


async def test_version_models_providers_and_a_completion_over_plain_http(ogx: str) -> None:
    SEEN.clear()
    CHATS.clear()
    backend = ServerBackend(ogx, "secret", timeout=10.0)
    await backend.start()
    try:
        assert await backend.version() == "1.5.0"
        (model,) = await backend.list_models()
        assert (model.identifier, model.provider_id, model.provider_resource_id) == (
            "stub/stub-model",
            "stub",
            "stub-model",
        )
        (provider,) = await backend.list_providers()
        assert (provider.api, provider.provider_id) == ("inference", "stub")
        request = ask("stub/stub-model", max_output_tokens=20, headers={"traceparent": "00-1"})
        assert await backend.complete(request) == "A topic"
        with pytest.raises(InternalError):
            await backend.complete(ask("broken"))
    finally:
        await backend.close()
    assert SEEN[0]["authorization"] == "Bearer secret"
    assert "x-ogx-client-version" in SEEN[0]
    body, headers = CHATS[0]
    assert body == {
        "model": "stub/stub-model",
        "messages": [{"role": "user", "content": "hi"}],
        "stream": False,
        "max_tokens": 20,
    }
    assert headers["traceparent"] == "00-1"
    assert headers["authorization"] == "Bearer secret"


NO_CLIENT = """
import asyncio, sys
from lightspeed_core.llm.base import ResponseRequest
from lightspeed_core.llm.server import ServerBackend

async def main(url):
    backend = ServerBackend(url, "secret", timeout=10.0)
    await backend.start()
    ask = ResponseRequest("chunked", [{"role": "user", "content": "hi"}])
    await backend.version()
    await backend.list_models()
    await backend.list_providers()
    await backend.complete(ResponseRequest("stub/stub-model", [{"role": "user", "content": "hi"}]))
    [event async for event in backend.respond(ask)]
    await backend.close()
    print("ogx_client" in sys.modules)

asyncio.run(main(sys.argv[1]))
"""


def test_what_every_request_needs_does_not_import_ogx_client(ogx: str) -> None:
    """``ogx_client`` costs 42.5 MB of RSS per worker: only the resource ports load it."""
    done = subprocess.run(
        [sys.executable, "-c", NO_CLIENT, ogx], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
