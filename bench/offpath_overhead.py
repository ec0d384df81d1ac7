"""What transcripts and the conversation cache cost per ``/v1/query`` (issue 15: ≤ 1 ms).

``uv run --no-sync python -m bench.offpath_overhead [--n 300] [--seconds 8] [--rounds 2]``
starts the scripted backend in its own process and one service per variant (one worker,
SQLite main database, library mode, the same configuration but for):

* ``off``: no transcripts, no conversation cache;
* ``transcripts``: ``user_data_collection.transcripts_enabled`` only;
* ``cache``: ``conversation_cache`` of type ``sqlite`` in its own file (as the reference's
  example configurations have it) only;
* ``on``: both;
* ``on-maindb``: both, the cache in the user database (``db_path`` the same file: one
  transaction per turn instead of two).

Sequential ``/v1/query`` calls rotate over the variants call by call (so the machine's load
hits them alike) and each variant's service CPU time per request is read from ``/proc``
over the same phase; then c16 closed-loop load runs alternate the variants ``--rounds``
times (req/s, p99, CPU per request). Every call is a new conversation without a topic
summary, like ``make bench``. At the end it checks that every variant wrote what it should
(a transcript file and a cache row per turn) and prints differences to ``off``.

``--before SRC`` adds the same variants run from another source tree (``SRC`` on
``PYTHONPATH``, e.g. ``git archive <commit> src | tar -x -C /tmp/before``), named
``<variant>@before`` and compared with ``off@before``: before and after in one interleaved run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import measure
from bench.measure import summary
from bench.processes import BIN, cpu_seconds, free_port, service_config, spawn, stop, wait_http

BODY = {"query": "Say hello", "generate_topic_summary": False}
VARIANTS = ("off", "transcripts", "cache", "on", "on-maindb")
WITH_TRANSCRIPTS = ("transcripts", "on", "on-maindb")
WITH_CACHE = ("cache", "on", "on-maindb")


def loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def kind(variant: str) -> str:
    return variant.split("@", 1)[0]


def main_database(variant: str, folder: Path) -> Path:
    return folder / f"offpath-{variant}.db"  # service_config's name for it


def sections(variant: str, folder: Path) -> dict[str, Any]:
    transcripts = kind(variant) in WITH_TRANSCRIPTS
    cache = kind(variant) in WITH_CACHE
    data: dict[str, Any] = {
        "user_data_collection": {
            "transcripts_enabled": transcripts,
            **({"transcripts_storage": str(folder / "transcripts")} if transcripts else {}),
        }
    }
    if cache:
        shared = kind(variant) == "on-maindb"
        path = main_database(variant, folder) if shared else folder / "conversation-cache.db"
        data["conversation_cache"] = {"type": "sqlite", "sqlite": {"db_path": str(path)}}
    return data


async def sequential(
    bases: dict[str, str], pids: dict[str, int], n: int, warmup: int
) -> dict[str, dict[str, float]]:
    """Medians per variant, rotating call by call; CPU per request over the measured calls."""
    calls = {name: measure.Call(base, BODY) for name, base in bases.items()}
    # 0.5 s drains: let writers behind the requests finish (their CPU counts)
    samples, cpu = await measure.interleaved_samples(calls, n, warmup, pids, drain=0.5)
    results = {
        name: {**summary(values), "cpu_ms_per_request": cpu[name]}
        for name, values in samples.items()
    }
    for name, values in samples.items():  # round by round: the machine's state cancels out
        base = samples[base_of(name)]
        paired = [value - other for value, other in zip(values, base, strict=True)]
        results[name]["paired_median_diff_ms"] = round(statistics.median(paired), 2)
    return results


async def throughput(
    bases: dict[str, str], pids: dict[str, int], seconds: int, rounds: int
) -> dict[str, Any]:
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in bases}
    cpu = dict.fromkeys(bases, 0.0)
    for _ in range(rounds):
        for name, base in bases.items():
            print(f"  c16 {name} for {seconds}s (load {loadavg():.1f})", file=sys.stderr)
            before = cpu_seconds(pids[name])
            runs[name].append(await measure.load(f"{base}/v1/query", BODY, 16, seconds))
            await asyncio.sleep(0.3)
            cpu[name] += cpu_seconds(pids[name]) - before
    return {
        name: {
            "rps": round(sum(r["rps"] for r in found) / len(found), 1),
            "p99_ms": max(r["p99_ms"] for r in found),
            "errors": sum(r["errors"] for r in found),
            "cpu_ms_per_request": round(cpu[name] * 1000 / sum(r["requests"] for r in found), 2),
        }
        for name, found in runs.items()
    }


def written(variant: str, folder: Path) -> dict[str, int]:
    """Transcript files and cache rows a variant left (checked against its turns)."""
    found: dict[str, int] = {}
    transcripts = folder / "transcripts"
    database = main_database(variant, folder)
    if kind(variant) in WITH_TRANSCRIPTS:
        found["transcripts"] = sum(len(files) for _, _, files in os.walk(transcripts))
    if kind(variant) in WITH_CACHE:
        cache = database if kind(variant) == "on-maindb" else folder / "conversation-cache.db"
        with sqlite3.connect(cache) as connection:
            (count,) = connection.execute("SELECT count(*) FROM cache_entries").fetchone()
        found["cache_rows"] = int(count)
    with sqlite3.connect(database) as connection:
        (turns,) = connection.execute("SELECT count(*) FROM user_turn").fetchone()
    found["turns"] = int(turns)
    return found


def base_of(variant: str) -> str:
    return "off@before" if variant.endswith("@before") else "off"


def differences(results: dict[str, dict[str, Any]], key: str) -> dict[str, float]:
    return {
        name: round(result[key] - results[base_of(name)][key], 2)
        for name, result in results.items()
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--label", default="")
    parser.add_argument("--before", type=Path, help="another src/ tree to compare with")
    args = parser.parse_args()
    variants = [v for v in args.variants.split(",") if v]
    if variants[0] != "off" or not set(variants) <= set(VARIANTS):
        parser.error(f"--variants: 'off' first, then some of {', '.join(VARIANTS)}")
    if args.before is not None:
        variants += [f"{v}@before" for v in variants]
    load_before = loadavg()
    with tempfile.TemporaryDirectory(prefix="offpath-bench-") as tmp:
        root = Path(tmp)
        stub_port = free_port()
        argv = [sys.executable, "-m", "lightspeed_core.testing.scripted_backend"]
        stub = spawn([*argv, "--port", str(stub_port)], root / "stub.log")
        backend = f"http://127.0.0.1:{stub_port}/v1"
        processes = {}
        try:
            wait_http(f"{backend}/models", stub)
            ports = {}
            for name in variants:
                port = ports[name] = free_port()
                folder = root / name
                path = service_config(
                    folder, backend, port, name=f"offpath {name}", **sections(name, folder)
                )
                env = {
                    "LIGHTSPEED_CORE_DATA_DIR": str(folder / "data"),
                    "BENCH_STUB_KEY": "x",
                    "LIGHTSPEED_STACK_LOG_LEVEL": "WARNING",
                    "OGX_LOGGING": "all=error",
                }
                if name.endswith("@before"):
                    env["PYTHONPATH"] = str(args.before.resolve())
                processes[name] = spawn(
                    [str(BIN / "lightspeed-core"), "-c", str(path)], folder / "service.log", env
                )
            bases = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
            for name, base in bases.items():
                wait_http(f"{base}/readiness", processes[name])
            pids = {name: process.pid for name, process in processes.items()}
            print(f"sequential, {args.n} rounds (load {loadavg():.1f})", file=sys.stderr)
            seq = await sequential(bases, pids, args.n, args.warmup)
            load = await throughput(bases, pids, args.seconds, args.rounds)
            await asyncio.sleep(1.0)
            checks = {name: written(name, root / name) for name in variants}
        finally:
            for process in processes.values():
                stop(process)
            stop(stub)
    report = {
        "label": args.label,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_average": [load_before, loadavg()],
        "sequential": seq,
        "sequential_median_overhead_ms": differences(seq, "median_ms"),
        "sequential_paired_overhead_ms": {n: r["paired_median_diff_ms"] for n, r in seq.items()},
        "sequential_cpu_overhead_ms": differences(seq, "cpu_ms_per_request"),
        "c16": load,
        "c16_rps_ratio": {n: round(r["rps"] / load[base_of(n)]["rps"], 3) for n, r in load.items()},
        "c16_cpu_overhead_ms": differences(load, "cpu_ms_per_request"),
        "written": checks,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
