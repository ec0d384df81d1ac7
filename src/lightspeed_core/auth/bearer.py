"""``Authorization: Bearer <token>`` extraction with the contract's failure texts."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from lightspeed_core.errors import UnauthorizedError


def has_authorization(conn: HTTPConnection) -> bool:
    return "authorization" in conn.headers


def bearer_token(conn: HTTPConnection) -> str:
    """The token, or 401 ``No Authorization header found`` / ``No token found ...``."""
    header = conn.headers.get("authorization")
    if header is None:
        raise UnauthorizedError("No Authorization header found")
    parts = header.split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        raise UnauthorizedError("No token found in Authorization header")
    return parts[1]
