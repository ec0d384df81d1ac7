"""Markdown tables of ``bench.scaling`` runs (medians over their rounds).

``uv run --no-sync python -m bench.scaling_report --labels "run B,run C"`` merges the runs
with those labels from ``bench/results/scaling.json`` (each run's rows count as rounds:
the same processes layout and variants, measured one after the other) and prints the tables.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Any

from bench.usage import per_core_ratios, within

REFERENCE = "lib-w1"


def _median(values: list[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return round(statistics.median(present), 3) if present else None


def aggregate(rows: list[dict[str, Any]], connections: int) -> dict[str, Any]:
    """Medians over the rounds of one variant at one concurrency level; errors summed."""
    # a window that counted no answer measured nothing (the service's /metrics was not
    # summed over its workers before daea807): left out, not counted as zero
    mine = [row for row in rows if row["connections"] == connections and row["requests"] > 0]
    keys = ("rps", "p50_ms", "p99_ms", "service_cores", "service_cpu_ms_per_request")
    summary: dict[str, Any] = {key: _median([row[key] for row in mine]) for key in keys}
    summary["rps_per_core"] = _median([row["rps_per_core"] for row in mine])
    summary["errors"] = sum(row["errors"] for row in mine)
    summary["requests"] = sum(row["requests"] for row in mine)
    summary["other_cores"] = (
        {
            group: _median([row["cores"][group] for row in mine])
            for group in mine[0]["cores"]
            if group != "service"
        }
        if mine
        else {}
    )
    summary["load_average"] = [value for row in mine for value in row["load_average"]]
    return summary


def summaries(result: dict[str, Any]) -> dict[int, dict[str, dict[str, Any]]]:
    """{connections: {variant: summary, with ``ratio`` to lib-w1 and to its mode's w1}}."""
    out: dict[int, dict[str, dict[str, Any]]] = {}
    for connections in result["levels"]:
        level = {
            name: aggregate(data["rows"], connections) for name, data in result["variants"].items()
        }
        per_core = {name: summary["rps_per_core"] for name, summary in level.items()}
        to_reference = per_core_ratios(per_core, REFERENCE)
        to_server = per_core_ratios(per_core, "srv-w1")
        for name, summary in level.items():
            summary["ratio"] = to_reference[name]
            summary["ratio_mode"] = (
                to_server[name] if name.startswith("srv") else to_reference[name]
            )
        out[connections] = level
    return out


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def throughput_table(result: dict[str, Any]) -> str:
    lines = [
        "| variant | c | req/s | p50 ms | p99 ms | errors | service cores "
        "| service CPU ms/req | req/s per core | vs lib-w1 | vs its mode's w1 | goal (≥ 0.85) "
        "| LB / OGX / backend / PG / wrk cores |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for connections, level in summaries(result).items():
        for name, s in level.items():
            other = s["other_cores"]
            others = " / ".join(
                _fmt(other.get(group), 2)
                for group in ("balancer", "ogx", "backend", "postgres", "wrk")
            )
            lines.append(
                f"| {name} | {connections} | {_fmt(s['rps'])} | {_fmt(s['p50_ms'])} | "
                f"{_fmt(s['p99_ms'])} | {s['errors']} | {_fmt(s['service_cores'], 2)} | "
                f"{_fmt(s['service_cpu_ms_per_request'], 2)} | {_fmt(s['rps_per_core'])} | "
                f"{_fmt(s['ratio'], 2)} | {_fmt(s['ratio_mode'], 2)} | "
                f"{'met' if within(s['ratio_mode']) else '**missed**'} | {others} |"
            )
    return "\n".join(lines)


def memory_table(result: dict[str, Any]) -> str:
    lines = [
        "| variant | workers | RSS per worker MB (start → after load) "
        "| PSS per worker MB (after) |",
        "|---|---|---|---|",
    ]
    for name, data in result["variants"].items():
        start = ", ".join(_fmt(m["rss"], 0) for m in data["memory_start"])
        after = data["memory_after"]
        rss = ", ".join(_fmt(m["rss"], 0) for m in after)
        pss = ", ".join(_fmt(m["pss"], 0) for m in after)
        lines.append(f"| {name} | {len(after)} | {start} → {rss} | {pss} |")
    return "\n".join(lines)


def report(result: dict[str, Any]) -> str:
    loads = [
        value
        for data in result["variants"].values()
        for row in data["rows"]
        for value in row["load_average"]
    ]
    head = (
        f"Run {result['when']} ({result['label'] or 'no label'}): {result['rounds']} rounds, "
        f"{result['seconds']} s per wrk run, OGX server workers {result['ogx_workers']}, "
        f"load average {min(loads):.1f}-{max(loads):.1f}."
    )
    return "\n\n".join([head, throughput_table(result), memory_table(result)])


def merge(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Several runs as one: their rows are rounds; memory from the last run."""
    merged = {**runs[-1], "variants": {}}
    merged["label"] = " + ".join(run["label"] for run in runs)
    merged["rounds"] = sum(run["rounds"] for run in runs)
    merged["when"] = f"{runs[0]['when']} to {runs[-1]['when']}"
    for run in runs:
        for name, data in run["variants"].items():
            into = merged["variants"].setdefault(name, {**data, "rows": []})
            into["rows"] = into["rows"] + data["rows"]
            into["memory_after"] = data["memory_after"]
    return merged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", required=True, help="labels of the runs, comma-separated")
    parser.add_argument(
        "--results", type=Path, default=Path(__file__).parent / "results" / "scaling.json"
    )
    args = parser.parse_args()
    runs = json.loads(args.results.read_text())["runs"]
    labels = args.labels.split(",")
    chosen = [run for run in runs if run["label"] in labels]
    if not chosen:
        raise SystemExit(f"no run labelled {labels}")
    print(report(merge(chosen)))


if __name__ == "__main__":
    main()
