"""Added latency of an MCP tool round trip on ``/v1/query`` (issue #6's closing note).

``uv run --no-sync python -m bench.mcp_latency [--n 50]`` starts the scripted backend, a real
MCP server (``tests/support/mcp_server.py``: streamable HTTP, bearer token) and two services
(one worker each, library mode): one without MCP servers and one with the MCP server
configured (token from a secret file). Three kinds of request are timed, interleaved round
by round so machine load hits all alike:

* ``plain``: a plain question to the service without MCP servers (the baseline);
* ``mcp offered``: the same question to the service with the MCP server - its tools are
  offered from the cached listing (before: OGX opened an MCP session and listed them on
  every call); our OAuth probe is cached;
* ``mcp tool call``: a question whose model answer calls the ``add`` tool - the tool call
  over a pooled session, and the second model round that reads the result;
* ``function tools offered``: a plain question to a service with one skill (three function
  tools offered, no MCP server): what offering three tools costs in itself;
* ``function tool call``: the same service with one skill (no MCP server) whose model answer calls
  ``list_skills`` - the same two model rounds through the same function-tool loop, with a
  tool that costs nothing: ``mcp tool call`` minus this is what the MCP call adds.

Also timed, in the same rounds: ``add`` called directly over one open MCP session from the
benchmark's process (the tool's own time as a client sees it). ``--compare-bin`` adds an
earlier installation's services (no MCP server, the MCP server, the skill) to the same rounds;
its kinds are measured over its own ``plain (compare)``. It prints median/p95
per kind, the median added over ``plain``, the MCP round trip over the tool's own time, the
MCP HTTP requests the server received per request of each kind, and the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from tests.support.mcp_server import McpTestServer, ServerOptions

from bench.measure import summary
from bench.processes import BIN, cpu_seconds, free_port, service_config, spawn, stop, wait_http
from lightspeed_core.mcp.pool import McpSessionPool
from lightspeed_core.testing.scripted_backend import BackgroundServer

PLAIN = {"query": "Say hello", "generate_topic_summary": False}
TOOL = {"query": '[[tool:add {"a": 1, "b": 2}]]', "generate_topic_summary": False}
SKILL = {"query": "[[tool:list_skills {}]]", "generate_topic_summary": False}
CREDENTIAL = "bench-credential"


def config(
    folder: Path, backend: str, port: int, mcp: list[dict[str, Any]], extra: dict[str, Any]
) -> Path:
    return service_config(folder, backend, port, name="mcp latency", mcp_servers=mcp, **extra)


async def measure(
    kinds: dict[str, tuple[str, dict[str, Any]]],
    n: int,
    warmup: int,
    mcp: McpTestServer,
    pids: dict[str, int],
) -> tuple[dict[str, dict[str, float]], dict[str, float], dict[str, float]]:
    bases = {base for base, _ in kinds.values()}
    clients = {base: httpx.AsyncClient(base_url=base, timeout=60) for base in bases}
    samples: dict[str, list[float]] = {name: [] for name in [*kinds, "tool alone"]}
    received: dict[str, int] = dict.fromkeys(kinds, 0)
    cpu: dict[str, float] = dict.fromkeys(kinds, 0.0)
    pool = McpSessionPool()
    headers = {"Authorization": f"Bearer {CREDENTIAL}"}
    try:
        for round_number in range(warmup + n):
            for name, (base, body) in kinds.items():
                before = len(mcp.received)
                cpu_before = cpu_seconds(pids[base]) * 1000
                start = time.perf_counter()
                reply = await clients[base].post("/v1/query", json=body)
                elapsed = (time.perf_counter() - start) * 1000
                used = cpu_seconds(pids[base]) * 1000 - cpu_before
                reply.raise_for_status()
                if name.startswith("mcp tool call"):
                    assert reply.json()["tool_results"][0]["content"] == "3", reply.text
                if round_number >= warmup:
                    samples[name].append(elapsed)
                    received[name] += len(mcp.received) - before
                    cpu[name] += used
            start = time.perf_counter()
            result = await pool.call(mcp.url, headers, "add", {"a": 1, "b": 2})
            elapsed = (time.perf_counter() - start) * 1000
            assert result.content[0].text == "3"
            if round_number >= warmup:
                samples["tool alone"].append(elapsed)
    finally:
        await pool.close()
        for client in clients.values():
            await client.aclose()
    per_request = {name: round(count / n, 2) for name, count in received.items()}
    cpu_per_request = {name: round(total / n, 2) for name, total in cpu.items()}
    return {name: summary(values) for name, values in samples.items()}, per_request, cpu_per_request


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument(
        "--compare-bin",
        type=Path,
        help="another installation's bin folder (e.g. an earlier commit's .venv/bin): its "
        "services with the MCP server and with the skill are timed too, in the same rounds "
        "(kinds '... (compare)')",
    )
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
        bases: list[str] = []
        pids: dict[str, int] = {}
        try:
            skill = root / "skills" / "hello"
            skill.mkdir(parents=True)
            (skill / "SKILL.md").write_text("---\nname: hello\ndescription: Hi.\n---\nSay hi.\n")
            skills = {"skills": {"paths": [str(root / "skills")]}}
            variants: list[tuple[Path, list[dict[str, Any]], dict[str, Any]]] = [
                (BIN, [], {}),
                (BIN, [server], {}),
                (BIN, [], skills),
            ]
            if args.compare_bin:
                variants.append((args.compare_bin, [server], {}))
                variants.append((args.compare_bin, [], skills))
                variants.append((args.compare_bin, [], {}))
            for number, (binary, servers, extra) in enumerate(variants):
                port = free_port()
                folder = root / f"v{number}"
                path = config(folder, backend.base_url, port, servers, extra)
                env = {"LIGHTSPEED_CORE_DATA_DIR": str(folder), "BENCH_STUB_KEY": "x"}
                process = spawn(
                    [str(binary / "lightspeed-core"), "-c", str(path)], folder / "service.log", env
                )
                processes.append(process)
                wait_http(f"http://127.0.0.1:{port}/liveness", process)
                bases.append(f"http://127.0.0.1:{port}")
                pids[bases[-1]] = process.pid
            kinds = {
                "plain": (bases[0], PLAIN),
                "mcp offered": (bases[1], PLAIN),
                "mcp tool call": (bases[1], TOOL),
                "function tools offered": (bases[2], PLAIN),
                "function tool call": (bases[2], SKILL),
            }
            if args.compare_bin:
                kinds["mcp offered (compare)"] = (bases[3], PLAIN)
                kinds["mcp tool call (compare)"] = (bases[3], TOOL)
                kinds["function tools offered (compare)"] = (bases[4], PLAIN)
                kinds["function tool call (compare)"] = (bases[4], SKILL)
                kinds["plain (compare)"] = (bases[5], PLAIN)
            load_before = os.getloadavg()
            results, per_request, cpu = await measure(kinds, args.n, args.warmup, mcp, pids)
            load_after = os.getloadavg()
        finally:
            for process in processes:
                stop(process)
            mcp.stop()
            backend.stop()
    for name, result in results.items():
        if name != "tool alone":
            # each installation's kinds over its own plain question
            plain = "plain (compare)" if name.endswith("(compare)") else "plain"
            result["median_added_ms"] = round(result["median_ms"] - results[plain]["median_ms"], 2)
            result["mcp_http_requests_per_request"] = per_request[name]
            result["service_cpu_ms_per_request"] = cpu[name]
            result["service_cpu_added_ms"] = round(cpu[name] - cpu[plain], 2)
    call = results["mcp tool call"]["median_ms"] - results["function tool call"]["median_ms"]
    alone = results["tool alone"]["median_ms"]
    report: dict[str, Any] = {
        **results,
        "mcp tool call over a function tool call_ms": round(call, 2),
        "mcp tool round trip over the tool's own time_ms": round(call - alone, 2),
        "load_average_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
