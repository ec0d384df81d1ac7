"""Overhead of token-quota enforcement on ``/v1/query`` (issue #5's closing note).

``uv run --no-sync python -m bench.quota_overhead [--n 300]`` starts the scripted backend
and three services (one worker each): without quota, with a user + cluster limiter in
SQLite, and the same in PostgreSQL (127.0.0.1:5432, skipped when unreachable). After a
warm-up it sends ``--n`` sequential requests to each, interleaved round by round so machine
load hits every variant alike, and prints median/p95 and the difference to "no quota".
Every quota request reserves, settles and reads ``available_quotas`` (3 transactions).
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import uuid
from pathlib import Path
from typing import Any

import asyncpg

from bench.measure import Call, add_difference, interleaved, interleaved_arguments
from bench.processes import service_config, start_variants, stopping
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


def postgres_section(database: str) -> dict[str, Any]:
    """The ``postgres`` configuration of a database on the local server."""
    return {
        "host": PG["host"],
        "port": PG["port"],
        "db": database,
        "user": PG["user"],
        "password": "unused",
        "ssl_mode": "disable",
    }


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


async def main() -> None:
    args = interleaved_arguments(__doc__, 300, 30)
    backend = BackgroundServer().start()
    database = await postgres_database()
    with tempfile.TemporaryDirectory(prefix="quota-bench-") as tmp, stopping() as processes:
        root = Path(tmp)
        variants: dict[str, dict[str, Any] | None] = {
            "no quota": None,
            "quota (SQLite)": {"sqlite": {"db_path": str(root / "quota.db")}},
        }
        if database is not None:
            variants["quota (PostgreSQL)"] = {"postgres": postgres_section(database)}
        try:

            def write(folder: Path, port: int, quota: dict[str, Any] | None) -> Path:
                return config(folder, backend.base_url, port, quota)

            bases = start_variants(processes, root, write, variants)
            calls = {name: Call(base, BODY) for name, base in bases.items()}
            results = await interleaved(calls, args.n, args.warmup)
        finally:
            backend.stop()
            if database is not None:
                await drop_database(database)
    add_difference(results, "no quota", "median_overhead_ms")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
