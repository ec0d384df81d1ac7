"""The identity every authentication module produces, and the module Protocol.

Every module turns a request into one frozen :class:`Principal` (named fields, never a
positional tuple) or raises a domain error (``UnauthorizedError`` 401, ``ForbiddenError`` 403,
``BackendUnavailableError`` 503, ``InternalError`` 500, or ``PlainDetailError`` for the
reference's bare ``{"detail": "<string>"}`` answers). Routes receive the principal through
``lightspeed_core.api.deps`` only; nothing else reads identity headers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from starlette.requests import HTTPConnection

ANONYMOUS_USER_ID = "00000000-0000-0000-0000-000"
ANONYMOUS_USERNAME = "lightspeed-user"
EVERYONE = "*"


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller.

    Attributes:
        user_id: stable identifier; owner of conversations, quota subject.
        username: human-readable name.
        roles: RBAC roles; always contains ``*`` (everyone).
        token: the credential that may be forwarded downstream (MCP ``kubernetes`` headers);
            ``""`` when the module forwards nothing. Never logged, never in ``repr``.
        skip_userid_check: user IDs are not UUIDs (noop, api-key, trusted-proxy).
        org_id: organisation (rh-identity), used for quota subjects.
        system_id: system CN (rh-identity ``System`` identities).
    """

    user_id: str
    username: str
    roles: frozenset[str] = frozenset({EVERYONE})
    token: str = field(default="", repr=False)
    skip_userid_check: bool = False
    org_id: str | None = None
    system_id: str | None = None


ANONYMOUS = Principal(ANONYMOUS_USER_ID, ANONYMOUS_USERNAME, skip_userid_check=True)


class AuthBackend(Protocol):
    """An authentication module."""

    name: str

    async def authenticate(self, conn: HTTPConnection) -> Principal:
        """Return the caller, or raise a domain error (401/403/400/500/503)."""
        ...

    def has_credentials(self, conn: HTTPConnection) -> bool:
        """Whether the request carries this module's credential header at all."""
        ...

    async def aclose(self) -> None:
        """Release connections (HTTP clients); called once at shutdown."""
        ...
