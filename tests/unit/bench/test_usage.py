"""CPU-per-core arithmetic and the ``/proc`` parsers of the scaling benchmark."""

from __future__ import annotations

import os
import time

import pytest
from bench.usage import (
    CpuWindow,
    context_switches,
    parse_mappings,
    parse_smaps_rollup,
    parse_switches,
    per_core_ratios,
    query_count,
    window_summary,
    within,
)

ROLLUP = """\
55d0c0a00000-7ffd5a3f1000 ---p 00000000 00:00 0                          [rollup]
Rss:              655360 kB
Pss:              368640 kB
Pss_Anon:         250000 kB
Anonymous:        380000 kB
Swap:                  0 kB
"""

SMAPS = """\
7f0000000000-7f0000100000 r--p 00000000 08:01 1234                       /cache/model.gguf
Size:               1024 kB
Rss:                 800 kB
Pss:                 400 kB
Shared_Clean:        800 kB
Private_Clean:         0 kB
VmFlags: rd mr mw me sd
7f0000100000-7f0000200000 rw-p 00000000 00:00 0
Rss:                 100 kB
Pss:                 100 kB
7f0000200000-7f0000300000 r--p 00100000 08:01 1234                       /cache/model.gguf
Rss:                 200 kB
Pss:                 100 kB
Shared_Clean:        200 kB
"""


def test_smaps_rollup_fields_in_kb() -> None:
    values = parse_smaps_rollup(ROLLUP)
    assert values["Rss"] == 655360
    assert values["Pss"] == 368640
    assert values["Anonymous"] == 380000


def test_mappings_of_one_file_are_summed() -> None:
    totals = parse_mappings(SMAPS, ".gguf")
    assert totals == {
        "Size": 1024,
        "Rss": 1000,
        "Pss": 500,
        "Shared_Clean": 1000,
        "Private_Clean": 0,
    }


def test_window_summary_per_core() -> None:
    # 10 s, 1000 requests; the service used 5 CPU seconds, the OGX server 2.5
    summary = window_summary(
        1000, 10.0, {"service": 5.0, "ogx": 2.5, "backend": 1.0}, service=["service", "ogx"]
    )
    assert summary["service_cores"] == 0.75
    assert summary["service_cpu_ms_per_request"] == 7.5
    assert summary["rps_per_core"] == pytest.approx(133.3)
    assert summary["cores"] == {"service": 0.5, "ogx": 0.25, "backend": 0.1}
    assert summary["cpu_ms_per_request"]["backend"] == 1.0


def test_window_summary_without_requests() -> None:
    summary = window_summary(0, 5.0, {"service": 1.0}, service=["service"])
    assert summary["service_cpu_ms_per_request"] is None
    assert summary["rps_per_core"] == 0.0
    with pytest.raises(ValueError, match="duration"):
        window_summary(10, 0.0, {"service": 1.0}, service=["service"])


def test_ratios_to_the_reference_and_the_goal() -> None:
    ratios = per_core_ratios({"lib-w1": 100.0, "lib-w2": 90.0, "lib-w4": 80.0, "x": None}, "lib-w1")
    assert ratios == {"lib-w1": 1.0, "lib-w2": 0.9, "lib-w4": 0.8, "x": None}
    assert within(ratios["lib-w2"])
    assert not within(ratios["lib-w4"])
    assert within(0.85)
    assert not within(None)
    assert per_core_ratios({"a": 1.0}, "missing") == {"a": None}


def test_cpu_window_reads_this_process() -> None:
    window = CpuWindow({"me": lambda: [os.getpid()], "nobody": lambda: []})
    window.start()
    sum(i * i for i in range(200_000))  # burn a little CPU
    wall, used = window.stop()
    assert wall > 0
    assert used["me"] >= 0
    assert used["nobody"] == 0


def test_query_answers_from_the_metrics_page() -> None:
    page = (
        "# TYPE ls_rest_api_calls_total counter\n"
        'ls_rest_api_calls_total{path="/v1/query",status_code="200"} 120.0\n'
        'ls_rest_api_calls_total{path="/v1/query",status_code="503"} 3.0\n'
        'ls_rest_api_calls_total{path="/readiness",status_code="200"} 9.0\n'
        'ls_rest_api_calls_created{path="/v1/query",status_code="200"} 1.7e9\n'
    )
    assert query_count(page) == 123.0
    assert query_count(page, "/readiness") == 9.0
    assert query_count("") == 0.0


def test_failed_answers_from_the_metrics_page() -> None:
    page = (
        'ls_rest_api_calls_total{path="/v1/query",status_code="200"} 120.0\n'
        'ls_rest_api_calls_total{path="/v1/query",status_code="503"} 3.0\n'
        'ls_rest_api_calls_total{path="/v1/query",status_code="500"} 1.0\n'
    )
    assert query_count(page, failed=True) == 4.0


def test_parse_switches_reads_both_counts() -> None:
    text = "Name:\tpython\nvoluntary_ctxt_switches:\t120\nnonvoluntary_ctxt_switches:\t7\n"
    assert parse_switches(text) == (120, 7)
    assert parse_switches("Name:\tpython\n") == (0, 0)


def test_context_switches_of_this_process_grow_when_it_sleeps() -> None:
    before = context_switches(os.getpid())
    time.sleep(0.01)
    after = context_switches(os.getpid())
    assert after[0] > before[0]
