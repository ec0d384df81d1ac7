"""The pure helpers of ``bench.measure``: summaries and differences (no service, no timing)."""

from __future__ import annotations

import httpx
import pytest
from bench.measure import Call, add_difference, add_ratio, summary


def test_summary_median_and_nearest_rank_p95() -> None:
    result = summary([float(v) for v in range(1, 101)])
    assert result == {"median_ms": 50.5, "p95_ms": 95.0, "n": 100}


def test_summary_of_few_samples_takes_the_first_not_the_last() -> None:
    # int(3 * 0.95) - 1 == 1; with one sample the index would be -1 (the last) without the floor
    assert summary([3.0])["p95_ms"] == 3.0
    assert summary([1.0, 2.0, 9.0])["p95_ms"] == 2.0


def test_summary_rounds_to_the_digits_asked() -> None:
    assert summary([1.23456], digits=3)["median_ms"] == 1.235


def test_difference_and_ratio_against_a_base_row() -> None:
    rows = {"base": {"median_ms": 10.0}, "other": {"median_ms": 12.5}}
    add_difference(rows, "base", "added_ms")
    add_ratio(rows, "base", "ratio")
    assert rows["other"]["added_ms"] == 2.5
    assert rows["base"]["added_ms"] == 0.0
    assert rows["other"]["ratio"] == 1.25


def test_call_payload_is_built_per_request_when_a_factory_is_given() -> None:
    counter = iter(range(10))
    call = Call("http://x", lambda: {"n": next(counter)})
    assert [call.payload(), call.payload()] == [{"n": 0}, {"n": 1}]
    assert Call("http://x", {"q": 1}).payload() == {"q": 1}


def test_default_check_raises_on_an_error_status() -> None:
    reply = httpx.Response(500, request=httpx.Request("POST", "http://x/v1/query"))
    with pytest.raises(httpx.HTTPStatusError):
        Call("http://x", {}).check(reply)
