"""``/v1/responses`` versus bare OGX and ``/v1/query`` (issue 11).

Targets: the sequential ``/v1/responses`` median within 1.5x of bare OGX
``responses.create(store=False)``; its throughput at concurrency 16 within 10 % of
``/v1/query``'s. ``uv run --no-sync python -m bench.responses_latency [--n 300]
[--seconds 15]`` starts the scripted backend in its own process and one service (one
worker, SQLite, library mode). Bare OGX is OGX's library client in this process, with the
run config the service uses (as ``bench.baseline``). Sequential calls rotate round by round:
bare OGX ``responses.create(store=False)``, ``/v1/query``, ``/v1/responses``; the load runs
alternate too (query, responses, query, responses). So machine load - the benchmark may
share its cores - hits every variant alike. Every call is one model call and a new
conversation without a topic summary, like ``make bench``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import httpx

from bench import measure
from bench.measure import summary
from bench.processes import (
    cpu_seconds,
    free_port,
    scripted_backend,
    service_config,
    start_service,
    stopping,
)
from lightspeed_core.config import load_configuration
from lightspeed_core.llm.factory import prepare_offline_environment
from lightspeed_core.llm.prompts import DEFAULT_SYSTEM_PROMPT
from lightspeed_core.llm.runconfig import synthesize_run_config

QUERY = {"query": "Say hello", "generate_topic_summary": False}
RESPONSES = {"input": "Say hello", "generate_topic_summary": False}
CALLS = {"/v1/query": QUERY, "/v1/responses": RESPONSES}
MODEL = "stub/stub-model"


async def bare_ogx(config_path: Path, state: Path) -> Any:
    """OGX's library client over the run config the service synthesises (as bench.baseline)."""
    prepare_offline_environment()
    config = load_configuration(config_path)
    run = synthesize_run_config(config, config_path.parent, state)
    from ogx.core.library_client import AsyncOGXAsLibraryClient

    client = AsyncOGXAsLibraryClient(str(run.path))
    with contextlib.redirect_stdout(io.StringIO()):
        await client.initialize()
    return client


async def sequential(base: str, ogx: Any, n: int, warmup: int) -> dict[str, dict[str, float]]:
    """Median/p95 of bare OGX and each endpoint, rotating call by call."""
    samples: dict[str, list[float]] = {"bare OGX": [], **{path: [] for path in CALLS}}
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        for round_number in range(warmup + n):
            start = time.perf_counter()
            await ogx.responses.create(
                model=MODEL, input="Say hello", instructions=DEFAULT_SYSTEM_PROMPT, store=False
            )
            elapsed = {"bare OGX": (time.perf_counter() - start) * 1000}
            for path, body in CALLS.items():
                start = time.perf_counter()
                reply = await client.post(path, json=body)
                elapsed[path] = (time.perf_counter() - start) * 1000
                reply.raise_for_status()
            if round_number >= warmup:
                for name, value in elapsed.items():
                    samples[name].append(value)
    return {name: summary(values) for name, values in samples.items()}


async def throughput(base: str, pid: int, seconds: int, rounds: int) -> dict[str, Any]:
    """c16 closed-loop load, alternating endpoints ``rounds`` times; req/s averaged.

    Also the service's CPU time per request over those runs: unlike req/s it does not move
    with what else the machine runs (the capacity of one core is 1000 / that many ms).
    """
    runs: dict[str, list[dict[str, Any]]] = {path: [] for path in CALLS}
    cpu: dict[str, float] = dict.fromkeys(CALLS, 0.0)
    for _ in range(rounds):
        for path, body in CALLS.items():
            print(f"  load c16 {path} for {seconds}s", file=sys.stderr)
            before = cpu_seconds(pid)
            runs[path].append(await measure.load(f"{base}{path}", body, 16, seconds))
            cpu[path] += cpu_seconds(pid) - before
    return {
        path: {
            "rps": round(sum(r["rps"] for r in found) / len(found), 1),
            "errors": sum(r["errors"] for r in found),
            "cpu_ms_per_request": round(cpu[path] * 1000 / sum(r["requests"] for r in found), 2),
            "runs": found,
        }
        for path, found in runs.items()
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")  # OGX's library client warns while serialising input
    with (
        tempfile.TemporaryDirectory(prefix="responses-bench-") as tmp,
        scripted_backend(Path(tmp)) as backend,
        stopping() as processes,
    ):
        folder = Path(tmp)
        ogx = None
        try:
            port = free_port()
            config = service_config(folder, backend, port, name="responses-bench")
            os.environ["BENCH_STUB_KEY"] = "x"
            os.environ["OGX_LOGGING"] = "all=error"
            ogx = await bare_ogx(config, folder / "bare-ogx")
            env = {"LIGHTSPEED_STACK_LOG_LEVEL": "WARNING", "OGX_LOGGING": "all=error"}
            service, base = start_service(config, folder / "data", port, env, "/readiness")
            processes.append(service)
            print("sequential", file=sys.stderr)
            latency = await sequential(base, ogx, args.n, args.warmup)
            load = await throughput(base, service.pid, args.seconds, args.rounds)
        finally:
            if ogx is not None:
                await ogx.shutdown()
    ogx_median = latency["bare OGX"]["median_ms"]
    result = {
        "sequential": latency,
        "responses_vs_bare_ogx": round(latency["/v1/responses"]["median_ms"] / ogx_median, 2),
        "query_vs_bare_ogx": round(latency["/v1/query"]["median_ms"] / ogx_median, 2),
        "responses_vs_query": round(
            latency["/v1/responses"]["median_ms"] / latency["/v1/query"]["median_ms"], 2
        ),
        "load_c16": load,
        "responses_rps_vs_query": round(load["/v1/responses"]["rps"] / load["/v1/query"]["rps"], 3),
        "responses_cpu_vs_query": round(
            load["/v1/responses"]["cpu_ms_per_request"] / load["/v1/query"]["cpu_ms_per_request"],
            3,
        ),
        "load_tool": "wrk" if measure.wrk_available() else "python",
        "load_average": os.getloadavg(),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
