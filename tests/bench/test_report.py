"""Re-rendering docs/benchmarks.md without the lean run's raw results (a fresh clone)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import report


def test_the_lean_tables_are_kept_and_the_sections_after_them_rewritten(tmp_path: Path) -> None:
    output = tmp_path / "benchmarks.md"
    heading = report.ANALYSIS.read_text().splitlines()[0]
    output.write_text(f"# Benchmarks\n\n| lean | table |\n\n{heading}\n\nan older analysis\n")
    report.rewrite_kept_sections(output)
    text = output.read_text()
    assert text.startswith("# Benchmarks\n\n| lean | table |\n\n" + heading)
    assert "an older analysis" not in text
    assert report.ANALYSIS.read_text().rstrip() in text


def test_a_report_without_the_analysis_heading_asks_for_a_run(tmp_path: Path) -> None:
    output = tmp_path / "benchmarks.md"
    output.write_text("# something else\n")
    with pytest.raises(SystemExit, match="make bench"):
        report.rewrite_kept_sections(output)
