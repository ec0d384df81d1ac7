"""Measurements against a running service: sequential latency, TTFT, load (wrk or Python)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.processes import cpu_seconds

WRK_SCRIPT = Path(__file__).parent / "wrk_post.lua"


def summary(samples: list[float], digits: int = 2) -> dict[str, float]:
    """Median and p95 (nearest rank, never below the first sample) of latencies in ms."""
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), digits),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], digits),
        "n": len(ordered),
    }


def interleaved_arguments(doc: str | None, n: int, warmup: int) -> argparse.Namespace:
    """``--n`` and ``--warmup`` of an interleaved benchmark; the docstring names it."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=n)
    parser.add_argument("--warmup", type=int, default=warmup)
    return parser.parse_args()


def raise_for_status(reply: httpx.Response) -> None:
    reply.raise_for_status()


@dataclass(frozen=True)
class Call:
    """One kind of request of an interleaved measurement."""

    base: str
    body: dict[str, Any] | Callable[[], dict[str, Any]]
    path: str = "/v1/query"
    headers: dict[str, str] = field(default_factory=dict)
    check: Callable[[httpx.Response], None] = raise_for_status

    def payload(self) -> dict[str, Any]:
        return self.body() if callable(self.body) else self.body


async def interleaved_samples(
    calls: Mapping[str, Call],
    n: int,
    warmup: int,
    pids: Mapping[str, int] | None = None,
    drain: float = 0.0,
) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Latencies (ms) of each call, sent one after the other round by round (``warmup``
    rounds first, not counted), so that drift on a shared machine hits every variant alike.
    One keep-alive client per base URL.

    With ``pids`` (call name -> the process serving it) also the CPU of that process per
    measured call, in ms, read ``drain`` seconds after the last call so that work written
    behind the requests counts too.
    """
    clients = {
        base: httpx.AsyncClient(base_url=base, timeout=60)
        for base in {c.base for c in calls.values()}
    }
    samples: dict[str, list[float]] = {name: [] for name in calls}
    cpu: dict[str, float] = {}
    try:
        for round_number in range(warmup + n):
            if round_number == warmup and pids:
                await asyncio.sleep(drain)
                cpu = {name: cpu_seconds(pid) for name, pid in pids.items()}
            for name, call in calls.items():
                payload = call.payload()
                start = time.perf_counter()
                reply = await clients[call.base].post(call.path, json=payload, headers=call.headers)
                elapsed = (time.perf_counter() - start) * 1000
                call.check(reply)
                if round_number >= warmup:
                    samples[name].append(elapsed)
        if pids:
            await asyncio.sleep(drain)
            cpu = {
                name: round((cpu_seconds(pid) - cpu[name]) * 1000 / n, 2)
                for name, pid in pids.items()
            }
    finally:
        for client in clients.values():
            await client.aclose()
    return samples, cpu


async def interleaved(
    calls: Mapping[str, Call], n: int, warmup: int, digits: int = 2
) -> dict[str, dict[str, float]]:
    """Median/p95 of each call, measured by :func:`interleaved_samples`."""
    samples, _ = await interleaved_samples(calls, n, warmup)
    return {name: summary(values, digits) for name, values in samples.items()}


def add_difference(
    results: dict[str, dict[str, float]], base: str, key: str, digits: int = 2
) -> None:
    """Add ``key`` to every row: its median minus the ``base`` row's median."""
    reference = results[base]["median_ms"]
    for row in results.values():
        row[key] = round(row["median_ms"] - reference, digits)


def add_ratio(results: dict[str, dict[str, float]], base: str, key: str) -> None:
    """Add ``key`` to every row: its median over the ``base`` row's median."""
    reference = results[base]["median_ms"]
    for row in results.values():
        row[key] = round(row["median_ms"] / reference, 2)


async def sequential(base: str, body: dict[str, Any], n: int, warmup: int) -> dict[str, float]:
    """Median/p95 of ``n`` sequential ``/v1/query`` calls on one keep-alive connection."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        for _ in range(warmup):
            (await client.post("/v1/query", json=body)).raise_for_status()
        samples = []
        for _ in range(n):
            start = time.perf_counter()
            response = await client.post("/v1/query", json=body)
            samples.append((time.perf_counter() - start) * 1000)
            response.raise_for_status()
    return summary(samples)


async def first_token(client: httpx.AsyncClient, body: dict[str, Any]) -> float:
    """Milliseconds to the first ``token`` event of one ``/v1/streaming_query``."""
    start = time.perf_counter()
    first = 0.0
    async with client.stream("POST", "/v1/streaming_query", json=body) as reply:
        async for line in reply.aiter_lines():
            if not first and line.startswith('data: {"event": "token"'):
                first = time.perf_counter()
    return (first - start) * 1000


async def ttft(base: str, body: dict[str, Any], n: int, warmup: int) -> dict[str, float]:
    """Time to the first ``token`` event of ``/v1/streaming_query``."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        for _ in range(warmup):
            await first_token(client, body)
        samples = [await first_token(client, body) for _ in range(n)]
    return summary(samples)


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def load_wrk(url: str, body: dict[str, Any], connections: int, seconds: int) -> dict[str, Any]:
    """Closed-loop load with wrk (2 threads): throughput, p50/p99, errors."""
    env = {**os.environ, "BENCH_BODY": json.dumps(body)}
    argv = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(WRK_SCRIPT),
        url,
    ]
    out = subprocess.run(argv, capture_output=True, text=True, env=env, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRKJSON "))
    data = json.loads(line.removeprefix("WRKJSON "))
    duration = data["duration_us"] / 1e6
    return {
        "tool": "wrk",
        "connections": connections,
        "seconds": round(duration, 1),
        "requests": data["requests"],
        "rps": round(data["requests"] / duration, 1),
        "p50_ms": round(data["p50_us"] / 1000, 1),
        "p99_ms": round(data["p99_us"] / 1000, 1),
        "errors": data["errors"],
    }


async def load_python(
    url: str, body: dict[str, Any], connections: int, seconds: int
) -> dict[str, Any]:
    """Fallback load generator (async httpx), when wrk is not installed."""
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:

        async def worker() -> None:
            nonlocal errors
            while time.monotonic() < deadline:
                start = time.perf_counter()
                try:
                    reply = await client.post(url, json=body)
                    if reply.status_code != 200:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append((time.perf_counter() - start) * 1000)

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(connections)))
        duration = time.monotonic() - started
    ordered = sorted(latencies)
    return {
        "tool": "python",
        "connections": connections,
        "seconds": round(duration, 1),
        "requests": len(ordered),
        "rps": round(len(ordered) / duration, 1),
        "p50_ms": round(statistics.median(ordered), 1),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1], 1),
        "errors": errors,
    }


async def load(url: str, body: dict[str, Any], connections: int, seconds: int) -> dict[str, Any]:
    if wrk_available():
        return await asyncio.to_thread(load_wrk, url, body, connections, seconds)
    return await load_python(url, body, connections, seconds)
