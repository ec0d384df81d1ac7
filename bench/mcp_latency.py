"""Added latency of an MCP tool round trip on ``/v1/query`` (issue #6's closing note).

``uv run --no-sync python -m bench.mcp_latency [--n 50]`` starts the scripted backend, a real
MCP server (``tests/support/mcp_server.py``: streamable HTTP, bearer token) and two services
(one worker each, library mode): one without MCP servers and one with the MCP server
configured (token from a secret file). Three kinds of request are timed, interleaved round
by round so machine load hits all alike:

* ``plain``: a plain question to the service without MCP servers (the baseline);
* ``mcp offered``: the same question to the service with the MCP server - OGX opens an MCP
  session and lists the server's tools on every call; our OAuth probe is cached;
* ``mcp tool call``: a question whose model answer calls the ``add`` tool - tool listing,
  the tool call, and the second model round that reads the result.

It prints median/p95 per kind and the median added over ``plain``.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path
from typing import Any

import httpx
from tests.support.mcp_server import McpTestServer, ServerOptions

from bench.measure import Call, add_difference, interleaved, interleaved_arguments
from bench.processes import service_config, start_variants, stopping
from lightspeed_core.testing.scripted_backend import BackgroundServer

PLAIN = {"query": "Say hello", "generate_topic_summary": False}
TOOL = {"query": '[[tool:add {"a": 1, "b": 2}]]', "generate_topic_summary": False}
CREDENTIAL = "bench-credential"


def config(folder: Path, backend: str, port: int, mcp: list[dict[str, Any]]) -> Path:
    return service_config(folder, backend, port, name="mcp latency", mcp_servers=mcp)


def check_tool_result(reply: httpx.Response) -> None:
    reply.raise_for_status()
    assert reply.json()["tool_results"][0]["content"] == "3", reply.text


async def main() -> None:
    args = interleaved_arguments(__doc__, 50, 10)
    backend = BackgroundServer().start()
    mcp = McpTestServer(ServerOptions(tokens=frozenset({CREDENTIAL}))).start()
    with tempfile.TemporaryDirectory(prefix="mcp-bench-") as tmp, stopping() as processes:
        root = Path(tmp)
        (root / "token").write_text(CREDENTIAL)
        server = {
            "name": "calc",
            "url": mcp.url,
            "authorization_headers": {"Authorization": str(root / "token")},
        }
        try:

            def write(folder: Path, port: int, servers: list[dict[str, Any]]) -> Path:
                return config(folder, backend.base_url, port, servers)

            variants = {"plain": [], "mcp": [server]}
            bases = start_variants(processes, root, write, variants)
            kinds = {
                "plain": Call(bases["plain"], PLAIN),
                "mcp offered": Call(bases["mcp"], PLAIN),
                "mcp tool call": Call(bases["mcp"], TOOL, check=check_tool_result),
            }
            results = await interleaved(kinds, args.n, args.warmup)
        finally:
            mcp.stop()
            backend.stop()
    add_difference(results, "plain", "median_added_ms")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
