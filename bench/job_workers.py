"""Start-up and memory of the production-shaped service: OGX's job-worker pool, before/after.

``uv run --no-sync python -m bench.job_workers --before /work/main/.venv/bin/lightspeed-core``
starts the service (workers 1 and 2, production profile) with the ``--before`` executable and
with this checkout's, alternating, ``--rounds`` times each: seconds to ``/readiness``, CPU
seconds to ready (all processes), the number of processes and their total RSS 3 s after
ready. The only intended difference is OGX's job-worker pool (``llm/library.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.processes import (
    BIN,
    children_of,
    cpu_seconds,
    free_port,
    rss_mb,
    scripted_backend,
    spawn,
    stop,
    wait_http,
)
from bench.profiles import write_profile


def tree(pid: int) -> list[int]:
    return [pid] + [p for child in children_of(pid) for p in tree(child)]


def one(executable: str, folder: Path, backend: str, workers: int) -> dict[str, Any]:
    port = free_port()
    config = write_profile("production", folder, backend=backend, port=port, workers=workers)
    env = {"LIGHTSPEED_CORE_DATA_DIR": str(folder), "LIGHTSPEED_STACK_LOG_LEVEL": "WARNING"}
    if workers > 1:
        (folder / "metrics").mkdir(exist_ok=True)
        env["PROMETHEUS_MULTIPROC_DIR"] = str(folder / "metrics")
    load = os.getloadavg()[0]
    started = time.perf_counter()
    process = spawn([executable, "-c", str(config)], folder / "service.log", env)
    try:
        wait_http(f"http://127.0.0.1:{port}/readiness", process)
        ready = time.perf_counter() - started
        cpu = cpu_seconds(process.pid)
        time.sleep(3)
        pids = tree(process.pid)
        return {
            "ready_s": round(ready, 2),
            "cpu_to_ready_s": round(cpu, 2),
            "processes": len(pids),
            "rss_total_mb": round(sum(rss_mb(p) for p in pids)),
            "load_avg_1m": round(load, 1),
        }
    finally:
        stop(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="lightspeed-core executable (before)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    variants = {"before": args.before, "after": str(BIN / "lightspeed-core")}
    runs: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="job-workers-") as tmp:
        root = Path(tmp)
        with scripted_backend(root / "stub") as backend:
            for round_ in range(args.rounds):
                for workers in (int(w) for w in args.workers.split(",")):
                    order = list(variants.items())
                    for name, executable in order if round_ % 2 == 0 else order[::-1]:
                        folder = root / f"{name}-w{workers}-{round_}"
                        result = one(executable, folder, backend, workers)
                        runs.setdefault(f"{name}, workers {workers}", []).append(result)
                        print(name, workers, json.dumps(result), flush=True)
    summary = {
        key: {
            field: statistics.median(r[field] for r in found)
            for field in ("ready_s", "cpu_to_ready_s", "processes", "rss_total_mb", "load_avg_1m")
        }
        for key, found in runs.items()
    }
    print(json.dumps({"summary": summary, "runs": runs}, indent=2))


if __name__ == "__main__":
    main()
