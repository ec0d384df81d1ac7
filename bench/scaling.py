"""Scaling across workers and processes on one PostgreSQL, library and server mode (issue 15).

``uv run --no-sync python -m bench.scaling [--seconds 6] [--rounds 2] [--variants ...]``
(``make bench-scaling``) starts the scripted backend in its own process, a database of its
own on the machine's PostgreSQL, and every variant at once:

* ``lib-w1``, ``lib-w2``, ``lib-w4``: one service, library mode, ``service.workers`` 1/2/4;
* ``lib-lb2``: two service processes (1 worker each) behind a local HAProxy (round robin,
  keep-alive);
* ``srv-*``: the same four in server mode, against one ``ogx run`` process.

The configuration is the soak's (``bench.soak.config``): conversations, the conversation
cache and quota on PostgreSQL, transcripts and feedback on. Round by round (the order
reversed every other round) each variant gets a closed-loop wrk run of ``/v1/query`` at each
concurrency level, while :class:`bench.usage.CpuWindow` reads from ``/proc`` the CPU of the
service processes, the balancer, the OGX server, the scripted backend, wrk and the
PostgreSQL backends serving our database. The scaling measure is requests per core-second
of the service (the OGX server included in server mode), compared with ``lib-w1``'s; the
goal is within 15 %. RSS and PSS per worker are read after the load. Results:
``bench/results/scaling.json``; Markdown tables are printed (``bench/scaling_report.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from bench import measure
from bench.haproxy import start_haproxy
from bench.processes import BIN, ROOT, free_port, spawn, stop, wait_http
from bench.quota_overhead import PG, drop_database
from bench.run import QUERY
from bench.scaling_report import report
from bench.soak import config as soak_config
from bench.startup import load_average
from bench.usage import (
    CpuWindow,
    children,
    command_name,
    memory_mb,
    query_count,
    window_summary,
    worker_pids,
)
from lightspeed_core.config import configuration_from_data
from lightspeed_core.llm.factory import TIKTOKEN_DIR
from lightspeed_core.llm.runconfig.synthesize import build_run_config

DATABASE = "scaling_db"
RESULTS = ROOT / "bench" / "results" / "scaling.json"
VARIANTS = ("lib-w1", "lib-w2", "lib-w4", "lib-lb2", "srv-w1", "srv-w2", "srv-w4", "srv-lb2")
QUIET_ENV = {"LIGHTSPEED_STACK_LOG_LEVEL": "WARNING", "OGX_LOGGING": "all=error"}


@dataclass
class Variant:
    """One layout under test: its URL and the processes whose CPU is its cost."""

    name: str
    url: str
    services: list[subprocess.Popen[bytes]]
    ports: list[int]
    balancer: subprocess.Popen[bytes] | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)

    def answered(self) -> tuple[float, float]:
        """``/v1/query`` answers so far and those not 200, summed over the service processes."""
        pages = [
            httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=30).text for port in self.ports
        ]
        return (
            sum(query_count(page) for page in pages),
            sum(query_count(page, failed=True) for page in pages),
        )

    @property
    def mode(self) -> str:
        return "server" if self.name.startswith("srv") else "library"

    def service_pids(self) -> list[int]:
        return [process.pid for process in self.services]

    def balancer_pids(self) -> list[int]:
        return [self.balancer.pid] if self.balancer else []


@dataclass(frozen=True)
class Layout:
    """What a variant name says: ``lib-w4`` (library, 4 workers), ``srv-lb2`` (server mode, two
    1-worker processes behind HAProxy), ``lib-w1-p2`` (PostgreSQL ``pool_size`` 2)."""

    mode: str
    workers: int
    processes: int
    pool_size: int | None = None


def parse_variant(name: str) -> Layout:
    parts = name.split("-")
    if len(parts) not in (2, 3) or parts[0] not in ("lib", "srv"):
        raise ValueError(f"unknown variant {name!r}")
    mode = "server" if parts[0] == "srv" else "library"
    pool = None
    if len(parts) == 3:
        if not parts[2].startswith("p"):
            raise ValueError(f"unknown variant {name!r}")
        pool = int(parts[2].removeprefix("p"))
    layout = parts[1]
    if layout.startswith("lb"):
        return Layout(mode, 1, int(layout.removeprefix("lb")), pool)
    if layout.startswith("w"):
        return Layout(mode, int(layout.removeprefix("w")), 1, pool)
    raise ValueError(f"unknown variant {name!r}")


def postgres_pids() -> list[int]:
    """PostgreSQL backends connected to our database (its server runs on this machine)."""
    done = subprocess.run(
        [
            "psql",
            "-h",
            str(PG["host"]),
            "-U",
            str(PG["user"]),
            "-d",
            str(PG["database"]),
            "-Atc",
            f"SELECT pid FROM pg_stat_activity WHERE datname = '{DATABASE}'",  # noqa: S608
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return [int(line) for line in done.stdout.split() if line.strip().isdigit()]


def create_database() -> None:
    asyncio.run(drop_database(DATABASE))
    subprocess.run(["createdb", "-h", str(PG["host"]), "-U", str(PG["user"]), DATABASE], check=True)


def write_config(
    folder: Path, backend: str, port: int, layout: Layout, ogx_url: str | None
) -> Path:
    """The soak's production-shaped configuration; in server mode pointed at ``ogx_url``."""
    path = soak_config(folder, backend, port, layout.workers, DATABASE)
    data = yaml.safe_load(path.read_text())
    if ogx_url is not None:
        data["llama_stack"] = {"url": ogx_url, "max_retries": 1, "retry_delay": 1}
        data["inference"] = {"default_provider": "stub", "default_model": "stub-model"}
    if layout.pool_size is not None:
        for section in (data["database"], data["conversation_cache"], data["quota_handlers"]):
            section["postgres"]["pool_size"] = layout.pool_size
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@contextmanager
def ogx_server(
    folder: Path, backend: str, workers: int
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``ogx run`` with the run config the library-mode service would synthesise."""
    folder.mkdir(parents=True, exist_ok=True)
    library = soak_config(folder, backend, free_port(), 1, DATABASE)
    configuration = configuration_from_data(yaml.safe_load(library.read_text()))
    run, _ = build_run_config(configuration, folder, folder / "state")
    port = free_port()
    run["server"] = {"host": "127.0.0.1", "port": port, "workers": workers}
    path = folder / "run.yaml"
    path.write_text(yaml.safe_dump(run))
    env = {"TIKTOKEN_CACHE_DIR": str(TIKTOKEN_DIR), "BENCH_STUB_KEY": "x", **QUIET_ENV}
    process = spawn([str(BIN / "ogx"), "run", str(path), "--insecure"], folder / "ogx.log", env)
    try:
        wait_http(f"http://127.0.0.1:{port}/v1/health", process, timeout=300)
        yield f"http://127.0.0.1:{port}", process
    finally:
        stop(process)


def start_service(
    folder: Path, backend: str, layout: Layout, ogx_url: str | None
) -> tuple[int, subprocess.Popen[bytes]]:
    port = free_port()
    path = write_config(folder, backend, port, layout, ogx_url)
    env = {"LIGHTSPEED_CORE_DATA_DIR": str(folder), "BENCH_STUB_KEY": "x", **QUIET_ENV}
    process = spawn([str(BIN / "lightspeed-core"), "-c", str(path)], folder / "service.log", env)
    return port, process


def start_variant(
    stack: ExitStack, folder: Path, name: str, backend: str, ogx_url: str | None, pool_size: int
) -> Variant:
    layout = parse_variant(name)
    if layout.pool_size is None:
        layout = dataclasses.replace(layout, pool_size=pool_size)
    url = ogx_url if layout.mode == "server" else None
    started = [
        start_service(folder / f"{name}-{i}", backend, layout, url) for i in range(layout.processes)
    ]
    for _, process in started:
        stack.callback(stop, process)
    services = [process for _, process in started]
    balancer = None
    port = started[0][0]
    if layout.processes > 1:
        port = free_port()
        balancer = start_haproxy(folder / f"{name}-lb", port, [p for p, _ in started])
        stack.callback(stop, balancer)
    ports = [p for p, _ in started]
    return Variant(name, f"http://127.0.0.1:{port}", services, ports, balancer)


def wait_ready(variant: Variant) -> None:
    for process in variant.services:
        wait_http(variant.url + "/readiness", process, timeout=300)


def wrk_pids() -> list[int]:
    """The load generator: wrk processes started by this process."""
    return [pid for pid in children(os.getpid()) if command_name(pid) == "wrk"]


def measure_once(
    variant: Variant,
    groups: dict[str, Callable[[], list[int]]],
    connections: int,
    seconds: int,
    warm: int,
) -> dict[str, Any]:
    """One closed-loop wrk run of ``warm + seconds + 1`` s; CPU and answers of the middle part.

    The first ``warm`` seconds let the closed loop reach its steady state (at c64 on a busy
    machine a request takes seconds), and the window ends a second before wrk does, so
    every request counted was answered inside the window and every CPU second in it was
    spent while the load was steady: counting wrk's requests over its own run would leave
    out the CPU of the requests in flight at its end (seconds of work at c64).
    """
    window = CpuWindow(
        {"service": variant.service_pids, "balancer": variant.balancer_pids, **groups}
    )
    url = f"{variant.url}/v1/query"
    with ThreadPoolExecutor(1) as pool:
        load = pool.submit(measure.load_wrk, url, QUERY, connections, warm + seconds + 1)
        time.sleep(warm)
        load_start = os.getloadavg()[0]
        answered, failed_before = variant.answered()
        window.start()
        time.sleep(seconds)
        wall, cpu = window.stop()
        answered_after, failed_after = variant.answered()
        requests = int(answered_after - answered)
        failed = int(failed_after - failed_before)
        wrk = load.result()
    service = ["service", "ogx"] if variant.mode == "server" else ["service"]
    return {
        "connections": connections,
        "window_s": round(wall, 2),
        "requests": requests,
        "rps": round(requests / wall, 1),
        "wrk": wrk,
        "p50_ms": wrk["p50_ms"],
        "p99_ms": wrk["p99_ms"],
        "errors": wrk["errors"],
        "failed_in_window": failed,
        **window_summary(requests, wall, cpu, service=service),
        "cpu_s": cpu,
        "switches_per_request": {
            name: [round(count / requests, 2) for count in pair] if requests else None
            for name, pair in window.switched.items()
        },
        "load_average": [round(load_start, 2), load_average()],
    }


def memory(variant: Variant) -> list[dict[str, float]]:
    """RSS/PSS/anonymous memory of each worker of each service process."""
    return [memory_mb(pid) for process in variant.services for pid in worker_pids(process.pid)]


def run(args: argparse.Namespace) -> dict[str, Any]:
    levels = [int(level) for level in args.levels.split(",")]
    names = args.variants.split(",")
    for name in names:
        parse_variant(name)
    create_database()
    with tempfile.TemporaryDirectory(prefix="scaling-bench-") as tmp, ExitStack() as stack:
        folder = Path(tmp)
        stub_port = free_port()
        stub = spawn(
            [
                sys.executable,
                "-m",
                "lightspeed_core.testing.scripted_backend",
                "--port",
                str(stub_port),
            ],
            folder / "stub.log",
        )
        stack.callback(stop, stub)
        backend = f"http://127.0.0.1:{stub_port}/v1"
        wait_http(f"{backend}/models", stub)
        ogx_url: str | None = None
        ogx_process: subprocess.Popen[bytes] | None = None
        if any(name.startswith("srv") for name in names):
            ogx_url, ogx_process = stack.enter_context(
                ogx_server(folder / "ogx", backend, args.ogx_workers)
            )
        groups: dict[str, Callable[[], list[int]]] = {
            "ogx": (lambda: [ogx_process.pid]) if ogx_process else (lambda: []),
            "backend": lambda: [stub.pid],
            "wrk": wrk_pids,
            "postgres": postgres_pids,
        }
        print(f"starting {len(names)} variants", file=sys.stderr)
        variants = [
            start_variant(stack, folder, name, backend, ogx_url, args.pool_size) for name in names
        ]
        for variant in variants:
            wait_ready(variant)
        time.sleep(3)  # every worker finishes starting
        for variant in variants:  # warm-up: caches, connection pools, OGX clients
            measure.load_wrk(f"{variant.url}/v1/query", QUERY, 16, 2)
        memory_start = {variant.name: memory(variant) for variant in variants}
        for round_index in range(args.rounds):
            order = variants if round_index % 2 == 0 else variants[::-1]
            for variant in order:
                for connections in levels:
                    print(
                        f"round {round_index + 1}: {variant.name} c{connections}", file=sys.stderr
                    )
                    row = measure_once(variant, groups, connections, args.seconds, args.warm)
                    row["round"] = round_index + 1
                    row["postgres_connections"] = len(postgres_pids())
                    variant.rows.append(row)
        return {
            "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "label": args.label,
            "seconds": args.seconds,
            "warm": args.warm,
            "rounds": args.rounds,
            "levels": levels,
            "ogx_workers": args.ogx_workers,
            "pool_size": args.pool_size,
            "variants": {
                variant.name: {
                    "rows": variant.rows,
                    "memory_start": memory_start[variant.name],
                    "memory_after": memory(variant),
                }
                for variant in variants
            },
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=6, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--warm", type=int, default=3, help="seconds of load before each measured window"
    )
    parser.add_argument("--levels", default="16,64", help="wrk connections, comma-separated")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument(
        "--pool-size",
        type=int,
        default=3,
        help="PostgreSQL pool_size of variants without -pN (all variants run at once and share "
        "the server's max_connections with other users)",
    )
    parser.add_argument("--ogx-workers", type=int, default=1, help="workers of the OGX server")
    parser.add_argument("--label", default="", help="kept with the run in scaling.json")
    args = parser.parse_args()
    result = run(args)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    runs = json.loads(RESULTS.read_text())["runs"] if RESULTS.exists() else []
    runs.append(result)
    RESULTS.write_text(json.dumps({"runs": runs}, indent=2) + "\n")
    print(report(result))


if __name__ == "__main__":
    main()
