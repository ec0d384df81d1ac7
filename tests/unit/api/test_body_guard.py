"""The body guard: size limit (declared and counted), read timeout, NUL and lone surrogates."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

import pytest
from fastapi import FastAPI, Request
from starlette.types import Message

from lightspeed_core.api.body_guard import BodyGuardMiddleware, has_bad_json_strings

LIMIT = 1000
UPLOAD_LIMIT = 5000


def _inner() -> FastAPI:
    app = FastAPI()

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"received": len(await request.body())}

    @app.post("/form")
    async def form(request: Request) -> dict[str, int]:
        async with request.form() as data:
            return {"fields": len(data)}

    return app


def _guard(timeout: float = 5.0) -> BodyGuardMiddleware:
    return BodyGuardMiddleware(
        _inner(),
        limit=LIMIT,
        upload_limit=UPLOAD_LIMIT,
        timeout=timeout,
        json_rpc_paths=frozenset({"/rpc"}),
    )


async def _call(
    headers: dict[str, str],
    chunks: Sequence[bytes] | None,
    *,
    path: str = "/echo",
    query: bytes = b"",
    wait: float = 5.0,
) -> tuple[int, Any]:
    """Send ``chunks`` (``None``: announce a body and never send it); return status, JSON."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query,
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    parts = list(chunks or ())
    pending = [
        {"type": "http.request", "body": chunk, "more_body": i < len(parts) - 1}
        for i, chunk in enumerate(parts)
    ]
    never = asyncio.Event()

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        await never.wait()
        return {"type": "http.disconnect"}

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    await _guard(wait)(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, json.loads(body)


JSON = {"content-type": "application/json"}


async def test_small_bodies_pass_through() -> None:
    body = json.dumps({"query": "hello"}).encode()
    assert await _call({**JSON, "content-length": str(len(body))}, [body]) == (
        200,
        {"received": len(body)},
    )
    chunked = {**JSON, "transfer-encoding": "chunked"}
    assert await _call(chunked, [b'{"q":', b' "x"}']) == (200, {"received": 10})


async def test_declared_length_over_the_limit_is_refused_before_reading() -> None:
    status, body = await _call({**JSON, "content-length": str(LIMIT + 1)}, None)
    assert status == 413
    assert body == {
        "detail": {
            "response": "Request body too large",
            "cause": f"The request body exceeds the maximum of {LIMIT} bytes.",
        }
    }


async def test_chunked_body_is_counted_as_it_arrives() -> None:
    chunks = [b"a" * 400] * 3  # never completes: refused at the third chunk
    status, body = await _call({**JSON, "transfer-encoding": "chunked"}, [*chunks, b"x"])
    assert status == 413
    assert body["detail"]["response"] == "Request body too large"


async def test_a_body_shorter_than_announced_times_out() -> None:
    status, body = await _call({**JSON, "content-length": "100"}, None, wait=0.01)
    assert status == 408
    assert body["detail"]["response"] == "Request timeout"
    status, _ = await _call(
        {"content-type": "multipart/form-data; boundary=x", "content-length": "100"},
        None,
        path="/form",
        wait=0.01,
    )
    assert status == 408


def _multipart(size: int) -> bytes:
    return (
        b'--x\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\n'
        + b"a" * size
        + b"\r\n--x--\r\n"
    )


async def test_uploads_have_their_own_limit() -> None:
    form = {"content-type": "multipart/form-data; boundary=x"}
    upload = _multipart(3000)  # over the body limit, under the upload limit
    assert await _call({**form, "content-length": str(len(upload))}, [upload], path="/form") == (
        200,
        {"fields": 1},
    )
    status, body = await _call({**form, "content-length": str(UPLOAD_LIMIT + 1)}, None)
    assert (status, body["detail"]["response"]) == (413, "File too large")
    big = _multipart(UPLOAD_LIMIT)
    chunks = [big[i : i + 1000] for i in range(0, len(big), 1000)]
    status, body = await _call({**form, "transfer-encoding": "chunked"}, chunks, path="/form")
    assert (status, body["detail"]["response"]) == (413, "File too large")


@pytest.mark.parametrize(
    "text",
    [
        r'{"query": "a\u0000b"}',
        r'{"query": "\ud800"}',
        r'{"query": "x\uDC00"}',
        r'{"a": [{"b": "\ud83d"}]}',
        r'{"\u0000": 1}',
    ],
)
async def test_nul_and_lone_surrogates_are_422(text: str) -> None:
    assert has_bad_json_strings(text.encode())
    status, body = await _call({**JSON, "content-length": str(len(text))}, [text.encode()])
    assert status == 422
    (entry,) = body["detail"]
    assert (entry["type"], entry["loc"]) == ("invalid_characters", ["body"])
    assert "NUL character or an unpaired UTF-16 surrogate" in entry["msg"]


@pytest.mark.parametrize(
    "text",
    [
        r'{"query": "a pair \ud83d\ude00 is fine"}',
        r'{"query": "an escaped backslash \\u0000 is text"}',
        r'{"query": "\u00e9"}',
        "not json \\u0000",
    ],
)
def test_harmless_escapes_are_accepted(text: str) -> None:
    assert not has_bad_json_strings(text.encode())


async def test_nul_in_the_url_is_422() -> None:
    status, body = await _call({}, [b""], query=b"user_id=a%00b")
    assert status == 422
    assert body["detail"][0]["loc"] == ["query"]
    assert body["detail"][0]["msg"].startswith("The URL query contains a NUL character")


async def test_json_rpc_paths_get_json_rpc_errors() -> None:
    """A2A clients parse JSON-RPC errors (HTTP 200), as the a2a-sdk answers them."""
    big = {**JSON, "content-length": str(LIMIT + 1)}
    assert await _call(big, None, path="/rpc") == (
        200,
        {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "Payload too large"}},
    )
    text = rb'{"jsonrpc": "2.0", "id": 1, "method": "m", "params": {"q": "\u0000"}}'
    status, body = await _call({**JSON, "content-length": str(len(text))}, [text], path="/rpc")
    assert (status, body["error"]["code"]) == (200, -32600)
