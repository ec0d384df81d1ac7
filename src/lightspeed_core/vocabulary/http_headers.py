"""HTTP header names and values we may send on a client's behalf (MCP servers).

A client chooses some headers of the requests made to MCP servers (``MCP-HEADERS``). Names
that steer the connection or the message framing can never be chosen, whatever the
configuration says: ``Host`` would address another virtual host, ``Content-Length`` and
``Transfer-Encoding`` break the request, hop-by-hop headers (RFC 9110 §7.6.1) are the
connection's business. Names must be RFC 9110 tokens; values must be visible Latin-1
characters, spaces and tabs (no CR, LF, NUL or other control characters), and not longer
than :data:`MAX_VALUE_LENGTH`.
"""

from __future__ import annotations

import re

RESERVED: frozenset[str] = frozenset(
    {
        "host",
        "content-length",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "upgrade",
        "expect",
    }
)
"""Lower-case names nobody may set for a request to an MCP server."""

MAX_VALUE_LENGTH = 8192
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_VALUE = re.compile(r"[\t\x20-\x7e\x80-\xff]*")


def is_reserved(name: str) -> bool:
    """Is ``name`` a hop-by-hop, framing or routing header?"""
    return name.lower() in RESERVED


def valid_name(name: str) -> bool:
    """Is ``name`` an RFC 9110 token?"""
    return _TOKEN.fullmatch(name) is not None


def valid_value(value: str) -> bool:
    """Visible Latin-1, spaces and tabs only, at most :data:`MAX_VALUE_LENGTH` characters."""
    return len(value) <= MAX_VALUE_LENGTH and _VALUE.fullmatch(value) is not None
