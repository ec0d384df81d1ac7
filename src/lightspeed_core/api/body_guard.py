r"""Pure-ASGI guard over request bodies: size, read timeout, characters no database stores.

Runs before routing and parsing, for every HTTP request:

* **Size.** A body over ``service.max_request_body_bytes`` is answered 413 ``Request body
  too large``: at once when ``Content-Length`` says so (nothing is read), else as soon as
  the bytes received pass the limit (chunked bodies too). ``multipart/form-data`` bodies
  (file uploads) have the upload limit instead and stream through to the route; past it
  they get 413 ``File too large``.
* **Time.** When no part of a body arrives for ``service.request_body_timeout`` seconds
  (say a client announced more bytes than it sends), the request is answered 408.
* **Characters.** Other bodies are small by the limit, so they are read whole here. A JSON
  string holding NUL (``\u0000``) or an unpaired UTF-16 surrogate (``\ud800``) is
  answered 422: PostgreSQL cannot store NUL in text and no engine can encode a lone
  surrogate, so without this check such input failed late (after quota was charged) with
  500. A NUL in the path or the query string is answered 422 as well. These 422s have
  FastAPI's list shape (``{"detail": [{"type": "invalid_characters", "loc": ["body"],
  ...}]}``), as every request-schema error and as the OpenAPI document declares.

The 413 and 408 bodies have the contract's two-part shape (``{"detail": {"response",
"cause"}}``). On JSON-RPC paths (``/a2a``) a body too large or with such characters is a
JSON-RPC error instead (HTTP 200, ``-32600``, "Payload too large" as the a2a-sdk says), which
is what A2A clients parse.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lightspeed_core.api.errors import error_response
from lightspeed_core.errors import (
    LightspeedError,
    PayloadTooLargeError,
    RequestTimeoutError,
)

_SUSPICIOUS = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
"""An escape that may decode to NUL or to a surrogate (confirmed by a full parse)."""
_BAD_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> bool:
    """Does ``text`` hold NUL or an unpaired surrogate (which no database stores)?"""
    return _BAD_CHARACTERS.search(text) is not None


class _Rejected(Exception):
    """Raised from the wrapped ``receive`` of a streamed (multipart) body."""

    def __init__(self, error: LightspeedError) -> None:
        super().__init__(error.cause)
        self.error = error


def too_large(limit: int) -> PayloadTooLargeError:
    """The 413 for a body over ``limit`` bytes."""
    return PayloadTooLargeError(
        "Request body too large",
        f"The request body exceeds the maximum of {limit} bytes.",
    )


def upload_too_large(limit: int) -> PayloadTooLargeError:
    """The 413 for an upload over ``limit`` bytes (the words of ``/v1/files``)."""
    return PayloadTooLargeError(
        "File too large",
        f"The upload exceeds the maximum allowed size of {limit} bytes "
        f"({limit // (1024 * 1024)} MB).",
    )


def body_timeout(seconds: float) -> RequestTimeoutError:
    """The 408 for a body that stopped arriving."""
    return RequestTimeoutError(
        "Request timeout",
        f"No part of the request body arrived for {seconds:g} seconds.",
    )


INVALID_CHARACTERS = "invalid_characters"
"""The ``type`` of the 422 entry for NUL or an unpaired surrogate."""


def invalid_characters(where: str) -> JSONResponse:
    """The 422 for NUL or an unpaired surrogate in ``where`` (``body``, ``query``, ``path``).

    FastAPI's list shape, as for any other request-schema error (what the OpenAPI document
    declares for 422).
    """
    part = "request body" if where == "body" else f"URL {where}"
    entry = {
        "type": INVALID_CHARACTERS,
        "loc": [where],
        "msg": (
            f"The {part} contains a NUL character or an unpaired UTF-16 surrogate "
            "(such as \\u0000 or \\ud800), which cannot be stored."
        ),
        "input": None,
    }
    return JSONResponse({"detail": [entry]}, status_code=422)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def has_bad_json_strings(body: bytes) -> bool:
    """Does a JSON body hold a string with NUL or an unpaired surrogate?

    A byte scan decides for almost every body; only a body with a suspicious escape is
    parsed. Bodies that are not valid JSON are left to the route (its 422).
    """
    if _SUSPICIOUS.search(body) is None:
        return False
    try:
        parsed = json.loads(body)
    except ValueError:
        return False
    return any(unstorable(text) for text in _strings(parsed))


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


JSON_RPC_INVALID_REQUEST = -32600


def json_rpc_error(message: str) -> JSONResponse:
    """A JSON-RPC 2.0 error without an id (the call was never parsed)."""
    error = {"code": JSON_RPC_INVALID_REQUEST, "message": message}
    return JSONResponse({"jsonrpc": "2.0", "id": None, "error": error})


def _route_path(scope: Scope) -> str:
    path: str = scope.get("path", "")
    root = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


class BodyGuardMiddleware:
    """Size limit, read timeout and character checks for request bodies (module docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        upload_limit: int,
        timeout: float,
        json_rpc_paths: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit
        self.timeout = timeout
        self.json_rpc_paths = json_rpc_paths

    def _too_large(self, scope: Scope, limit: int, *, upload: bool) -> JSONResponse:
        if _route_path(scope) in self.json_rpc_paths:
            return json_rpc_error("Payload too large")
        return error_response(upload_too_large(limit) if upload else too_large(limit))

    def _bad_characters(self, scope: Scope) -> JSONResponse:
        if _route_path(scope) in self.json_rpc_paths:
            return json_rpc_error("Invalid characters in request: NUL or unpaired surrogate")
        return invalid_characters("body")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope.get("path", ""):
            await invalid_characters("path")(scope, receive, send)
            return
        if b"%00" in scope.get("query_string", b""):
            await invalid_characters("query")(scope, receive, send)
            return
        length = _header(scope, b"content-length")
        chunked = _header(scope, b"transfer-encoding") is not None
        if length is None and not chunked:  # no body at all
            await self.app(scope, receive, send)
            return
        content_type = (_header(scope, b"content-type") or "").lower()
        multipart = content_type.startswith("multipart/")
        limit = self.upload_limit if multipart else self.limit
        if length is not None and length.strip().isdigit() and int(length) > limit:
            await self._too_large(scope, limit, upload=multipart)(scope, receive, send)
            return
        if multipart:
            await self._stream(scope, receive, send)
        else:
            await self._buffer(
                scope, receive, send, json_body="json" in content_type or not content_type
            )

    async def _next(self, receive: Receive) -> Message:
        async with asyncio.timeout(self.timeout):
            return await receive()

    async def _buffer(self, scope: Scope, receive: Receive, send: Send, *, json_body: bool) -> None:
        body = bytearray()
        while True:
            try:
                message = await self._next(receive)
            except TimeoutError:
                await error_response(body_timeout(self.timeout))(scope, receive, send)
                return
            if message["type"] != "http.request":
                return  # the client went away: nobody to answer
            body += message.get("body", b"")
            if len(body) > self.limit:
                await self._too_large(scope, self.limit, upload=False)(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        if json_body and has_bad_json_strings(bytes(body)):
            await self._bad_characters(scope)(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()  # after the body: wait for the disconnect
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)

    async def _stream(self, scope: Scope, receive: Receive, send: Send) -> None:
        received = 0
        complete = False
        rejected: LightspeedError | None = None
        started = False

        async def counted() -> Message:
            nonlocal received, complete, rejected
            if complete:
                return await receive()
            try:
                message = await self._next(receive)
            except TimeoutError:
                rejected = body_timeout(self.timeout)
                raise _Rejected(rejected) from None
            received += len(message.get("body", b""))
            if received > self.upload_limit:
                rejected = upload_too_large(self.upload_limit)
                raise _Rejected(rejected)
            complete = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if rejected is not None and not started:
                return  # the route's answer to the failed read is replaced below
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, guarded_send)
        except _Rejected:
            if started:
                raise
        if rejected is not None and not started:
            await error_response(rejected)(scope, receive, send)
