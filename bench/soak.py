"""Soak: a long closed-loop run on PostgreSQL with several workers; errors, p99 and RSS per minute.

``uv run --no-sync python -m bench.soak [--seconds 600] [--workers 4] [--connections 64]``
starts the scripted backend and one service (library mode, PostgreSQL for conversations,
quota and the conversation cache, transcripts and feedback on), then keeps ``connections``
clients busy: three in four ask ``/v1/query`` (every fourth question continues its
client's conversation), one in four ``/v1/streaming_query``. Each minute it reports the
requests, the errors (any status but 200, or a stream without its ``end`` event), the p50
and p99 latency and the summed RSS of the workers. What should hold: 0 errors, and p99 and
RSS flat from the first minute to the last (no leak, no slow build-up of held state).
Results: ``bench/results/soak.json``; the table is printed as Markdown.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.processes import (
    BIN,
    ROOT,
    free_port,
    service_config,
    spawn,
    stop,
    wait_http,
    worker_rss_mb,
)
from bench.quota_overhead import LIMITERS, drop_database, postgres_database, postgres_section
from lightspeed_core.testing.scripted_backend import BackgroundServer

QUESTION = "Say hello"


@dataclass
class Minute:
    """What one minute of the run saw."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    rss_mb: float = 0.0

    def row(self, index: int) -> dict[str, Any]:
        ordered = sorted(self.latencies) or [0.0]
        return {
            "minute": index + 1,
            "requests": len(self.latencies),
            "errors": self.errors,
            "p50_ms": round(statistics.median(ordered), 1),
            "p99_ms": round(ordered[max(int(len(ordered) * 0.99) - 1, 0)], 1),
            "rss_mb": round(self.rss_mb, 1),
        }


def config(folder: Path, backend: str, port: int, workers: int, database: str) -> Path:
    postgres = {"postgres": postgres_section(database)}
    return service_config(
        folder,
        backend,
        port,
        name="soak",
        workers=workers,
        database=postgres,
        conversation_cache={"type": "postgres", **postgres},
        quota_handlers={**postgres, "limiters": LIMITERS},
        user_data_collection={
            "feedback_enabled": True,
            "feedback_storage": str(folder / "feedback"),
            "transcripts_enabled": True,
            "transcripts_storage": str(folder / "transcripts"),
        },
    )


async def _one(client: httpx.AsyncClient, number: int, conversation: str | None) -> str | None:
    """One request; returns the conversation id to continue, raises on any failure."""
    body: dict[str, Any] = {"query": QUESTION, "generate_topic_summary": False}
    if conversation and number % 4 == 1:
        body["conversation_id"] = conversation
    if number % 4 == 3:
        async with client.stream("POST", "/v1/streaming_query", json=body) as reply:
            text = (await reply.aread()).decode()
        if reply.status_code != 200 or '"event": "end"' not in text:
            raise RuntimeError(f"stream failed: {reply.status_code}")
        return conversation
    reply = await client.post("/v1/query", json=body)
    if reply.status_code != 200:
        raise RuntimeError(f"query failed: {reply.status_code} {reply.text[:200]}")
    return str(reply.json()["conversation_id"])


async def run_load(base: str, pid: int, connections: int, seconds: int) -> list[dict[str, Any]]:
    minutes = [Minute() for _ in range(max(seconds // 60, 1))]
    started = time.monotonic()
    deadline = started + seconds
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)

    def bucket() -> Minute:
        return minutes[min(int((time.monotonic() - started) // 60), len(minutes) - 1)]

    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def worker() -> None:
            conversation: str | None = None
            number = 0
            while time.monotonic() < deadline:
                start = time.perf_counter()
                try:
                    conversation = await _one(client, number, conversation)
                except (httpx.HTTPError, RuntimeError, KeyError, ValueError):
                    bucket().errors += 1
                bucket().latencies.append((time.perf_counter() - start) * 1000)
                number += 1

        async def sample_memory() -> None:
            while time.monotonic() < deadline:
                await asyncio.sleep(10)
                bucket().rss_mb = sum(worker_rss_mb(pid))

        await asyncio.gather(sample_memory(), *(worker() for _ in range(connections)))
    return [minute.row(index) for index, minute in enumerate(minutes)]


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| minute | requests | req/s | errors | p50 ms | p99 ms | workers' RSS MB |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['minute']} | {row['requests']} | {row['requests'] / 60:.1f} | "
            f"{row['errors']} | {row['p50_ms']} | {row['p99_ms']} | {row['rss_mb']} |"
        )
    return "\n".join(lines)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    database = await postgres_database()
    if database is None:
        raise SystemExit("the soak needs PostgreSQL at 127.0.0.1:5432 (trust auth, database test)")
    backend = BackgroundServer().start()
    try:
        with tempfile.TemporaryDirectory(prefix="soak-bench-") as tmp:
            folder = Path(tmp)
            port = free_port()
            path = config(folder, backend.base_url, port, args.workers, database)
            env = {"LIGHTSPEED_CORE_DATA_DIR": str(folder), "BENCH_STUB_KEY": "x"}
            process = spawn(
                [str(BIN / "lightspeed-core"), "-c", str(path)], folder / "service.log", env
            )
            try:
                wait_http(f"http://127.0.0.1:{port}/readiness", process, timeout=300)
                base = f"http://127.0.0.1:{port}"
                rows = await run_load(base, process.pid, args.connections, args.seconds)
            finally:
                stop(process)
    finally:
        backend.stop()
        await drop_database(database)
    result = {"workers": args.workers, "connections": args.connections, "minutes": rows}
    out = ROOT / "bench" / "results" / "soak.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(table(rows))


if __name__ == "__main__":
    asyncio.run(main())
