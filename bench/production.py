"""``make bench-production``: the production-shaped configuration, side by side in one run.

Variants, all on the same scripted backend (own process) and the same profile
(``bench/profiles/production``, written into a temporary folder per variant):

* **bare OGX, library**: ``responses.create(store=False)`` through OGX's library client in this
  process, over the run config the service synthesises from the profile (what it hands OGX);
* **bare OGX, server**: ``ogx run`` serving that run config; its ``/v1/responses`` under load;
* **Lightspeed Core** with ``service.workers`` 1 and 2 (2 is what an operator sets on 2 cores);
* **the reference** (``lightspeed-stack`` 0.7.1 from PyPI, ``bench/reference.py``) with
  workers 1 and 2 - when it can start (see that module: the published wheels cannot).

Measured: start-up to ready; sequential median (``/v1/query`` against ``responses.create``),
rotating variant by variant every round; streamed TTFT the same way; closed-loop throughput
at c16 and c64 (wrk), variants alternating within each level; RSS per worker; the load
average. Ratios against the goals of issue 15. Results: ``bench/results/production.json``,
``bench/production.md`` (included in ``docs/benchmarks.md``, here and by ``make bench``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import yaml

from bench import measure, reference
from bench.measure import summary
from bench.processes import (
    BIN,
    ROOT,
    cpu_seconds,
    free_port,
    scripted_backend,
    settle,
    spawn,
    start_service,
    stop,
    stopping,
    wait_http,
    worker_rss_mb,
)
from bench.production_report import ratios, update_docs, write_section
from bench.profiles import write_profile
from lightspeed_core.config import load_configuration
from lightspeed_core.llm.factory import TIKTOKEN_DIR, prepare_offline_environment
from lightspeed_core.llm.prompts import DEFAULT_SYSTEM_PROMPT
from lightspeed_core.llm.runconfig.synthesize import build_run_config

BODY: dict[str, Any] = {"query": "Say hello"}
MODEL = "openai/stub-model"
OGX_BODY = {"model": MODEL, "input": "Say hello", "instructions": DEFAULT_SYSTEM_PROMPT}
RESULTS = ROOT / "bench" / "results" / "production.json"
QUIET = {"LIGHTSPEED_STACK_LOG_LEVEL": "WARNING", "OGX_LOGGING": "all=error"}


def run_config(folder: Path, backend: str) -> Path:
    """The run config the service synthesises from the profile, written for bare OGX."""
    config_path = write_profile("production", folder, backend=backend)
    config = load_configuration(config_path)
    run, _ = build_run_config(config, folder, folder / "state")
    path = folder / "ogx-run.yaml"
    path.write_text(yaml.safe_dump(run, sort_keys=False))
    return path


async def bare_library(path: Path) -> Any:
    from ogx.core.library_client import AsyncOGXAsLibraryClient

    client = AsyncOGXAsLibraryClient(str(path))
    with contextlib.redirect_stdout(io.StringIO()):
        await client.initialize()
    return client


def start_ogx_server(path: Path, folder: Path) -> tuple[subprocess.Popen[bytes], str, float]:
    port = free_port()
    env = {"OGX_LOGGING": "all=error", "TIKTOKEN_CACHE_DIR": str(TIKTOKEN_DIR)}
    started = time.perf_counter()
    argv = [str(BIN / "ogx"), "run", str(path), "--port", str(port), "--insecure"]
    process = spawn(argv, folder / "ogx.log", {**env, "HF_HUB_OFFLINE": "1"})
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/v1/health", process)
    except BaseException:
        stop(process)
        raise
    return process, base, round(time.perf_counter() - started, 2)


def start_service_variant(
    root: Path, backend: str, workers: int, kind: str
) -> tuple[subprocess.Popen[bytes], str, float]:
    """Lightspeed Core (``kind`` "ours") or the reference on the production profile."""
    port = free_port()
    folder = root / f"{kind}-w{workers}"
    config = write_profile("production", folder, backend=backend, port=port, workers=workers)
    env = dict(QUIET)
    if workers > 1:
        (folder / "metrics").mkdir(parents=True, exist_ok=True)
        env["PROMETHEUS_MULTIPROC_DIR"] = str(folder / "metrics")
    started = time.perf_counter()
    if kind == "ours":
        process, base = start_service(config, folder, port, env, "/readiness")
    else:
        process, base = reference.start(config, folder, port), f"http://127.0.0.1:{port}"
    return process, base, round(time.perf_counter() - started, 2)


Timer = Callable[[], Awaitable[float]]
ClientTimer = Callable[[httpx.AsyncClient], Awaitable[float]]


async def rotating(
    bare: Timer, service: ClientTimer, bases: dict[str, str], n: int, warmup: int
) -> dict[str, Any]:
    """``bare()`` then ``service(client)`` on each service, round after round; medians."""
    samples: dict[str, list[float]] = {"bare OGX": [], **{name: [] for name in bases}}
    clients = {name: httpx.AsyncClient(base_url=base, timeout=60) for name, base in bases.items()}
    try:
        for round_number in range(warmup + n):
            elapsed = {"bare OGX": await bare()}
            for name, client in clients.items():
                elapsed[name] = await service(client)
            if round_number >= warmup:
                for name, value in elapsed.items():
                    samples[name].append(value)
    finally:
        for client in clients.values():
            await client.aclose()
    return {name: summary(values) for name, values in samples.items()}


async def sequential(ogx: Any, bases: dict[str, str], n: int, warmup: int) -> dict[str, Any]:
    """Median of bare OGX's ``responses.create`` and each service's ``/v1/query``, rotating."""

    async def bare() -> float:
        start = time.perf_counter()
        await ogx.responses.create(**OGX_BODY, store=False)
        return (time.perf_counter() - start) * 1000

    async def service(client: httpx.AsyncClient) -> float:
        start = time.perf_counter()
        reply = await client.post("/v1/query", json=BODY)
        elapsed = (time.perf_counter() - start) * 1000
        reply.raise_for_status()
        return elapsed

    return await rotating(bare, service, bases, n, warmup)


async def ttft(ogx: Any, bases: dict[str, str], n: int, warmup: int) -> dict[str, Any]:
    """Time to the first text delta of bare OGX's stream and to each service's first token."""

    async def bare() -> float:
        start = time.perf_counter()
        first = 0.0
        stream = await ogx.responses.create(**OGX_BODY, store=False, stream=True)
        async for event in stream:
            if not first and event.type == "response.output_text.delta":
                first = time.perf_counter()
        return (first - start) * 1000

    async def service(client: httpx.AsyncClient) -> float:
        return await measure.first_token(client, BODY)

    return await rotating(bare, service, bases, n, warmup)


async def throughput(
    targets: dict[str, tuple[str, dict[str, Any]]],
    pids: dict[str, int],
    levels: list[int],
    seconds: int,
) -> dict[str, list[dict[str, Any]]]:
    """Closed-loop load per target and level; targets alternate within each level.

    Also the service's CPU time per request (all its processes, including the deferred work
    it finishes after the run: topic summaries): unlike req/s it hardly moves with what else
    the machine runs.
    """
    found: dict[str, list[dict[str, Any]]] = {name: [] for name in targets}
    for connections in levels:
        for name, (url, body) in targets.items():
            print(f"  c{connections} {name} for {seconds}s", file=sys.stderr)
            cpu = cpu_seconds(pids[name])
            result = await measure.load(url, body, connections, seconds)
            result["settle_s"] = await asyncio.to_thread(settle, pids[name])
            spent = cpu_seconds(pids[name]) - cpu
            result["cpu_ms_per_request"] = round(spent * 1000 / max(1, result["requests"]), 2)
            result["load_avg_1m"] = round(os.getloadavg()[0], 2)
            found[name].append(result)
    return found


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="sequential rounds")
    parser.add_argument("--warmup", type=int, default=15)
    parser.add_argument("--seconds", type=int, default=8, help="seconds per load run")
    parser.add_argument("--workers", default="1,2", help="Lightspeed Core worker counts")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--no-docs", action="store_true", help="do not touch docs/benchmarks.md")
    parser.add_argument(
        "--no-reference", action="store_true", help="skip the reference (no venv is built)"
    )
    parser.add_argument(
        "--render", action="store_true", help="only rewrite the section from --results"
    )
    return parser.parse_args()


async def main() -> None:
    args = arguments()
    if args.render:
        update_docs(write_section(json.loads(args.results.read_text())), args.output)
        return
    warnings.filterwarnings("ignore")  # OGX's library client warns while serialising input
    prepare_offline_environment()
    os.environ.update({"OGX_LOGGING": "all=error"})
    loads_seen = [round(os.getloadavg()[0], 2)]
    results: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    with (
        tempfile.TemporaryDirectory(prefix="production-bench-") as tmp,
        scripted_backend(Path(tmp) / "stub") as backend,
        stopping() as processes,
    ):
        root = Path(tmp)
        print("reference: virtual environment and probe", file=sys.stderr)
        why: str | None = "skipped (--no-reference)"
        if not args.no_reference:
            reference.ensure_venv()
            why = reference.probe(root / "reference-probe")
        results["reference"] = {"version": reference.VERSION, "started": why is None, "why": why}
        if why is not None:
            print(f"  {why}", file=sys.stderr)
        startup: dict[str, float] = {}
        pids: dict[str, int] = {}
        bases: dict[str, str] = {}
        for workers in (int(w) for w in args.workers.split(",")):
            name = f"Lightspeed Core, workers {workers}"
            print(f"start {name}", file=sys.stderr)
            process, bases[name], startup[name] = start_service_variant(
                root, backend, workers, "ours"
            )
            processes.append(process)
            pids[name] = process.pid
        print("start bare OGX server (ogx run)", file=sys.stderr)
        ogx_run = run_config(root / "bare-ogx", backend)
        process, ogx_base, startup["bare OGX server"] = start_ogx_server(ogx_run, root / "bare-ogx")
        processes.append(process)
        pids["bare OGX server"] = process.pid
        if why is None:
            for workers in (1, 2):
                name = f"reference, workers {workers}"
                print(f"start {name}", file=sys.stderr)
                process, bases[name], startup[name] = start_service_variant(
                    root, backend, workers, "reference"
                )
                processes.append(process)
                pids[name] = process.pid
        await asyncio.sleep(2)  # the last workers finish starting
        ogx = await bare_library(run_config(root / "bare-ogx-library", backend))
        loads_seen.append(round(os.getloadavg()[0], 2))
        try:
            print("sequential", file=sys.stderr)
            results["sequential"] = await sequential(ogx, bases, args.n, args.warmup)
            print("time to first token", file=sys.stderr)
            results["ttft"] = await ttft(ogx, bases, max(30, args.n // 2), args.warmup)
        finally:
            await ogx.shutdown()
        loads_seen.append(round(os.getloadavg()[0], 2))
        targets = {"bare OGX server": (f"{ogx_base}/v1/responses", {**OGX_BODY, "store": False})}
        targets |= {name: (f"{base}/v1/query", BODY) for name, base in bases.items()}
        results["load"] = await throughput(targets, pids, [16, 64], args.seconds)
        results["rss_mb"] = {name: worker_rss_mb(pid) for name, pid in pids.items()}
        results["startup_s"] = startup
        loads_seen.append(round(os.getloadavg()[0], 2))
    results["load_average_1m"] = loads_seen
    results["ratios"] = ratios(results)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(results, indent=2) + "\n")
    section = write_section(results)
    if not args.no_docs:
        update_docs(section, args.output)
    print(json.dumps(results["ratios"], indent=2))


if __name__ == "__main__":
    asyncio.run(main())
