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

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from tests.support.mcp_server import McpTestServer, ServerOptions

from bench.baseline import summary
from bench.processes import BIN, free_port, service_config, spawn, stop, wait_http
from lightspeed_core.testing.scripted_backend import BackgroundServer

PLAIN = {"query": "Say hello", "generate_topic_summary": False}
TOOL = {"query": '[[tool:add {"a": 1, "b": 2}]]', "generate_topic_summary": False}
CREDENTIAL = "bench-credential"


def config(folder: Path, backend: str, port: int, mcp: list[dict[str, Any]]) -> Path:
    return service_config(folder, backend, port, name="mcp latency", mcp_servers=mcp)


async def measure(
    kinds: dict[str, tuple[str, dict[str, Any]]], n: int, warmup: int
) -> dict[str, dict[str, float]]:
    bases = {base for base, _ in kinds.values()}
    clients = {base: httpx.AsyncClient(base_url=base, timeout=60) for base in bases}
    samples: dict[str, list[float]] = {name: [] for name in kinds}
    try:
        for round_number in range(warmup + n):
            for name, (base, body) in kinds.items():
                start = time.perf_counter()
                reply = await clients[base].post("/v1/query", json=body)
                elapsed = (time.perf_counter() - start) * 1000
                reply.raise_for_status()
                if name == "mcp tool call":
                    assert reply.json()["tool_results"][0]["content"] == "3", reply.text
                if round_number >= warmup:
                    samples[name].append(elapsed)
    finally:
        for client in clients.values():
            await client.aclose()
    return {name: summary(values) for name, values in samples.items()}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args()
    backend = BackgroundServer().start()
    mcp = McpTestServer(ServerOptions(tokens=frozenset({CREDENTIAL}))).start()
    processes = []
    with tempfile.TemporaryDirectory(prefix="mcp-bench-") as tmp:
        root = Path(tmp)
        (root / "token").write_text(CREDENTIAL)
        server = {
            "name": "calc",
            "url": mcp.url,
            "authorization_headers": {"Authorization": str(root / "token")},
        }
        bases = []
        try:
            for number, servers in enumerate(([], [server])):
                port = free_port()
                folder = root / f"v{number}"
                path = config(folder, backend.base_url, port, servers)
                env = {"LIGHTSPEED_CORE_DATA_DIR": str(folder), "BENCH_STUB_KEY": "x"}
                process = spawn(
                    [str(BIN / "lightspeed-core"), "-c", str(path)], folder / "service.log", env
                )
                processes.append(process)
                wait_http(f"http://127.0.0.1:{port}/liveness", process)
                bases.append(f"http://127.0.0.1:{port}")
            kinds = {
                "plain": (bases[0], PLAIN),
                "mcp offered": (bases[1], PLAIN),
                "mcp tool call": (bases[1], TOOL),
            }
            results = await measure(kinds, args.n, args.warmup)
        finally:
            for process in processes:
                stop(process)
            mcp.stop()
            backend.stop()
    base = results["plain"]["median_ms"]
    for result in results.values():
        result["median_added_ms"] = round(result["median_ms"] - base, 2)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
