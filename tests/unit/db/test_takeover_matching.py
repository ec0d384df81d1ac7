"""Takeover helpers: reference timestamps, JSON columns (revision 0006), turn ↔ cache matching."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from lightspeed_core.db import takeover

T = datetime(2026, 3, 1, 9, 0, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    "value",
    [
        T,
        int(T),
        str(T),
        datetime(2026, 3, 1, 9, 0, tzinfo=UTC).replace(tzinfo=None),  # PostgreSQL `timestamp`
        datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
        "2026-03-01T09:00:00Z",
        "2026-03-01 09:00:00",
    ],
)
def test_reference_timestamps_read_as_epoch_seconds(value: Any) -> None:
    assert takeover.epoch_seconds(value) == pytest.approx(T, abs=1)


def test_json_columns() -> None:
    json_list = importlib.import_module(
        "lightspeed_core.db.migrations.versions.0006_reference_takeover"
    ).json_list
    assert json_list('[{"a": 1}]') == [{"a": 1}]
    assert json_list(None) == []
    assert json_list("null") == []
    assert json_list("not json") == []
    assert json_list([1]) == [1]


def _entry(completed: str | None, text: str) -> Any:
    return SimpleNamespace(completed_at=completed, query=text)


def test_entries_go_to_the_turn_completed_at_the_same_moment() -> None:
    turns: list[takeover.Turn] = [(1, True, T + 5), (2, True, T + 65), (3, False, T + 125)]
    entries = [_entry("2026-03-01T09:01:05Z", "two"), _entry("2026-03-01T09:02:05Z", "three")]
    pairs = takeover.match_entries(turns, entries)
    assert [(number, entry.query) for number, entry in pairs] == [(2, "two")]  # 3 has text


def test_without_timestamps_only_equal_lengths_pair_up_in_order() -> None:
    turns: list[takeover.Turn] = [(1, True, None), (2, True, None)]
    two = [_entry(None, "a"), _entry(None, "b")]
    assert [(n, e.query) for n, e in takeover.match_entries(turns, two)] == [(1, "a"), (2, "b")]
    assert takeover.match_entries(turns, two[:1]) == []
