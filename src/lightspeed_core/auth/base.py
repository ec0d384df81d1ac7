"""The identity every authentication module produces, and the module Protocol."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from starlette.requests import HTTPConnection

ANONYMOUS_USER_ID = "00000000-0000-0000-0000-000"
ANONYMOUS_USERNAME = "lightspeed-user"
EVERYONE = "*"


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller. ``token`` is what may be forwarded (never logged)."""

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
        """Return the caller, or raise ``UnauthorizedError`` / ``ForbiddenError`` ..."""
        ...

    def has_credentials(self, conn: HTTPConnection) -> bool:
        """Whether the request carries this module's credential header at all."""
        ...
