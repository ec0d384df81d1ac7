from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request


def request(headers: Mapping[str, str] | None = None, query: str = "") -> Request:
    """A bare HTTP request carrying ``headers`` (latin-1, as on the wire)."""
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    return Request(
        {
            "type": "http",
            "method": "GET",
            "path": "/",
            "headers": raw,
            "query_string": query.encode(),
        }
    )
