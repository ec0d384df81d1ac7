"""``bench.production_report``: goal ratios and the docs section (pure, no services)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.production_report import END, START, ratios, update_docs, write_section


def results(reference_load: bool = False) -> dict[str, Any]:
    def stats(median: float) -> dict[str, float]:
        return {"median_ms": median, "p95_ms": median * 2, "n": 10}

    def load(connections: int, rps: float) -> dict[str, Any]:
        return {
            "connections": connections,
            "rps": rps,
            "p99_ms": 100.0,
            "errors": 0,
            "seconds": 8.0,
            "cpu_ms_per_request": 5.0,
        }

    data: dict[str, Any] = {
        "date": "2026-12-07 12:00 UTC",
        "reference": {
            "version": "0.7.1",
            "started": reference_load,
            "why": None if reference_load else "broken wheel",
        },
        "sequential": {
            "bare OGX": stats(10),
            "Lightspeed Core, workers 1": stats(12),
            "Lightspeed Core, workers 2": stats(13),
        },
        "ttft": {
            "bare OGX": stats(5),
            "Lightspeed Core, workers 1": stats(6.5),
            "Lightspeed Core, workers 2": stats(7),
        },
        "load": {
            "bare OGX server": [load(16, 100), load(64, 90)],
            "Lightspeed Core, workers 1": [load(16, 80), load(64, 70)],
            "Lightspeed Core, workers 2": [load(16, 120), load(64, 110)],
        },
        "rss_mb": {"Lightspeed Core, workers 1": [200.0]},
        "startup_s": {"Lightspeed Core, workers 1": 3.0},
        "load_average_1m": [1.0, 2.0],
    }
    if reference_load:
        data["load"]["reference, workers 1"] = [load(16, 4), load(64, 5)]
    return data


def test_ratios_use_the_operator_setting_and_say_where_the_reference_comes_from() -> None:
    found = ratios(results())
    assert found["sequential Lightspeed Core, workers 1 / bare OGX (goal <= 1.3)"] == 1.2
    assert found["TTFT Lightspeed Core, workers 1 - bare OGX, ms (goal <= 2)"] == 1.5
    assert found["c16 ours (workers 2) / bare OGX server (goal >= 0.9)"] == 1.2
    key = (
        "c16 ours (workers 2) / reference (goal >= 20), "
        "reference recorded in issue 15 (not this run)"
    )
    assert found[key] == round(120 / 9.1, 1)
    measured = ratios(results(reference_load=True))
    assert measured["c64 ours (workers 2) / reference (goal >= 20), reference this run"] == 22.0


def test_section_goes_between_markers_and_replaces_the_previous_one(tmp_path: Path) -> None:
    data = results()
    data["ratios"] = ratios(data)
    section = write_section(data, tmp_path / "production.md")
    assert "Reference not measured in this run" in section
    lines = section.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| variant | c16"))
    rows = [line for line in lines[start:] if line.startswith("| ")]
    assert len(rows) == 4  # header + 3 variants, each with every column
    assert {row.count("|") for row in rows} == {lines[start].count("|")}
    docs = tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\nintro\n")
    update_docs(section, docs)
    update_docs(section.replace("Production-shaped", "Production-shaped (again)"), docs)
    text = docs.read_text()
    assert text.count(START) == 1
    assert text.count(END) == 1
    assert "(again)" in text
    assert text.startswith("# Benchmarks\n\nintro\n")
