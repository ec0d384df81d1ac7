"""What quota adds to one request, without HTTP: reserve + settle + ``available_quotas``.

``uv run --no-sync python -m bench.quota_ops [--n 300] [--rounds 5] [--pg-database NAME]
[--baseline-python PATH]`` runs, in fresh processes, ``--n`` sequential requests' worth of
quota calls (``SqlQuota.reserve`` → ``settle`` → ``available``, a user + cluster limiter,
token history on) against SQLite and PostgreSQL (127.0.0.1:5432; a throw-away schema of
``--pg-database``, default ``test``), and reports the median and p95 wall time per request
and the process's CPU per request (its threads included; the PostgreSQL server's own CPU is
not). With ``--baseline-python`` (another checkout's interpreter, e.g. main's
``.venv/bin/python``) the same runs use that build too, alternating round by round with this
one, so machine load hits both alike. Background work (the settle flusher, the scheduler)
runs as in the service; CPU is read after the queue is written.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

LIMITERS = [
    {"type": "user_limiter", "name": "user", "initial_quota": 10**9, "period": "1 day"},
    {"type": "cluster_limiter", "name": "cluster", "initial_quota": 2 * 10**9, "period": "1 day"},
]
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "password": "unused"}


async def worker(engine: str, n: int, where: str) -> dict[str, float]:
    """Run in a fresh process: ``n`` requests' quota calls; wall and CPU per request."""
    from lightspeed_core.auth.base import Principal
    from lightspeed_core.config.models.databases import QuotaHandlersConfiguration
    from lightspeed_core.db.pool import DatabasePool
    from lightspeed_core.metrics.registry import Metrics
    from lightspeed_core.quota.limiters import build_limiters
    from lightspeed_core.quota.metrics import QuotaMetrics
    from lightspeed_core.quota.service import SqlQuota

    limiters = [{**item, "quota_increase": 0} for item in LIMITERS]
    if engine == "sqlite":
        block: dict[str, Any] = {"sqlite": {"db_path": where}}
    else:
        database, schema = where.split("#")
        block = {"postgres": {**PG, "db": database, "namespace": schema, "ssl_mode": "disable"}}
    cfg = QuotaHandlersConfiguration.model_validate({**block, "limiters": limiters})
    pool = DatabasePool()
    database_block = cfg.sqlite or cfg.postgres
    assert database_block is not None
    quota = SqlQuota(
        database=await pool.get(database_block),
        limiters=build_limiters(cfg.limiters),
        metrics=QuotaMetrics(Metrics()),
        reservation_timeout=900,
        history=True,
    )
    quota.start()
    alice = Principal(user_id="alice", username="alice")
    samples = []
    cpu = 0.0
    warmup = max(20, n // 10)
    for index in range(warmup + n):
        if index == warmup:
            cpu = time.process_time()
        start = time.perf_counter()
        reservation = await quota.reserve(alice, 1100, minimum=40)
        await quota.settle(reservation, input_tokens=30, output_tokens=5, provider="p", model="m")
        await quota.available(alice)
        if index >= warmup:
            samples.append((time.perf_counter() - start) * 1000)
        await asyncio.sleep(0.002)  # the client's think time: background work can run
    await quota.retry_pending()  # what is queued is part of the cost
    cpu = time.process_time() - cpu
    await quota.close()
    await pool.close()
    ordered = sorted(samples)
    return {
        "median_ms": statistics.median(ordered),
        "p95_ms": ordered[int(len(ordered) * 0.95) - 1],
        "cpu_ms": cpu * 1000 / n,
    }


async def drop_schemas(database: str, schemas: list[str]) -> None:
    import asyncpg

    connection = await asyncpg.connect(
        host=PG["host"], port=PG["port"], user=PG["user"], database=database
    )
    try:
        for schema in schemas:
            await connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await connection.close()


def run_worker(python: str, engine: str, n: int, where: str) -> dict[str, float]:
    argv = [python, __file__, "--worker", engine, "--n", str(n), "--where", where]
    env = {**os.environ, "PYTHONPATH": ""}
    done = subprocess.run(argv, capture_output=True, text=True, check=True, env=env)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pg-database", default="test")
    parser.add_argument("--baseline-python")
    parser.add_argument("--worker")
    parser.add_argument("--where")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(asyncio.run(worker(args.worker, args.n, args.where))))
        return
    builds = {"": sys.executable}
    if args.baseline_python:
        builds = {" before": args.baseline_python, " after": sys.executable}
    runs: dict[str, list[dict[str, float]]] = {}
    schemas: list[str] = []
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="quota-ops-") as tmp:
        for round_number in range(args.rounds):
            for label, python in builds.items():
                for engine in ("sqlite", "postgres"):
                    tag = f"{round_number}{label.strip()}"
                    where = (
                        str(Path(tmp) / f"{tag}.db")
                        if engine == "sqlite"
                        else f"{args.pg_database}#ops_{uuid.uuid4().hex[:10]}"
                    )
                    schemas += [where.split("#")[1]] if engine == "postgres" else []
                    result = run_worker(python, engine, args.n, where)
                    runs.setdefault(f"{engine}{label}", []).append(result)
            loads.append(os.getloadavg()[0])
    asyncio.run(drop_schemas(args.pg_database, schemas))
    report: dict[str, Any] = {"load_average_1min": round(statistics.mean(loads), 1)}
    for name, results in runs.items():
        report[name] = {
            key: round(statistics.median(r[key] for r in results), 3)
            for key in ("median_ms", "p95_ms", "cpu_ms")
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
