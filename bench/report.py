"""Render benchmark results as docs/benchmarks.md (with targets and the machine)."""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform
from pathlib import Path
from typing import Any

ANALYSIS = Path(__file__).with_name("analysis.md")
PRODUCTION = Path(__file__).with_name("production.md")  # written by bench/production.py
SCALING = Path(__file__).with_name("results") / "scaling.md"  # bench/scaling_report.py
REFERENCE = (
    "reference service on the same kind of machine and backend with workers: 1: 90 ms "
    "sequential median, 12.4 req/s at c16, 8.9 req/s at c64 (p50 6 s)"
)


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _mark(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _ms(stats: dict[str, Any], key: str) -> str:
    return f"{stats[key]} ms"


def _load(run: dict[str, Any], connections: int) -> dict[str, Any] | None:
    return next((x for x in run["load"] if x["connections"] == connections), None)


def targets(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    base = results["baseline"]
    runs = {r["workers"]: r for r in results["runs"]}
    one = runs.get(1)
    if one:
        ratio = one["sequential"]["median_ms"] / base["ogx_responses"]["median_ms"]
        rows.append(("sequential median <= 1.5x bare OGX", f"{ratio:.2f}x", _mark(ratio <= 1.5)))
        for c in (16, 64):
            load = _load(one, c)
            if load:
                ok = load["rps"] >= 75 and load["p99_ms"] < 1000 and load["errors"] == 0
                seen = f"{load['rps']} req/s, p99 {load['p99_ms']} ms, {load['errors']} errors"
                rows.append((f"workers 1, c{c}: >= 75 req/s, p99 < 1 s, 0 errors", seen, _mark(ok)))
        backend = one["ttft"]["median_ms"] - base["backend_ttft"]["median_ms"]
        ogx = one["ttft"]["median_ms"] - base["ogx_ttft"]["median_ms"]
        rows.append(
            (
                "TTFT overhead <= 5 ms",
                f"{backend:.1f} ms over the backend's own; {ogx:.1f} ms over bare OGX",
                _mark(backend <= 5),
            )
        )
    two = runs.get(2)
    if two and (load := _load(two, 64)):
        rows.append(
            ("workers 2, c64: >= 120 req/s", f"{load['rps']} req/s", _mark(load["rps"] >= 120))
        )
    rss = [mb for r in results["runs"] for mb in r["rss_start_mb"] + r["rss_after_load_mb"]]
    if rss:
        rows.append(("RSS <= 250 MB per worker", f"max {max(rss):.0f} MB", _mark(max(rss) <= 250)))
    return rows


def _header(results: dict[str, Any]) -> list[str]:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    quick = " (quick mode: short runs, not representative)" if results["quick"] else ""
    return [
        "# Benchmarks",
        "",
        "Written by `make bench` (`bench/run.py`); do not edit by hand.",
        "",
        f"* Run: {now}{quick}",
        f"* Machine: {os.cpu_count()} CPUs ({_cpu()}), Python {platform.python_version()}, "
        f"OGX {importlib.metadata.version('ogx')}, load generator: {results['load_tool']}",
        "* Backend: the scripted OpenAI-compatible server "
        "(`lightspeed_core.testing.scripted_backend`) in its own process, answering "
        '"Hello from stub" in 3 streamed chunks.',
        "* Service: library mode (OGX in-process), SQLite, `noop` auth, body "
        '`{"query": "Say hello", "generate_topic_summary": false}`: a new conversation per '
        "request and its turn stored, one model call per request like the baseline. A new "
        "conversation's topic summary is a second model call, queued until the worker is quiet "
        "(at most 30 s): its cost is measured separately below.",
        f"* For comparison, the {REFERENCE}.",
    ]


def write_report(results: dict[str, Any], output: Path) -> None:
    base = results["baseline"]
    lines = [
        *_header(results),
        "",
        "## Targets",
        "",
        _row("target", "measured", ""),
        "|---|---|---|",
    ]
    lines += [_row(*t) for t in targets(results)]
    lines += ["", "## Latency, sequential (one keep-alive connection)", ""]
    lines += [_row("what", "median", "p95", "n"), "|---|---|---|---|"]
    for name, stats in (
        ("scripted backend, direct chat completion", base["backend"]),
        ("bare OGX `responses.create(store=False)` (library client)", base["ogx_responses"]),
    ):
        lines.append(_row(name, _ms(stats, "median_ms"), _ms(stats, "p95_ms"), stats["n"]))
    if "runs" in base:
        seen = " and ".join(f"{r['ogx_responses']['median_ms']} ms" for r in base["runs"])
        lines.append(_row("(bare OGX median before and after the service runs)", seen, "", ""))
    for run in results["runs"]:
        seq = run["sequential"]
        name = f"`/v1/query`, workers {run['workers']}"
        lines.append(_row(name, _ms(seq, "median_ms"), _ms(seq, "p95_ms"), seq["n"]))
    lines += ["", "## Time to first token (streaming)", ""]
    lines += [_row("what", "median", "p95"), "|---|---|---|"]
    for name, stats in (
        ("scripted backend, direct", base["backend_ttft"]),
        ("bare OGX, streamed Responses", base["ogx_ttft"]),
    ):
        lines.append(_row(name, _ms(stats, "median_ms"), _ms(stats, "p95_ms")))
    for run in results["runs"]:
        name = f"`/v1/streaming_query`, workers {run['workers']}"
        lines.append(_row(name, _ms(run["ttft"], "median_ms"), _ms(run["ttft"], "p95_ms")))
    lines += ["", "## Throughput (closed loop, /v1/query)", ""]
    lines += [_row("workers", "connections", "req/s", "p50", "p99", "errors", "requests")]
    lines.append("|---|---|---|---|---|---|---|")
    for run in results["runs"]:
        for x in run["load"]:
            lines.append(
                _row(
                    run["workers"],
                    x["connections"],
                    x["rps"],
                    f"{x['p50_ms']} ms",
                    f"{x['p99_ms']} ms",
                    x["errors"],
                    x["requests"],
                )
            )
    for run in results["runs"]:
        x = run.get("load_with_topics")
        if x:
            lines += [
                "",
                'With the default body `{"query": "Say hello"}` (topic summary on: two model '
                f"calls per new conversation), workers {run['workers']}, c{x['connections']}: "
                f"{x['rps']} req/s, p50 {x['p50_ms']} ms, p99 {x['p99_ms']} ms, "
                f"{x['errors']} errors.",
            ]
    lines += ["", "## Memory (RSS per worker)", "", _row("workers", "after start", "after load")]
    lines.append("|---|---|---|")
    for run in results["runs"]:
        start = ", ".join(f"{x:.0f} MB" for x in run["rss_start_mb"])
        after = ", ".join(f"{x:.0f} MB" for x in run["rss_after_load_mb"])
        lines.append(_row(run["workers"], start, after))
    notes = results.get("notes")
    if notes:
        lines += ["", "## Notes", "", *notes]
    output.write_text("\n".join(lines + _kept_sections()) + "\n")


def _kept_sections() -> list[str]:
    """What follows the lean run's tables: the analysis and the other benchmarks' results."""
    lines = []
    if ANALYSIS.is_file():  # hand-written: profiles, what bounds a missed target
        lines += ["", ANALYSIS.read_text().rstrip()]
    if PRODUCTION.is_file():  # the last `make bench-production`, kept between its markers
        from bench.production_report import END, START

        lines += ["", START, PRODUCTION.read_text().rstrip(), END]
    if SCALING.is_file():  # the last `make bench-scaling` (several runs merged)
        lines += ["", SCALING.read_text().rstrip()]
    return lines


def rewrite_kept_sections(output: Path) -> None:
    """Rewrite the sections after the lean run's tables, keeping those tables as they are.

    For ``--render`` without the lean run's raw results (``bench/results/latest.json`` is not
    committed): a fresh clone can still refresh the analysis and the other results.
    """
    first = ANALYSIS.read_text().splitlines()[0]
    current = output.read_text().splitlines()
    if first not in current:
        raise SystemExit(f"{output} has no '{first}' line: run the benchmarks (make bench)")
    lean = current[: current.index(first)]
    while lean and not lean[-1]:
        lean.pop()
    output.write_text("\n".join(lean + _kept_sections()) + "\n")
