"""A real MCP server for tests, on 127.0.0.1 in a background thread.

Built with the ``mcp`` package (``MCPServer``): streamable HTTP at ``/mcp`` and SSE at ``/sse``
(messages under ``/messages/``). An outer ASGI layer records the method, path and headers of
every HTTP request it receives, optionally waits (a "slow" server), and checks the bearer
token: a request without an accepted ``Authorization: Bearer <token>`` gets 401 with
``WWW-Authenticate: Bearer resource_metadata="<base>/.well-known/oauth-protected-resource"``.

Tools (names prefixed with ``prefix``, so several servers can be offered to one model call —
OGX refuses two servers exposing the same tool name):

* ``whoami`` - the request headers the tool call arrived with, as sorted JSON;
* ``add(a, b)`` - the sum;
* ``big(size)`` - a string of ``size`` characters (tool-output bounds).
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

import anyio
import uvicorn
from mcp.server.mcpserver import Context, MCPServer

from lightspeed_core.log import preserved_logging

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_TOKEN = "mcp-secret"


@dataclass(frozen=True)
class Received:
    """One HTTP request the server saw (header names lower-cased)."""

    method: str
    path: str
    headers: dict[str, str]


@dataclass
class ServerOptions:
    """How the test server behaves."""

    tokens: frozenset[str] | None = frozenset({DEFAULT_TOKEN})  # None = no auth required
    prefix: str = ""
    delay: float = 0.0  # seconds before answering a request whose method is in delay_methods
    delay_methods: frozenset[str] = frozenset({"GET", "POST"})
    www_authenticate: bool = True
    not_mcp: bool = False  # answer every request 200 with an HTML page (a server that is no MCP)


def _build_mcp(prefix: str) -> MCPServer:
    with preserved_logging():  # MCPServer() calls logging.basicConfig
        server = MCPServer(f"{prefix or 'test'}-mcp", log_level="WARNING")

    async def whoami(ctx: Context) -> str:
        """Return the HTTP headers this tool call was sent with."""
        headers = {k.lower(): v for k, v in (ctx.headers or {}).items()}
        return json.dumps(dict(sorted(headers.items())))

    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    def big(size: int) -> str:
        """Return a string of ``size`` characters."""
        return "x" * size

    server.add_tool(whoami, name=f"{prefix}whoami")
    server.add_tool(add, name=f"{prefix}add")
    server.add_tool(big, name=f"{prefix}big")
    return server


class McpTestServer:
    """The server plus its request log; ``start()`` / ``stop()`` (or use as a context)."""

    def __init__(self, options: ServerOptions | None = None, port: int = 0) -> None:
        self.options = options or ServerOptions()
        self.received: list[Received] = []
        mcp = _build_mcp(self.options.prefix)
        self._http = mcp.streamable_http_app(stateless_http=True)
        self._sse = mcp.sse_app()
        config = uvicorn.Config(
            self._app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
            interface="asgi3",
            access_log=False,
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True, name="mcp-test")

    # --- addresses -------------------------------------------------------------------
    @property
    def port(self) -> int:
        return int(self._server.servers[0].sockets[0].getsockname()[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The streamable HTTP endpoint."""
        return f"{self.base_url}/mcp"

    @property
    def sse_url(self) -> str:
        return f"{self.base_url}/sse"

    def tool(self, name: str) -> str:
        return f"{self.options.prefix}{name}"

    # --- what was received -------------------------------------------------------------
    def tool_call_headers(self) -> list[dict[str, str]]:
        """Headers of every POST (MCP messages: initialize, tools/list, tools/call ...)."""
        return [r.headers for r in self.received if r.method == "POST"]

    def clear(self) -> None:
        self.received.clear()

    # --- the ASGI layer ----------------------------------------------------------------
    async def _app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._http(scope, receive, send)  # lifespan: runs the session manager
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.received.append(Received(scope["method"], scope["path"], headers))
        if self.options.delay and scope["method"] in self.options.delay_methods:
            await anyio.sleep(self.options.delay)  # cancelled by the shutdown of stop()
        if self.options.not_mcp:
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"text/html")],
                }
            )
            await send({"type": "http.response.body", "body": b"<html>not an MCP server</html>"})
            return
        if not self._authorized(headers):
            await self._unauthorized(send)
            return
        path: str = scope["path"]
        target = self._sse if path.startswith(("/sse", "/messages")) else self._http
        await target(scope, receive, send)

    def _authorized(self, headers: dict[str, str]) -> bool:
        tokens = self.options.tokens
        if tokens is None:
            return True
        scheme, _, token = headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and token in tokens

    async def _unauthorized(self, send: Send) -> None:
        raw_headers = [(b"content-type", b"application/json")]
        if self.options.www_authenticate:
            metadata = f"{self.base_url}/.well-known/oauth-protected-resource"
            value = f'Bearer resource_metadata="{metadata}"'
            raw_headers.append((b"www-authenticate", value.encode()))
        await send({"type": "http.response.start", "status": 401, "headers": raw_headers})
        await send({"type": "http.response.body", "body": b'{"error": "unauthorized"}'})

    # --- lifecycle -----------------------------------------------------------------------
    def start(self) -> McpTestServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("MCP test server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)

    def __enter__(self) -> McpTestServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def main() -> None:
    """Serve in the foreground (for docs/mcp.md): ``python -m tests.support.mcp_server``."""
    parser = argparse.ArgumentParser(description="MCP test server (whoami, add, big)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--token", help="bearer token to require (default: none)")
    parser.add_argument("--prefix", default="", help="prefix of the tool names")
    args = parser.parse_args()
    tokens = frozenset({args.token}) if args.token else None
    options = ServerOptions(tokens=tokens, prefix=args.prefix)
    server = McpTestServer(options, port=args.port).start()
    print(f"MCP server: {server.url} (streamable HTTP), {server.sse_url} (SSE)")  # noqa: T201
    try:
        server._thread.join()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
