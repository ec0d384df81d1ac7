"""Per-request MCP headers: ``MCP-HEADERS`` parsing, secret files and the merge order.

For one server, headers are merged from four sources, highest priority first (contract §9),
names compared case-insensitively:

1. the client's ``MCP-HEADERS`` entry for the server (keyed by server name, or by its URL);
2. secrets read from files named in ``authorization_headers``;
3. the keyword ``kubernetes``: ``Authorization: Bearer <caller's token>``;
4. incoming request headers listed in ``headers`` (propagated as they are).

A client may set, for a server, only ``Authorization``, the names of the server's
``authorization_headers`` and of its ``client_headers``; never a hop-by-hop, framing or
routing header (``Host``, ``Content-Length`` ...), and only values of visible Latin-1
characters (:mod:`lightspeed_core.vocabulary.http_headers`). Anything else in its entry
is refused with 400 ``Invalid MCP-HEADERS`` naming the server and the header (never the
value). The forwarded ``headers`` are not client-settable: they repeat what the request
itself carries (an ``x-rh-identity`` that authenticated the caller, say).

The keywords ``client`` and ``oauth`` contribute nothing themselves: their value must come
from ``MCP-HEADERS``. A header of ``authorization_headers`` that ends up without a value
makes the server *unresolved* for the request (it is skipped, and the log says why) -
except ``oauth``, where the missing token is the OAuth probe's business.

An ``Authorization`` value may be ``Bearer <token>`` or the bare token; it is normalised to
``Bearer <token>``, which is what OGX sends (OGX cannot forward other schemes, so a server
whose Authorization uses one is skipped).

Secret files are read at start and re-read when their modification time or size changes
(one ``stat`` per use, a few microseconds), so rotated secrets are picked up without a
restart. Header *values* are never logged.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lightspeed_core.errors import BadRequestError
from lightspeed_core.mcp.base import CLIENT, KEYWORDS, KUBERNETES, OAUTH, McpServerSpec
from lightspeed_core.vocabulary.http_headers import is_reserved, valid_name, valid_value

log = logging.getLogger(__name__)

MCP_HEADERS = "mcp-headers"
ClientHeaders = dict[str, dict[str, str]]


def parse_client_headers(raw: str | None) -> ClientHeaders:
    """The ``MCP-HEADERS`` request header: ``{"<server name or url>": {header: value}}``.

    Invalid JSON, a non-object, or non-string values are ignored (and logged without values).
    """
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        log.warning("ignoring the MCP-HEADERS request header: not valid JSON")
        return {}
    if not isinstance(data, dict):
        log.warning("ignoring the MCP-HEADERS request header: not a JSON object")
        return {}
    parsed: ClientHeaders = {}
    for key, value in data.items():
        if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
            parsed[str(key)] = {str(k): v for k, v in value.items()}
        else:
            log.warning("ignoring MCP-HEADERS entry %r: not an object of strings", key)
    return parsed


@dataclass
class _SecretFile:
    value: str | None = None
    signature: tuple[int, int, int] | None = None


@dataclass
class SecretFiles:
    """Values of secret files, re-read when a file changes (rotation without restart)."""

    base_dir: Path
    _files: dict[Path, _SecretFile] = field(default_factory=dict)

    def path(self, name: str) -> Path:
        path = Path(name).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    def value(self, name: str) -> str | None:
        """The stripped content of the file, or ``None`` when missing, unreadable or empty."""
        path = self.path(name)
        entry = self._files.setdefault(path, _SecretFile())
        try:
            stat = path.stat()
        except OSError:
            entry.value, entry.signature = None, None
            return None
        signature = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        if signature != entry.signature:
            entry.signature = signature
            try:
                entry.value = path.read_text(encoding="utf-8").strip() or None
            except (OSError, UnicodeDecodeError):
                entry.value = None
        return entry.value


@dataclass(frozen=True, slots=True)
class Resolution:
    """A server's headers for one request; ``missing`` non-empty = skip the server."""

    server: McpServerSpec
    headers: dict[str, str]
    missing: tuple[str, ...] = ()
    needs_oauth: bool = False

    @property
    def resolved(self) -> bool:
        return not self.missing


