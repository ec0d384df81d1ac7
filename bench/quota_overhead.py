"""Overhead of token-quota enforcement on ``/v1/query`` (issue #5's closing note).

``uv run --no-sync python -m bench.quota_overhead [--n 300]`` starts the scripted backend
and three services (one worker each): without quota, with a user + cluster limiter in
SQLite, and the same in PostgreSQL (127.0.0.1:5432, skipped when unreachable). After a
warm-up it sends ``--n`` sequential requests to each, interleaved round by round so machine
load hits every variant alike, and prints median/p95 and the difference to "no quota".
Every quota request reserves, settles and reads ``available_quotas`` (3 transactions).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.processes import BIN, free_port, service_config, spawn, stop, wait_http
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


async def postgres_database() -> str | None:
    try:
        connection = await asyncpg.connect(**PG, timeout=3)
    except (OSError, asyncpg.PostgresError):
        return None
    name = f"lsc_bench_{uuid.uuid4().hex[:10]}"
    await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    return name


async def drop_database(name: str) -> None:
    connection = await asyncpg.connect(**PG)
    await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await connection.close()


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 2),
        "n": len(ordered),
    }


async def measure(bases: dict[str, str], n: int, warmup: int) -> dict[str, dict[str, float]]:
    clients = {name: httpx.AsyncClient(base_url=base, timeout=60) for name, base in bases.items()}
    samples: dict[str, list[float]] = {name: [] for name in bases}
    try:
        for round_number in range(warmup + n):
            for name, client in clients.items():
                start = time.perf_counter()
                reply = await client.post("/v1/query", json=BODY)
                elapsed = (time.perf_counter() - start) * 1000
                reply.raise_for_status()
                if round_number >= warmup:
                    samples[name].append(elapsed)
    finally:
        for client in clients.values():
            await client.aclose()
    return {name: summary(values) for name, values in samples.items()}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args()
    backend = BackgroundServer().start()
    database = await postgres_database()
    processes = []
    with tempfile.TemporaryDirectory(prefix="quota-bench-") as tmp:
        root = Path(tmp)
        variants: dict[str, dict[str, Any] | None] = {
            "no quota": None,
            "quota (SQLite)": {"sqlite": {"db_path": str(root / "quota.db")}},
        }
        if database is not None:
            variants["quota (PostgreSQL)"] = {
                "postgres": {
                    "host": PG["host"],
                    "port": PG["port"],
                    "db": database,
                    "user": PG["user"],
                    "password": "unused",
                    "ssl_mode": "disable",
                }
            }
        bases = {}
        try:
            for index, (name, quota) in enumerate(variants.items()):
                port = free_port()
                folder = root / f"v{index}"
                path = config(folder, backend.base_url, port, quota)
                env = {"LIGHTSPEED_CORE_DATA_DIR": str(folder), "BENCH_STUB_KEY": "x"}
                process = spawn(
                    [str(BIN / "lightspeed-core"), "-c", str(path)], folder / "service.log", env
                )
                processes.append(process)
                wait_http(f"http://127.0.0.1:{port}/liveness", process)
                bases[name] = f"http://127.0.0.1:{port}"
            results = await measure(bases, args.n, args.warmup)
        finally:
            for process in processes:
                stop(process)
            backend.stop()
            if database is not None:
                await drop_database(database)
    base = results["no quota"]["median_ms"]
    for result in results.values():
        result["median_overhead_ms"] = round(result["median_ms"] - base, 2)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
