"""A local stand-in for a Sentry server: receives and decodes envelopes."""

from __future__ import annotations

import gzip
import json
import zlib
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


class EnvelopeReceiver:
    """``POST /api/<project>/envelope/``: ``items`` holds ``(type, payload)`` of every item."""

    def __init__(self) -> None:
        self.items: list[tuple[str, Any]] = []
        self.auth_headers: list[str] = []
        self.app = Starlette(
            routes=[Route("/api/{project}/envelope/", self._envelope, methods=["POST"])]
        )

    async def _envelope(self, request: Request) -> Response:
        body = await request.body()
        encoding = request.headers.get("content-encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli  # type: ignore[import-not-found, unused-ignore]

            body = brotli.decompress(body)
        self.auth_headers.append(request.headers.get("x-sentry-auth", ""))
        self.items.extend(parse_envelope(body))
        return JSONResponse({})

    def of_type(self, kind: str) -> list[Any]:
        return [payload for item_type, payload in self.items if item_type == kind]


def parse_envelope(body: bytes) -> list[tuple[str, Any]]:
    """The items of one envelope: a header line, then item header and payload pairs."""
    _, _, rest = body.partition(b"\n")
    items: list[tuple[str, Any]] = []
    while rest.strip():
        header_line, _, rest = rest.partition(b"\n")
        if not header_line.strip():
            continue
        header = json.loads(header_line)
        length = header.get("length")
        if length is None:
            payload, _, rest = rest.partition(b"\n")
        else:
            payload, rest = rest[:length], rest[length + 1 :]
        try:
            items.append((header.get("type", ""), json.loads(payload)))
        except ValueError:
            items.append((header.get("type", ""), payload))
    return items