class _Merged:
    """Headers with case-insensitive names; later ``set`` calls win."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[str, str]] = {}

    def set(self, name: str, value: str) -> None:
        self._items[name.lower()] = (name, value)

    def normalize_authorization(self) -> None:
        """A bare token becomes ``Bearer <token>`` (what OGX will send); other schemes stay."""
        name, value = self._items.get("authorization", ("", ""))
        token = bearer_token(value) if name else None
        if token is not None:
            self._items["authorization"] = (name, f"Bearer {token}")

    def has(self, name: str) -> bool:
        return name.lower() in self._items

    def as_dict(self) -> dict[str, str]:
        return dict(self._items.values())


def client_entry(server: McpServerSpec, client: ClientHeaders) -> dict[str, str]:
    """The ``MCP-HEADERS`` entry for ``server`` (by name, else by URL), checked.

    Raises ``BadRequestError`` for a name the client may not set or an invalid value.
    """
    entry = client.get(server.name) or client.get(server.url) or {}
    allowed = server.client_settable()
    for name, value in entry.items():
        if not valid_name(name) or is_reserved(name):
            raise invalid_mcp_headers(server, f"'{name}' cannot be sent to an MCP server.")
        if name.lower() not in allowed:
            names = ", ".join(sorted(allowed))
            raise invalid_mcp_headers(
                server, f"'{name}' may not be set by the client (allowed: {names})."
            )
        if not valid_value(value):
            raise invalid_mcp_headers(
                server,
                f"the value of '{name}' must be visible Latin-1 characters without control "
                "characters, at most 8192 of them.",
            )
    return entry


def invalid_mcp_headers(server: McpServerSpec, reason: str) -> BadRequestError:
    """The 400 for a client's ``MCP-HEADERS`` entry (names the header, never its value)."""
    return BadRequestError("Invalid MCP-HEADERS", f"MCP server '{server.name}': {reason}")


def resolve_headers(
    server: McpServerSpec,
    *,
    client: ClientHeaders,
    secrets: SecretFiles,
    caller_token: str,
    incoming: Mapping[str, str],
) -> Resolution:
    """Merge the four header sources for ``server`` (lowest priority applied first)."""
    merged = _Merged()
    lowered = {k.lower(): v for k, v in incoming.items()}
    for name in server.headers:  # 4. propagated request headers
        if name.lower() in lowered:
            merged.set(name, lowered[name.lower()])
    for name, source in server.authorization_headers.items():
        if source == KUBERNETES and caller_token:  # 3. the caller's token
            merged.set(name, f"Bearer {caller_token}")
    for name, source in server.authorization_headers.items():
        if source not in KEYWORDS and (secret := secrets.value(source)) is not None:
            merged.set(name, secret)  # 2. secret files
    for name, value in client_entry(server, client).items():  # 1. MCP-HEADERS
        merged.set(name, value)
    merged.normalize_authorization()
    missing = tuple(
        name
        for name, source in server.authorization_headers.items()
        if source != OAUTH and not merged.has(name)
    )
    needs_oauth = OAUTH in server.authorization_headers.values()
    return Resolution(server, merged.as_dict(), missing, needs_oauth)


def describe_missing(resolution: Resolution) -> str:
    """Why a server is skipped, naming headers and their sources but never values."""
    sources = resolution.server.authorization_headers
    reasons = []
    for name in resolution.missing:
        source = sources.get(name, "")
        if source == CLIENT:
            reasons.append(f"{name} (client value not supplied in MCP-HEADERS)")
        elif source == KUBERNETES:
            reasons.append(f"{name} (the caller has no token to forward)")
        else:
            reasons.append(f"{name} (secret file missing or empty)")
    return ", ".join(reasons)


def ogx_tool(resolution: Resolution) -> dict[str, Any] | None:
    """The Responses ``mcp`` tool for a resolved server (``None``: cannot be expressed).

    OGX refuses ``Authorization`` in ``headers``: the token goes in ``authorization``, to
    which OGX adds ``Bearer `` itself, so only bearer credentials (or bare tokens) can be
    forwarded.
    """
    server = resolution.server
    headers = dict(resolution.headers)
    authorization = None
    for name in list(headers):
        if name.lower() == "authorization":
            authorization = bearer_token(headers.pop(name))
            if authorization is None:
                return None
    tool: dict[str, Any] = {
        "type": "mcp",
        "server_label": server.name,
        "server_url": server.url,
        "require_approval": server.require_approval,
    }
    if headers:
        tool["headers"] = headers
    if authorization:
        tool["authorization"] = authorization
    return tool


def bearer_token(value: str) -> str | None:
    """``Bearer abc`` → ``abc``; a bare token stays; another scheme → ``None``."""
    scheme, _, rest = value.strip().partition(" ")
    if not rest:
        return scheme or None
    if scheme.lower() == "bearer":
        return rest.strip() or None
    return None
