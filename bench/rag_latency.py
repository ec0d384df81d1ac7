"""Added latency of inline RAG on ``/v1/query``, and what of it is the embedding (issue 15).

``uv run --no-sync python -m bench.rag_latency [--n 50] [--before SRC]`` starts the scripted
backend, indexes ``examples/knowledge`` offline (``lightspeed-core rag index``) and starts
two services (one worker each, library mode): without RAG, and with the store as inline
source (``rag.retrieval.inline``: the question is embedded with MiniLM, faiss is searched,
the best chunks are appended to the question). ``--before SRC`` adds the same two services
run from another checkout's ``src`` folder (on ``PYTHONPATH``, ahead of this one), so an
earlier version is measured in the same rounds.

Each round sends one request to every service in turn (the order rotates from round to
round) and embeds the question once in this
process with the same encoder (``MiniLMEncoder.encode``, one BLAS thread, as the service
does): the embedding itself, under the same machine load. The report gives, per variant,
the median and p95 wall time, the service's CPU time per request (``/proc``; it does not
move with the load of the machine the way wall time does), what inline RAG adds at the
median, and that minus the embedding's median: the overhead of inline RAG around the
embedding (issue 15's target: at most 5 ms); ``added_over_embedding_paired_ms`` is the median
over rounds of that difference taken within each round (RAG - no RAG - embedding), steadier
when the load of the machine changes from second to second. The load average is printed
before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.processes import BIN, cpu_seconds, free_port, service_config, spawn, stop, wait_http
from lightspeed_core.testing.scripted_backend import BackgroundServer

KNOWLEDGE = Path(__file__).parents[1] / "examples" / "knowledge"
QUESTION = "How do I index my own documents?"
BODY = {"query": QUESTION, "generate_topic_summary": False}
EMBEDDING = "embedding alone"


def config(folder: Path, backend: str, port: int, rag: dict[str, Any] | None) -> Path:
    sections: dict[str, Any] = {} if rag is None else {"rag": rag}
    return service_config(folder, backend, port, name="rag latency", **sections)


def summary(samples: list[float], cpu: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2),
        "cpu_ms": round(statistics.mean(cpu), 2) if cpu else 0.0,
        "n": len(ordered),
    }


class Embedding:
    """The question embedded in this process, as the service embeds it."""

    def __init__(self) -> None:
        from lightspeed_ogx.minilm.encoder import MiniLMEncoder

        self._encoder = MiniLMEncoder()

    def __call__(self) -> tuple[float, float]:
        """Wall and CPU milliseconds of one embedding."""
        cpu, start = time.thread_time(), time.perf_counter()
        self._encoder.encode([QUESTION])
        return (time.perf_counter() - start) * 1000, (time.thread_time() - cpu) * 1000


async def measure(
    services: dict[str, tuple[str, int]], n: int, warmup: int
) -> dict[str, dict[str, float]]:
    """``n`` rounds (after ``warmup``): each service once, then the embedding alone."""
    clients = {
        name: httpx.AsyncClient(base_url=base, timeout=60) for name, (base, _) in services.items()
    }
    embed = Embedding()
    names = [*services, EMBEDDING]
    wall: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    try:
        order = list(clients)
        for round_number in range(warmup + n):
            order = order[1:] + order[:1]  # every variant takes every place in the round
            for name in order:
                client, pid = clients[name], services[name][1]
                before, start = cpu_seconds(pid), time.perf_counter()
                reply = await client.post("/v1/query", json=BODY)
                elapsed = (time.perf_counter() - start) * 1000
                used = (cpu_seconds(pid) - before) * 1000
                reply.raise_for_status()
                if round_number >= warmup:
                    wall[name].append(elapsed)
                    cpu[name].append(used)
            elapsed, used = embed()
            if round_number >= warmup:
                wall[EMBEDDING].append(elapsed)
                cpu[EMBEDDING].append(used)
    finally:
        for client in clients.values():
            await client.aclose()
    results = {name: summary(wall[name], cpu[name]) for name in names}
    for suffix in ("", " (before)"):
        if f"inline RAG{suffix}" in wall:
            rag, base = wall[f"inline RAG{suffix}"], wall[f"no RAG{suffix}"]
            beyond = [r - b - e for r, b, e in zip(rag, base, wall[EMBEDDING], strict=True)]
            paired = round(statistics.median(beyond), 2)
            results[f"inline RAG{suffix}"]["added_over_embedding_paired_ms"] = paired
    return results


def index(db: Path) -> None:
    argv = [str(BIN / "lightspeed-core"), "rag", "index", str(KNOWLEDGE), "--store", "docs"]
    subprocess.run([*argv, "--db", str(db)], check=True, capture_output=True)


def variants(
    root: Path, before: Path | None
) -> dict[str, tuple[dict[str, Any] | None, Path | None]]:
    """Name -> (``rag`` section, ``src`` folder to run from; None: this checkout)."""
    store: dict[str, Any] = {
        "rag_id": "docs",
        "vector_db_id": "docs",
        "db_path": str(root / "docs.db"),
    }
    store |= {"embedding_model": "all-MiniLM-L6-v2", "embedding_dimension": 384}
    inline = {"inline": {"sources": ["docs"], "max_chunks": 5}}
    rag = {"byok": {"stores": [store]}, "retrieval": inline}
    found: dict[str, tuple[dict[str, Any] | None, Path | None]] = {
        "no RAG": (None, None),
        "inline RAG": (rag, None),
    }
    if before is not None:
        found |= {"no RAG (before)": (None, before), "inline RAG (before)": (rag, before)}
    return found


def report(results: dict[str, dict[str, float]]) -> None:
    embedding = results[EMBEDDING]["median_ms"]
    for suffix in ("", " (before)"):
        if f"inline RAG{suffix}" not in results:
            continue
        base, rag = results[f"no RAG{suffix}"], results[f"inline RAG{suffix}"]
        rag["added_ms"] = round(rag["median_ms"] - base["median_ms"], 2)
        rag["added_over_embedding_ms"] = round(rag["added_ms"] - embedding, 2)
        rag["added_cpu_ms"] = round(rag["cpu_ms"] - base["cpu_ms"], 2)
        cpu_embedding = results[EMBEDDING]["cpu_ms"]
        rag["added_cpu_over_embedding_ms"] = round(rag["added_cpu_ms"] - cpu_embedding, 2)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--before", type=Path, help="src folder of an earlier checkout")
    args = parser.parse_args()
    backend = BackgroundServer().start()
    processes = []
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="rag-bench-") as tmp:
        root = Path(tmp)
        index(root / "docs.db")
        services = {}
        try:
            for number, (name, (rag, src)) in enumerate(variants(root, args.before).items()):
                port = free_port()
                folder = root / f"v{number}"
                path = config(folder, backend.base_url, port, rag)
                env = {"LIGHTSPEED_CORE_DATA_DIR": str(folder), "BENCH_STUB_KEY": "x"}
                if src is not None:
                    env["PYTHONPATH"] = str(src.resolve())
                process = spawn(
                    [str(BIN / "lightspeed-core"), "-c", str(path)], folder / "service.log", env
                )
                processes.append(process)
                wait_http(f"http://127.0.0.1:{port}/liveness", process)
                services[name] = (f"http://127.0.0.1:{port}", process.pid)
            results = await measure(services, args.n, args.warmup)
        finally:
            for process in processes:
                stop(process)
            backend.stop()
    report(results)
    load = {"load_average_before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)}
    print(json.dumps({**results, "load": load}, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
