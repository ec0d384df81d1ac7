"""Added latency of inline RAG on ``/v1/query`` (issue #6's closing note).

``uv run --no-sync python -m bench.rag_latency [--n 50]`` starts the scripted backend,
indexes ``examples/knowledge`` offline (``lightspeed-core rag index``) and starts two
services (one worker each, library mode): without RAG, and with the store as inline source
(``rag.retrieval.inline``: the question is embedded with MiniLM, faiss is searched, the
best chunks are appended to the question). After a warm-up it sends ``--n`` sequential
requests to each, interleaved round by round so machine load hits both alike, and prints
median/p95 and the difference.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.processes import BIN, free_port, service_config, spawn, stop, wait_http
from lightspeed_core.testing.scripted_backend import BackgroundServer

KNOWLEDGE = Path(__file__).parents[1] / "examples" / "knowledge"
BODY = {"query": "How do I index my own documents?", "generate_topic_summary": False}


def config(folder: Path, backend: str, port: int, rag: dict[str, Any] | None) -> Path:
    sections: dict[str, Any] = {} if rag is None else {"rag": rag}
    return service_config(folder, backend, port, name="rag latency", **sections)


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2),
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


def index(db: Path) -> None:
    argv = [str(BIN / "lightspeed-core"), "rag", "index", str(KNOWLEDGE), "--store", "docs"]
    subprocess.run([*argv, "--db", str(db)], check=True, capture_output=True)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args()
    backend = BackgroundServer().start()
    processes = []
    with tempfile.TemporaryDirectory(prefix="rag-bench-") as tmp:
        root = Path(tmp)
        index(root / "docs.db")
        store: dict[str, Any] = {
            "rag_id": "docs",
            "vector_db_id": "docs",
            "db_path": str(root / "docs.db"),
        }
        store |= {"embedding_model": "all-MiniLM-L6-v2", "embedding_dimension": 384}
        inline = {"inline": {"sources": ["docs"], "max_chunks": 5}}
        variants: dict[str, dict[str, Any] | None] = {
            "no RAG": None,
            "inline RAG": {"byok": {"stores": [store]}, "retrieval": inline},
        }
        bases = {}
        try:
            for number, (name, rag) in enumerate(variants.items()):
                port = free_port()
                folder = root / f"v{number}"
                path = config(folder, backend.base_url, port, rag)
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
    base = results["no RAG"]["median_ms"]
    for result in results.values():
        result["median_added_ms"] = round(result["median_ms"] - base, 2)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
