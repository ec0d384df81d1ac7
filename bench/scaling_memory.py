"""Memory per worker with the local model: are the GGUF weights shared between workers?

``uv run --no-sync python -m bench.scaling_memory [--workers 2]`` starts the service with the
built-in default (``baseline: default``: the bundled Gemma 3 270M GGUF through xllamacpp,
in-process in every worker), waits until every worker is ready (each has loaded the model
and run one token through every layer), asks one question, and reads from ``/proc`` for the
parent and each worker: RSS, PSS (each shared page divided by the number of processes
mapping it) and anonymous memory from ``smaps_rollup``, and the same for the mappings of
the ``.gguf`` file from ``smaps``. llama.cpp maps the file (``LLAMA_LOAD_MODE_AUTO`` →
mmap): its pages are the kernel's page cache, shared by every process that maps it, so
the weights count once per machine if the file's PSS per worker is its RSS divided by the
number of workers. Results: ``bench/results/scaling_memory.json`` and a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from bench.processes import BIN, ROOT, free_port, spawn, stop, wait_http
from bench.startup import READY_LINE, load_average
from bench.usage import children, file_mapping_mb, memory_mb

RESULTS = ROOT / "bench" / "results" / "scaling_memory.json"


def default_config(folder: Path, port: int, workers: int) -> Path:
    data = {
        "name": "memory",
        "service": {"host": "127.0.0.1", "port": port, "workers": workers, "access_log": False},
        "llama_stack": {"use_as_library_client": True, "config": {"baseline": "default"}},
        "user_data_collection": {},
        "database": {"sqlite": {"db_path": str(folder / "memory.db")}},
    }
    path = folder / "memory.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def wait_workers(log: Path, workers: int, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.read_text(errors="replace").count(READY_LINE) >= workers:
            return
        time.sleep(0.5)
    raise TimeoutError("workers did not all start")


def snapshot(pid: int) -> dict[str, Any]:
    return {"pid": pid, **memory_mb(pid), "gguf": file_mapping_mb(pid, ".gguf")}


def table(result: dict[str, Any]) -> str:
    lines = [
        "| process | RSS MB | PSS MB | anonymous MB | GGUF mapped: RSS MB | GGUF: PSS MB "
        "| GGUF: shared clean MB | GGUF: private MB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    rows = [("parent", result["parent"])] if result["parent"] else []
    rows += [(f"worker {i + 1}", w) for i, w in enumerate(result["workers"])]
    for name, row in rows:
        gguf = row["gguf"]
        private = gguf["private_clean"] + gguf["private_dirty"]
        lines.append(
            f"| {name} | {row['rss']} | {row['pss']} | {row['anonymous']} | {gguf['rss']} | "
            f"{gguf['pss']} | {gguf['shared_clean']} | {round(private, 1)} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scaling-memory-") as tmp:
        folder = Path(tmp)
        port = free_port()
        path = default_config(folder, port, args.workers)
        log = folder / "service.log"
        env = {"LIGHTSPEED_CORE_DATA_DIR": str(folder)}
        process = spawn([str(BIN / "lightspeed-core"), "-c", str(path)], log, env)
        try:
            wait_http(f"http://127.0.0.1:{port}/readiness", process, timeout=300)
            wait_workers(log, args.workers)
            answer = httpx.post(
                f"http://127.0.0.1:{port}/v1/query",
                json={"query": "Say hello", "generate_topic_summary": False},
                timeout=120,
            )
            workers = children(process.pid) if args.workers > 1 else [process.pid]
            result = {
                "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                "workers_configured": args.workers,
                "load_average": load_average(),
                "query_status": answer.status_code,
                "parent": snapshot(process.pid) if args.workers > 1 else None,
                "workers": [snapshot(pid) for pid in workers],
            }
        finally:
            stop(process)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(table(result))


if __name__ == "__main__":
    main()
