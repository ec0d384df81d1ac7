"""Ratios and the markdown section of the production-shaped benchmark (``bench.production``)."""

from __future__ import annotations

import importlib.metadata
import os
import platform
from pathlib import Path
from typing import Any

SECTION = Path(__file__).with_name("production.md")
START = "<!-- production-shaped: start (bench/production.py) -->"
END = "<!-- production-shaped: end -->"
# Issue 15's measurement of the reference (same profile, same backend, these 2 cores), used
# only when the reference cannot start in this run; always labelled so.
RECORDED_REFERENCE = {
    "sequential_ms": 93.5,
    "ttft_ms": 43.3,
    "c16_rps": 9.1,
    "c64_rps": 7.2,
    "c64_p99_ms": 11500.0,
    "startup_s": 10.1,
    "rss_mb": 419.0,
}
OPERATOR = "Lightspeed Core, workers 2"  # what an operator sets on 2 cores


def _load(results: dict[str, Any], name: str, connections: int) -> dict[str, Any] | None:
    runs = results.get("load", {}).get(name, [])
    return next((r for r in runs if r["connections"] == connections), None)


def _reference_rps(results: dict[str, Any], connections: int) -> tuple[float, str]:
    """The best reference throughput of this run, or the recorded one (and which it is)."""
    seen = [
        load["rps"]
        for name in results.get("load", {})
        if name.startswith("reference") and (load := _load(results, name, connections)) is not None
    ]
    if seen:
        return max(seen), "this run"
    return RECORDED_REFERENCE[f"c{connections}_rps"], "recorded in issue 15 (not this run)"


def ratios(results: dict[str, Any]) -> dict[str, Any]:
    """Issue 15's goals, computed from one run's results."""
    out: dict[str, Any] = {}
    sequential = results["sequential"]
    bare = sequential["bare OGX"]["median_ms"]
    bare_ttft = results["ttft"]["bare OGX"]["median_ms"]
    for name, stats in sequential.items():
        if name.startswith("Lightspeed Core"):
            out[f"sequential {name} / bare OGX (goal <= 1.3)"] = round(stats["median_ms"] / bare, 2)
            ttft = results["ttft"][name]["median_ms"]
            out[f"TTFT {name} - bare OGX, ms (goal <= 2)"] = round(ttft - bare_ttft, 2)
    for connections in (16, 64):
        ours = _load(results, OPERATOR, connections)
        ogx = _load(results, "bare OGX server", connections)
        if ours is None:
            continue
        if ogx is not None:
            out[f"c{connections} ours (workers 2) / bare OGX server (goal >= 0.9)"] = round(
                ours["rps"] / ogx["rps"], 2
            )
        rps, source = _reference_rps(results, connections)
        out[f"c{connections} ours (workers 2) / reference (goal >= 20), reference {source}"] = (
            round(ours["rps"] / rps, 1)
        )
    return out


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _versions() -> str:
    ours = importlib.metadata.version("lightspeed-core")
    ogx = importlib.metadata.version("ogx")
    return f"Lightspeed Core {ours}, OGX {ogx}, Python {platform.python_version()}"


