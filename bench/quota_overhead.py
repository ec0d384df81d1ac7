"""Overhead of token-quota enforcement on ``/v1/query`` (issue #5's closing note).

``uv run --no-sync python -m bench.quota_overhead [--n 300] [--pg-database NAME]
[--baseline-bin PATH]`` starts the scripted backend and three services (one worker each):
without quota, with a user + cluster limiter in SQLite, and the same in PostgreSQL
(127.0.0.1:5432, skipped when unreachable; a throw-away database, or a throw-away schema of
``--pg-database``). After a warm-up it sends ``--n`` sequential requests to each,
interleaved round by round so machine load hits every variant alike, and prints median/p95
and the difference to "no quota". ``--load-seconds S`` adds closed-loop c16 runs (wrk) of ``S``
seconds per variant, alternating over ``--rounds`` rounds: req/s, p99, service CPU and
voluntary context switches (all its threads) per request under load (where the database's
idle wake-ups that weigh on a sequential request do not happen). With ``--baseline-bin``
(the ``lightspeed-core`` of another checkout, e.g. main's) the two quota variants also run
on that build, in the same rounds: a before/after comparison under the same load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import uuid
from pathlib import Path
from typing import Any

import asyncpg

from bench.measure import Call, interleaved_samples, load_wrk, summary
from bench.processes import BIN, cpu_seconds, free_port, service_config, spawn, stop, wait_http
from bench.usage import context_switches
from lightspeed_core.testing.scripted_backend import BackgroundServer

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "database": "test"}
LIMITERS = [
    {
        "type": "user_limiter",
        "name": "user",
        "initial_quota": 10**9,
        "quota_increase": 0,
        "period": "1 day",
    },
    {
        "type": "cluster_limiter",
        "name": "cluster",
        "initial_quota": 2 * 10**9,
        "quota_increase": 0,
        "period": "1 day",
    },
]
BODY = {"query": "Say hello", "generate_topic_summary": False}


def config(folder: Path, backend: str, port: int, quota: dict[str, Any] | None) -> Path:
    sections: dict[str, Any] = (
        {} if quota is None else {"quota_handlers": {**quota, "limiters": LIMITERS}}
    )
    return service_config(folder, backend, port, name="quota overhead", **sections)


async def postgres_target(own: str | None) -> tuple[str, str | None] | None:
    """(database, schema) for the PostgreSQL variants: a new database, or a schema of ``own``."""
    try:
        connection = await asyncpg.connect(**{**PG, "database": own or PG["database"]}, timeout=3)
    except (OSError, asyncpg.PostgresError):
        return None
    suffix = uuid.uuid4().hex[:10]
    try:
        if own is not None:
            return own, f"bench_{suffix}"
        await connection.execute(f'CREATE DATABASE "lsc_bench_{suffix}"')
        return f"lsc_bench_{suffix}", None
    finally:
        await connection.close()


async def drop_target(database: str, schemas: list[str]) -> None:
    if not schemas:
        connection = await asyncpg.connect(**PG)
        await connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    else:
        connection = await asyncpg.connect(**{**PG, "database": database})
        for schema in schemas:
            await connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    await connection.close()


async def postgres_database() -> str | None:
    """A new throw-away database (None when PostgreSQL is unreachable); ``bench/soak.py``."""
    target = await postgres_target(None)
    return None if target is None else target[0]


async def drop_database(name: str) -> None:
    await drop_target(name, [])


async def measure(
    bases: dict[str, str], pids: dict[str, int], n: int, warmup: int
) -> dict[str, dict[str, float]]:
    calls = {name: Call(base, BODY) for name, base in bases.items()}
    # 0.2 s after the last request: work written behind it counts too
    samples, cpu = await interleaved_samples(calls, n, warmup, pids, drain=0.2)
    return {
        name: {**summary(values), "service_cpu_ms_per_request": cpu[name]}
        for name, values in samples.items()
    }


def under_load(
    bases: dict[str, str], pids: dict[str, int], seconds: int, rounds: int
) -> dict[str, dict[str, float]]:
    """c16 closed-loop runs alternating over the variants: req/s, p99, service CPU/request."""
    totals: dict[str, list[float]] = {name: [0.0] * 5 for name in bases}
    for round_index in range(rounds):
        names = list(bases) if round_index % 2 == 0 else list(bases)[::-1]
        for name in names:
            before = cpu_seconds(pids[name])
            switched = context_switches(pids[name])[0]
            row = load_wrk(f"{bases[name]}/v1/query", BODY, 16, seconds)
            total = totals[name]
            total[0] += row["requests"]
            total[1] += row["seconds"]
            total[2] += cpu_seconds(pids[name]) - before
            total[3] = max(total[3], row["p99_ms"])
            total[4] += context_switches(pids[name])[0] - switched
    return {
        name: {
            "rps": round(requests / elapsed, 1),
            "p99_ms_worst": p99,
            "service_cpu_ms_per_request": round(cpu * 1000 / requests, 2),
            # thread hand-offs (SQLite's writer thread) show here: docs in bench/analysis.md
            "voluntary_switches_per_request": round(switches / requests, 1),
        }
        for name, (requests, elapsed, cpu, p99, switches) in totals.items()
    }


def postgres_section(database: str) -> dict[str, Any]:
    """The ``postgres`` configuration of a database on the local server."""
    return postgres_block(database, None)


def postgres_block(database: str, schema: str | None) -> dict[str, Any]:
    block = {
        "host": PG["host"],
        "port": PG["port"],
        "db": database,
        "user": PG["user"],
        "password": "unused",
        "ssl_mode": "disable",
    }
    return block if schema is None else {**block, "namespace": schema}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--pg-database", help="use a throw-away schema of this database")
    parser.add_argument("--baseline-bin", help="lightspeed-core of another build (before)")
    parser.add_argument("--load-seconds", type=int, default=0, help="c16 run length (0: none)")
    parser.add_argument("--rounds", type=int, default=2, help="c16 rounds per variant")
    args = parser.parse_args()
    backend = BackgroundServer().start()
    target = await postgres_target(args.pg_database)
    builds = {"": BIN / "lightspeed-core"}
    if args.baseline_bin:
        builds = {" before": Path(args.baseline_bin), " after": BIN / "lightspeed-core"}
    processes = []
    schemas: list[str] = []
    with tempfile.TemporaryDirectory(prefix="quota-bench-") as tmp:
        root = Path(tmp)
        variants: dict[str, tuple[Path, dict[str, Any] | None]] = {
            "no quota": (BIN / "lightspeed-core", None)
        }
        for label, binary in builds.items():
            sqlite = {"sqlite": {"db_path": str(root / f"quota{len(variants)}.db")}}
            variants[f"quota (SQLite){label}"] = (binary, sqlite)
            if target is not None:
                schema = None if target[1] is None else f"{target[1]}_{len(variants)}"
                schemas += [schema] if schema else []
                block = postgres_block(target[0], schema)
                variants[f"quota (PostgreSQL){label}"] = (binary, {"postgres": block})
        bases = {}
        pids = {}
        try:
            for index, (name, (binary, quota)) in enumerate(variants.items()):
                port = free_port()
                folder = root / f"v{index}"
                path = config(folder, backend.base_url, port, quota)
                env = {"LIGHTSPEED_CORE_DATA_DIR": str(folder), "BENCH_STUB_KEY": "x"}
                process = spawn([str(binary), "-c", str(path)], folder / "service.log", env)
                processes.append(process)
                wait_http(f"http://127.0.0.1:{port}/liveness", process)
                bases[name] = f"http://127.0.0.1:{port}"
                pids[name] = process.pid
            load = os.getloadavg()[0]
            results = await measure(bases, pids, args.n, args.warmup)
            loaded = {}
            if args.load_seconds:
                loaded = under_load(bases, pids, args.load_seconds, args.rounds)
            load = (load + os.getloadavg()[0]) / 2
        finally:
            for process in processes:
                stop(process)
            backend.stop()
            if target is not None:
                await drop_target(target[0], schemas)
    base = results["no quota"]["median_ms"]
    base_cpu = results["no quota"]["service_cpu_ms_per_request"]
    for result in results.values():
        result["median_overhead_ms"] = round(result["median_ms"] - base, 2)
        extra = result["service_cpu_ms_per_request"] - base_cpu
        result["cpu_overhead_ms_per_request"] = round(extra, 2)
    if loaded:
        base_load = loaded["no quota"]
        for row in loaded.values():
            row["rps_ratio"] = round(row["rps"] / base_load["rps"], 3)
            extra = row["service_cpu_ms_per_request"] - base_load["service_cpu_ms_per_request"]
            row["cpu_overhead_ms_per_request"] = round(extra, 2)
    output = {"load_average_1min": round(load, 2), **results}
    if loaded:
        output["c16"] = loaded
    print(json.dumps(output, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
