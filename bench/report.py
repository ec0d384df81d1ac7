"""Render benchmark results as docs/benchmarks.md (with targets and the machine)."""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform
from pathlib import Path
from typing import Any

REFERENCE = "reference service, same kind of machine, workers: 1: 90 ms sequential median, 12.4 req/s at c16, 8.9 req/s at c64 (p50 6 s)"


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


def _load(run: dict[str, Any], connections: int) -> dict[str, Any] | None:
    return next((x for x in run["load"] if x["connections"] == connections), None)


def targets(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    base = results["baseline"]
    runs = {r["workers"]: r for r in results["runs"]}
    one = runs.get(1)
    if one:
        ratio = one["sequential"]["median_ms"] / base["ogx_responses"]["median_ms"]
        rows.append(("sequential median ≤ 1.5× bare OGX", f"{ratio:.2f}×", _mark(ratio <= 1.5)))
        for c in (16, 64):
            load = _load(one, c)
            if load:
                ok = load["rps"] >= 75 and load["p99_ms"] < 1000 and load["errors"] == 0
                rows.append((f"workers 1, c{c}: ≥ 75 req/s, p99 < 1 s, 0 errors",
                             f"{load['rps']} req/s, p99 {load['p99_ms']} ms, {load['errors']} errors",
                             _mark(ok)))
        overhead = one["ttft"]["median_ms"] - base["backend_ttft"]["median_ms"]
        rows.append(("TTFT overhead ≤ 5 ms (vs the backend's own)", f"{overhead:.1f} ms",
                     _mark(overhead <= 5)))
    two = runs.get(2)
    if two:
        load = _load(two, 64)
        if load:
            rows.append(("workers 2, c64: ≥ 120 req/s", f"{load['rps']} req/s",
                         _mark(load["rps"] >= 120)))
    rss = [mb for r in results["runs"] for mb in r["rss_start_mb"] + r["rss_after_load_mb"]]
    if rss:
        rows.append(("RSS ≤ 250 MB per worker", f"max {max(rss):.0f} MB", _mark(max(rss) <= 250)))
    return rows


def write_report(results: dict[str, Any], output: Path) -> None:
    base = results["baseline"]
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`bench/run.py`); do not edit by hand.",
        "",
        f"* Run: {now}{' (quick mode: short runs, not representative)' if results['quick'] else ''}",
        f"* Machine: {os.cpu_count()} CPUs ({_cpu()}), Python {platform.python_version()}, "
        f"OGX {importlib.metadata.version('ogx')}, load generator: {results['load_tool']}",
        "* Backend: the scripted OpenAI-compatible server (`lightspeed_core.testing.scripted_backend`)"
        " in its own process, answering \"Hello from stub\" in 3 streamed chunks.",
        "* Service: library mode (OGX in-process), SQLite, `noop` auth, body `{\"query\": \"Say hello\"}` "
        "(a new conversation per request: the turn is stored and a topic summary is generated in the "
        "background).",
        f"* For comparison, the {REFERENCE}.",
        "",
        "## Targets",
        "",
        "| target | measured | |",
        "|---|---|---|",
        *(f"| {a} | {b} | {c} |" for a, b, c in targets(results)),
        "",
        "## Latency, sequential (one keep-alive connection)",
        "",
        "| what | median | p95 | n |",
        "|---|---|---|---|",
        f"| scripted backend, direct chat completion | {base['backend']['median_ms']} ms | {base['backend']['p95_ms']} ms | {base['backend']['n']} |",
        f"| bare OGX `responses.create(store=False)` (library client) | {base['ogx_responses']['median_ms']} ms | {base['ogx_responses']['p95_ms']} ms | {base['ogx_responses']['n']} |",
    ]
    for run in results["runs"]:
        seq = run["sequential"]
        lines.append(f"| `/v1/query`, workers {run['workers']} | {seq['median_ms']} ms | {seq['p95_ms']} ms | {seq['n']} |")
    lines += [
        "",
        "## Time to first token (streaming)",
        "",
        "| what | median | p95 |",
        "|---|---|---|",
        f"| scripted backend, direct | {base['backend_ttft']['median_ms']} ms | {base['backend_ttft']['p95_ms']} ms |",
        f"| bare OGX, streamed Responses | {base['ogx_ttft']['median_ms']} ms | {base['ogx_ttft']['p95_ms']} ms |",
    ]
    for run in results["runs"]:
        lines.append(f"| `/v1/streaming_query`, workers {run['workers']} | {run['ttft']['median_ms']} ms | {run['ttft']['p95_ms']} ms |")
    lines += ["", "## Throughput (closed loop, /v1/query)", "",
              "| workers | connections | req/s | p50 | p99 | errors | requests |",
              "|---|---|---|---|---|---|---|"]
    for run in results["runs"]:
        for load in run["load"]:
            lines.append(f"| {run['workers']} | {load['connections']} | {load['rps']} | {load['p50_ms']} ms | {load['p99_ms']} ms | {load['errors']} | {load['requests']} |")
    lines += ["", "## Memory (RSS per worker)", "", "| workers | after start | after load |", "|---|---|---|"]
    for run in results["runs"]:
        start = ", ".join(f"{x:.0f} MB" for x in run["rss_start_mb"])
        after = ", ".join(f"{x:.0f} MB" for x in run["rss_after_load_mb"])
        lines.append(f"| {run['workers']} | {start} | {after} |")
    output.write_text("\n".join(lines) + "\n")
