"""Start-up time: process start to ``/readiness`` 200, with 1 and N workers (issue #10).

Each run starts ``lightspeed-core`` (library mode, the scripted backend, SQLite, a fresh
data folder and database) and polls ``/readiness`` every 20 ms. With several workers a
200 from one worker is not enough: the run ends when every worker logged "Application
startup complete". The first start warms the page cache and the ``.pyc`` files and is not
counted; worker counts alternate from round to round so that drift on a shared machine
spreads over all of them. Results go to ``bench/results/startup.json``; ``--phases`` adds
the breakdown (``bench/startup_phases.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.processes import BIN, ROOT, cpu_seconds, free_port, scripted_backend, service_config

READY_LINE = "Application startup complete"
RESULTS = ROOT / "bench" / "results" / "startup.json"


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def _ready(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def one_start(folder: Path, backend: str, workers: int, timeout: float = 180) -> dict[str, Any]:
    """Seconds from spawning the service to readiness (first 200, then every worker)."""
    port = free_port()
    config = service_config(folder, backend, port, name=f"startup-{workers}", workers=workers)
    log = folder / f"service-{workers}.log"
    env = {
        "BENCH_STUB_KEY": "x",
        "LIGHTSPEED_CORE_DATA_DIR": str(folder / "data"),
        "LIGHTSPEED_STACK_LOG_LEVEL": "INFO",
        "OGX_LOGGING": "all=error",
        "PROMETHEUS_MULTIPROC_DIR": "",
    }
    if workers > 1:
        (folder / "metrics").mkdir(exist_ok=True)
        env["PROMETHEUS_MULTIPROC_DIR"] = str(folder / "metrics")
    else:
        del env["PROMETHEUS_MULTIPROC_DIR"]
    load = load_average()
    started = time.perf_counter()
    with log.open("wb") as handle:  # own session: stop() reaches workers too
        process = subprocess.Popen(
            [str(BIN / "lightspeed-core"), "-c", str(config)],
            stdout=handle,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
            start_new_session=True,
        )
    first: float | None = None
    try:
        deadline = started + timeout
        while time.perf_counter() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"service exited ({process.returncode}):\n{log.read_text()}")
            if first is None and _ready(f"http://127.0.0.1:{port}/readiness"):
                first = time.perf_counter() - started
            if first is not None and log.read_text().count(READY_LINE) >= workers:
                all_ready = time.perf_counter() - started
                forked = "workers are forked" in log.read_text()
                return {
                    "workers": workers,
                    "first_ready_s": round(first, 3),
                    "all_ready_s": round(all_ready, 3),
                    "cpu_s": round(cpu_seconds(process.pid), 2),
                    "forked": forked,
                    "load_avg_1m": load,
                }
            time.sleep(0.02)
        raise TimeoutError(f"not ready after {timeout} s:\n{log.read_text()[-3000:]}")
    finally:
        stop_session(process)


def stop_session(process: subprocess.Popen[bytes]) -> None:
    """SIGINT to the service's process group, SIGKILL to what is left after 20 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=20)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for workers in sorted({r["workers"] for r in runs}):
        failed = [r for r in runs if r["workers"] == workers and "all_ready_s" not in r]
        mine = [r for r in runs if r["workers"] == workers and "all_ready_s" in r]
        if not mine:
            summary[str(workers)] = {"n": 0, "not_ready": len(failed)}
            continue
        summary[str(workers)] = {
            "n": len(mine),
            "not_ready": len(failed),
            "first_ready_median_s": round(statistics.median(r["first_ready_s"] for r in mine), 2),
            "all_ready_median_s": round(statistics.median(r["all_ready_s"] for r in mine), 2),
            "all_ready_min_s": round(min(r["all_ready_s"] for r in mine), 2),
            "all_ready_max_s": round(max(r["all_ready_s"] for r in mine), 2),
            "cpu_median_s": round(statistics.median(r.get("cpu_s", 0.0) for r in mine), 2),
            "load_avg_median": round(statistics.median(r["load_avg_1m"] for r in mine), 2),
        }
    return summary


def table(summary: dict[str, Any]) -> str:
    lines = [
        "| workers | first /readiness 200 (median) | all workers ready (median, min-max) "
        "| CPU to ready (median) | runs | load average (1 min, median) |",
        "|---|---|---|---|---|---|",
    ]
    for workers, s in summary.items():
        if not s["n"]:
            lines.append(f"| {workers} | never ready ({s['not_ready']} runs) | | | | |")
            continue
        lines.append(
            f"| {workers} | {s['first_ready_median_s']} s | {s['all_ready_median_s']} s "
            f"({s['all_ready_min_s']}-{s['all_ready_max_s']}) | {s['cpu_median_s']} s "
            f"| {s['n']} (+{s['not_ready']} never ready) "
            f"| {s['load_avg_median']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="counted starts per worker count")
    parser.add_argument("--workers", default="1,4", help="worker counts (default 1,4)")
    parser.add_argument("--label", default="current", help="name of this measurement")
    parser.add_argument("--phases", action="store_true", help="also measure the breakdown")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--timeout", type=float, default=180, help="seconds before giving up")
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    runs: list[dict[str, Any]] = []
    with (
        tempfile.TemporaryDirectory(prefix="lightspeed-startup-") as tmp,
        scripted_backend(Path(tmp)) as backend,
    ):
        folder = Path(tmp)
        one_start(folder / "warm-up", backend, 1)
        for round_ in range(args.runs):
            order = counts if round_ % 2 == 0 else counts[::-1]
            for workers in order:
                try:
                    run = one_start(
                        folder / f"run-{round_}-{workers}", backend, workers, args.timeout
                    )
                except TimeoutError:  # counted as a failed start, not in the medians
                    run = {"workers": workers, "not_ready_after_s": args.timeout}
                print(json.dumps(run), file=sys.stderr)
                runs.append(run)
    result: dict[str, Any] = {
        "label": args.label,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpus": os.cpu_count(),
        "runs": runs,
        "summary": summarize(runs),
    }
    if args.phases:
        from bench.startup_phases import measure_phases

        result["phases"] = measure_phases()
    previous = json.loads(args.output.read_text()) if args.output.exists() else {}
    previous[args.label] = result
    args.output.write_text(json.dumps(previous, indent=2) + "\n")
    print(table(result["summary"]))


if __name__ == "__main__":
    main()
