"""``make bench``: measure the service against the scripted backend; write docs/benchmarks.md.

Measures (issue #3): sequential ``/v1/query`` median/p95 versus bare OGX
``responses.create(store=False)``; throughput and p99 at concurrency 16 and 64 for 20 s;
streaming time-to-first-token versus the backend's own; RSS per worker after start and
after load - with ``service.workers`` 1 and 2. The scripted backend runs in its own
process; the load generator is wrk when installed, else an async httpx script.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench import measure
from bench.processes import (
    ROOT,
    free_port,
    scripted_backend,
    service_config,
    start_service,
    stop,
    worker_rss_mb,
)
from bench.report import rewrite_kept_sections, write_report

# One model call per request, like the bare-OGX baseline. A new conversation's topic summary
# is a second model call; DEFAULT_QUERY measures that cost separately.
QUERY = {"query": "Say hello", "generate_topic_summary": False}
DEFAULT_QUERY = {"query": "Say hello"}


def bench_config(folder: Path, backend: str, port: int, workers: int) -> Path:
    return service_config(folder, backend, port, name=f"bench-{workers}", workers=workers)


def run_baseline(config: Path, folder: Path, n: int) -> dict[str, Any]:
    env = {**os.environ, "BENCH_STATE": str(folder / "baseline-state"), "BENCH_STUB_KEY": "x"}
    done = subprocess.run(
        [sys.executable, "-m", "bench.baseline", "--config", str(config), "--n", str(n)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise RuntimeError(f"baseline failed:\n{done.stderr[-3000:]}")
    out = done.stdout
    line = next(x for x in out.splitlines() if x.startswith("BASELINE "))
    result: dict[str, Any] = json.loads(line.removeprefix("BASELINE "))
    return result


def average_baselines(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Mean of two baseline runs (before and after the service runs), keeping both."""
    merged: dict[str, Any] = {"runs": [first, second]}
    for key, stats in first.items():
        merged[key] = {
            "median_ms": round((stats["median_ms"] + second[key]["median_ms"]) / 2, 2),
            "p95_ms": round((stats["p95_ms"] + second[key]["p95_ms"]) / 2, 2),
            "n": stats["n"] + second[key]["n"],
        }
    return merged


async def run_service(
    folder: Path, backend: str, workers: int, n: int, seconds: int, levels: list[int]
) -> dict[str, Any]:
    port = free_port()
    config = bench_config(folder, backend, port, workers)
    env = {"LIGHTSPEED_STACK_LOG_LEVEL": "WARNING", "OGX_LOGGING": "all=error"}
    process, base = start_service(config, folder / f"data-{workers}", port, env, "/readiness")
    try:
        await asyncio.sleep(3 if workers > 1 else 1)  # let every worker finish starting
        result: dict[str, Any] = {"workers": workers, "rss_start_mb": worker_rss_mb(process.pid)}
        print(f"  workers={workers}: sequential", file=sys.stderr)
        result["sequential"] = await measure.sequential(base, QUERY, n, 30)
        print(f"  workers={workers}: time to first token", file=sys.stderr)
        result["ttft"] = await measure.ttft(base, QUERY, max(50, n // 3), 10)
        result["load"] = []
        for connections in levels:
            print(f"  workers={workers}: load c{connections} for {seconds}s", file=sys.stderr)
            result["load"].append(
                await measure.load(f"{base}/v1/query", QUERY, connections, seconds)
            )
        if workers == 1:
            print(f"  workers={workers}: load c16 with topic summaries", file=sys.stderr)
            result["load_with_topics"] = await measure.load(
                f"{base}/v1/query", DEFAULT_QUERY, 16, seconds
            )
        result["rss_after_load_mb"] = worker_rss_mb(process.pid)
        return result
    finally:
        stop(process)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="short runs (smoke test of the harness)"
    )
    parser.add_argument("--workers", default="1,2", help="worker counts to measure (default 1,2)")
    parser.add_argument("--seconds", type=int, default=20, help="seconds per load level")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument(
        "--render",
        action="store_true",
        help="only rewrite the report from the last run (bench/results/latest.json; without it, "
        "the lean tables already in the report are kept), e.g. "
        "after editing bench/analysis.md",
    )
    args = parser.parse_args()
    latest = ROOT / "bench" / "results" / "latest.json"
    if args.render:
        if latest.is_file():
            write_report(json.loads(latest.read_text()), args.output)
        else:  # a fresh clone: the lean tables stay as the last run wrote them
            rewrite_kept_sections(args.output)
        print(f"wrote {args.output}", file=sys.stderr)
        return
    n, seconds = (60, 3) if args.quick else (300, args.seconds)
    with (
        tempfile.TemporaryDirectory(prefix="lightspeed-bench-") as tmp,
        scripted_backend(Path(tmp)) as backend,
    ):
        folder = Path(tmp)
        print("baseline: bare backend and bare OGX", file=sys.stderr)
        config = bench_config(folder, backend, free_port(), 1)
        before = run_baseline(config, folder, n)
        runs = []
        for workers in (int(w) for w in args.workers.split(",")):
            runs.append(await run_service(folder, backend, workers, n, seconds, [16, 64]))
        print("baseline again (the machine drifts; the ratio uses the mean)", file=sys.stderr)
        baseline = average_baselines(before, run_baseline(config, folder, n))
    results = {
        "baseline": baseline,
        "runs": runs,
        "quick": args.quick,
        "load_tool": "wrk" if measure.wrk_available() else "python",
    }
    latest.write_text(json.dumps(results, indent=2))
    write_report(results, args.output)
    print(f"wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    asyncio.run(main())
