"""Helpers for the MCP integration tests: real MCP servers, what they and the LLM received."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.mcp_server import McpTestServer, ServerOptions


@contextlib.contextmanager
def mcp_servers(*options: ServerOptions) -> Iterator[list[McpTestServer]]:
    """Start one MCP test server per ``options`` on 127.0.0.1; stop them afterwards."""
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(McpTestServer(o)) for o in options]


def whoami(body: dict[str, Any], index: int = 0) -> dict[str, str]:
    """The headers a ``whoami`` tool call arrived with, from a ``QueryResponse``."""
    result: dict[str, str] = json.loads(body["tool_results"][index]["content"])
    return result


def offered_tools(scripted: BackgroundServer) -> set[str]:
    """Names of the tools OGX offered the model in the last chat request."""
    last = scripted.backend.requests[-1]
    return {tool["function"]["name"] for tool in last.get("tools") or []}


def quiet(query: str, **extra: Any) -> dict[str, Any]:
    """A query body without a background topic-summary call."""
    return {"query": query, "generate_topic_summary": False, **extra}
