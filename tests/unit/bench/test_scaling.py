"""Variant names and the per-variant medians of the scaling benchmark's report."""

from __future__ import annotations

from typing import Any

import pytest
from bench.scaling import Layout, parse_variant
from bench.scaling_report import report, summaries


def test_variant_names() -> None:
    assert parse_variant("lib-w4") == Layout("library", 4, 1)
    assert parse_variant("srv-lb2") == Layout("server", 1, 2)
    assert parse_variant("lib-w1-p2") == Layout("library", 1, 1, 2)
    for bad in ("w4", "lib-x2", "gpu-w1", "lib-w1-q2"):
        with pytest.raises(ValueError, match="variant"):
            parse_variant(bad)


def _row(connections: int, rps: float, per_core: float, round_: int) -> dict[str, Any]:
    return {
        "connections": connections,
        "rps": rps,
        "p50_ms": 100.0,
        "p99_ms": 200.0,
        "errors": 0,
        "requests": int(rps * 10),
        "service_cores": rps / per_core,
        "service_cpu_ms_per_request": 1000 / per_core,
        "rps_per_core": per_core,
        "cores": {
            "service": 1.0,
            "balancer": 0.0,
            "ogx": 0.0,
            "backend": 0.1,
            "postgres": 0.1,
            "wrk": 0.05,
        },
        "load_average": [2.0, 2.5],
        "round": round_,
    }


def test_medians_and_ratios_per_level() -> None:
    result = {
        "when": "now",
        "label": "",
        "rounds": 3,
        "seconds": 5,
        "ogx_workers": 1,
        "levels": [16],
        "variants": {
            "lib-w1": {
                "rows": [_row(16, 100, 100, 1), _row(16, 120, 110, 2), _row(16, 90, 90, 3)],
                "memory_start": [{"rss": 230.0, "pss": 200.0, "anonymous": 150.0}],
                "memory_after": [{"rss": 232.0, "pss": 201.0, "anonymous": 151.0}],
            },
            "lib-w2": {
                "rows": [_row(16, 150, 80, 1), _row(16, 160, 85, 2), _row(16, 170, 90, 3)],
                "memory_start": [{"rss": 230.0, "pss": 120.0, "anonymous": 150.0}] * 2,
                "memory_after": [{"rss": 231.0, "pss": 121.0, "anonymous": 151.0}] * 2,
            },
            "srv-w1": {
                "rows": [_row(16, 50, 50, 1)],
                "memory_start": [],
                "memory_after": [],
            },
        },
    }
    level = summaries(result)[16]
    assert level["lib-w1"]["rps"] == 100
    assert level["lib-w1"]["rps_per_core"] == 100
    assert level["lib-w2"]["ratio"] == 0.85
    assert level["srv-w1"]["ratio"] == 0.5
    assert level["srv-w1"]["ratio_mode"] == 1.0
    text = report(result)
    assert "| lib-w2 | 16 | 160.0 |" in text
    assert "| lib-w2 | 2 | 230, 230 → 231, 231 | 121, 121 |" in text
