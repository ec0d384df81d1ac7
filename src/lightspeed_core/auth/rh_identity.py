"""``rh-identity``: the Red Hat console's ``x-rh-identity`` header (base64 of a JSON document).

Identity types and what they map to (user_id / username):

* ``User``: ``identity.user.user_id`` / ``identity.user.username``;
* ``System``: ``identity.system.cn`` / ``identity.account_number``, else the CN;
* ``ServiceAccount``: ``identity.service_account.client_id`` /
  ``identity.service_account.username``.

``identity.org_id`` becomes :attr:`Principal.org_id` (required for ``System``), the system CN
:attr:`Principal.system_id`. Every string used must be non-empty, at most 256 characters and
free of control characters. Failures answer ``{"detail": "<text>"}``: no header → 401
``Missing x-rh-identity header``; header longer than ``max_header_size`` → 400
``x-rh-identity header is too large`` (checked before decoding); broken base64, JSON or
structure → 400 ``Invalid identity data``; a ``required_entitlements`` service without
``entitlements.<service>.is_entitled: true`` → 403 ``Insufficient entitlements``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.requests import HTTPConnection

from lightspeed_core.auth.base import Principal
from lightspeed_core.config.models.auth import RHIdentityConfiguration
from lightspeed_core.errors import PlainDetailError

__all__ = ["HEADER", "MAX_FIELD_LENGTH", "RHIdentityAuth", "check_entitlements", "parse_identity"]

HEADER = "x-rh-identity"
MAX_FIELD_LENGTH = 256
INVALID = "Invalid identity data"


def _invalid() -> PlainDetailError:
    return PlainDetailError(400, INVALID)


def _mapping(node: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = node.get(key)
    if not isinstance(value, dict):
        raise _invalid()
    return value


def _optional(node: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    if node.get(key) is None and not required:
        return None
    return _text(node, key)


def _text(node: Mapping[str, Any], key: str) -> str:
    value = node.get(key)
    if (
        not isinstance(value, str)
        or not value
        or len(value) > MAX_FIELD_LENGTH
        or any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value)
    ):
        raise _invalid()
    return value


def decode_document(header: str, max_size: int) -> dict[str, Any]:
    """The JSON document inside the header (size checked before decoding)."""
    if len(header) > max_size:
        raise PlainDetailError(400, "x-rh-identity header is too large")
    try:
        document = json.loads(base64.b64decode(header.strip(), validate=True))
    except (binascii.Error, ValueError, RecursionError) as exc:
        raise _invalid() from exc
    if not isinstance(document, dict):
        raise _invalid()
    return document


def parse_identity(document: Mapping[str, Any]) -> Principal:
    """The caller described by a decoded identity document."""
    identity = _mapping(document, "identity")
    kind = identity.get("type")
    org_id = _optional(identity, "org_id", required=kind == "System")
    match kind:
        case "User":
            user = _mapping(identity, "user")
            user_id, username = _text(user, "user_id"), _text(user, "username")
            system_id = None
        case "System":
            system = _mapping(identity, "system")
            user_id = system_id = _text(system, "cn")
            username = _optional(identity, "account_number") or user_id
        case "ServiceAccount":
            account = _mapping(identity, "service_account")
            user_id, username = _text(account, "client_id"), _text(account, "username")
            system_id = None
        case _:
            raise _invalid()
    return Principal(user_id, username, org_id=org_id, system_id=system_id)


def check_entitlements(document: Mapping[str, Any], required: Sequence[str]) -> None:
    """403 ``Insufficient entitlements`` unless every required service is entitled."""
    entitlements = document.get("entitlements")
    for service in required:
        entry = entitlements.get(service) if isinstance(entitlements, dict) else None
        if not isinstance(entry, dict) or entry.get("is_entitled") is not True:
            raise PlainDetailError(403, "Insufficient entitlements")


class RHIdentityAuth:
    """Trusts the ``x-rh-identity`` header set by the console's gateway."""

    name = "rh-identity"

    def __init__(self, config: RHIdentityConfiguration) -> None:
        self._max_size = config.max_header_size
        self._required = tuple(config.required_entitlements or ())

    async def authenticate(self, conn: HTTPConnection) -> Principal:
        header = conn.headers.get(HEADER)
        if header is None:
            raise PlainDetailError(401, "Missing x-rh-identity header")
        document = decode_document(header, self._max_size)
        principal = parse_identity(document)
        check_entitlements(document, self._required)
        return principal

    def has_credentials(self, conn: HTTPConnection) -> bool:
        return HEADER in conn.headers

    async def aclose(self) -> None:
        return None