def write_section(results: dict[str, Any], path: Path = SECTION) -> str:
    """Render the section (markdown) and write it to ``path``; returns it."""
    names = list(results["sequential"])
    lines = [
        "## Production-shaped configuration",
        "",
        "Written by `make bench-production` (`bench/production.py`); do not edit by hand.",
        "",
        f"* Run: {results['date']}; machine: {os.cpu_count()} CPUs, shared with other work "
        f"(1-minute load average during the run: {min(results['load_average_1m'])}-"
        f"{max(results['load_average_1m'])}); {_versions()}.",
        "* Profile: `bench/profiles/production/` (`lightspeed-stack.yaml` in the reference's "
        "format + `run.yaml` modelled on the reference's default profile: responses, "
        "conversations, files, file_processors, inference, tool_runtime, vector_io; transcripts "
        "and feedback on; SQLite conversation cache; noop auth; SQLite database), written into a "
        'temporary folder per variant. Body `{"query": "Say hello"}` (a topic summary is '
        "generated for each new conversation, off the request path).",
        "* Bare OGX: `responses.create(store=False)` through the library client over the run "
        "config the service synthesises from the profile (OGX's inference store off, as the "
        "service runs it); server mode: `ogx run` on the same run config, `/v1/responses` "
        "under load.",
        "* Variants alternate round by round (sequential, TTFT) and run by run within each "
        "load level (wrk, closed loop, "
        f"{results['load'][names[1]][0]['seconds'] if len(names) > 1 else '?'} s per run).",
    ]
    ref = results["reference"]
    if not ref["started"]:
        lines.append(
            f"* **Reference not measured in this run**: {ref['why']}. (When this was written, "
            "every published lightspeed-stack wheel lacked its top-level modules: "
            "`bench/reference.py`.) The reference ratios below use issue 15's recorded figures "
            f"({RECORDED_REFERENCE['c16_rps']} req/s at c16, {RECORDED_REFERENCE['c64_rps']} "
            "req/s at c64) and say so."
        )
    lines += ["", "### Goals (issue 15)", "", _row("ratio", "measured"), "|---|---|"]
    lines += [_row(name, value) for name, value in results["ratios"].items()]
    lines += ["", "### Latency", ""]
    lines += [_row("variant", "sequential median (p95)", "TTFT median (p95)"), "|---|---|---|"]
    for name in names:
        seq, first = results["sequential"][name], results["ttft"][name]
        lines.append(
            _row(
                name,
                f"{seq['median_ms']} ms ({seq['p95_ms']})",
                f"{first['median_ms']} ms ({first['p95_ms']})",
            )
        )
    lines += ["", "### Throughput, start-up, memory", ""]
    lines.append(
        _row(
            "variant",
            "c16 req/s (p99, errors)",
            "c64 req/s (p99, errors)",
            "CPU ms per request (c16, c64)",
            "start-up to ready",
            "RSS per worker after load",
        )
    )
    lines.append("|---|---|---|---|---|---|")
    for name, runs in results["load"].items():
        cells = [
            f"{r['rps']} ({r['p99_ms']} ms, {r['errors']})"
            for r in sorted(runs, key=lambda r: r["connections"])
        ]
        ordered = sorted(runs, key=lambda r: r["connections"])
        cpu = ", ".join(str(r.get("cpu_ms_per_request", "?")) for r in ordered)
        rss = ", ".join(f"{mb:.0f} MB" for mb in results["rss_mb"].get(name, []))
        startup = f"{results['startup_s'].get(name, '')} s"
        lines.append(_row(name, *cells, cpu, startup, rss))
    lines += [
        "",
        "CPU per request: all the service's processes, from `/proc`, including the deferred "
        "work (topic summaries) it finishes after each run; unlike req/s it hardly moves with "
        "the machine's other load. RSS per worker includes OGX's job-worker processes that "
        "the worker started; with several workers the supervisor (the parent, which started "
        "and stopped OGX once before forking) is not counted. The sequential baseline is "
        "OGX's library client, which costs more than the stack call the service makes.",
        "",
        "Command: `make bench-production` (`uv run --no-sync python -m bench.production`; "
        "`--seconds`, `--n`, `--workers`). Results: `bench/results/production.json`. "
        "Where the time goes: `bench/results/prodbench-analysis.md`.",
    ]
    text = "\n".join(lines) + "\n"
    path.write_text(text)
    return text


def update_docs(section: str, output: Path) -> None:
    """Put ``section`` between the markers in ``output`` (appended the first time)."""
    text = output.read_text() if output.exists() else ""
    block = f"{START}\n{section.rstrip()}\n{END}"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    output.write_text(text)
