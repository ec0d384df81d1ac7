"""PostgreSQL interval text → :class:`Interval`, and the arithmetic both engines share."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lightspeed_core.vocabulary.periods import Interval, PeriodError, parse_period

HOUR = 3600 * 1_000_000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 day", Interval(days=1)),
        ("30 seconds", Interval(microseconds=30_000_000)),
        ("2 hours 30 minutes", Interval(microseconds=int(2.5 * HOUR))),
        ("1.5 hours", Interval(microseconds=int(1.5 * HOUR))),
        ("@ 1 week", Interval(days=7)),
        ("3 mins", Interval(microseconds=180_000_000)),
        ("1 mon", Interval(months=1)),
        ("1 year 2 months", Interval(months=14)),
        ("1.5 months", Interval(months=1, days=15)),
        ("1.5 days", Interval(days=1, microseconds=12 * HOUR)),
        ("01:30:00", Interval(microseconds=int(1.5 * HOUR))),
        ("1 day 02:00", Interval(days=1, microseconds=2 * HOUR)),
        ("P1DT2H", Interval(days=1, microseconds=2 * HOUR)),
        ("PT30S", Interval(microseconds=30_000_000)),
        ("  5   Seconds ", Interval(microseconds=5_000_000)),
    ],
)
def test_parse(text: str, expected: Interval) -> None:
    assert parse_period(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "cannot read"),
        ("fortnight", "cannot read"),
        ("1 fortnight", "cannot read"),
        ("1 day and more", "cannot read"),
        ("P", "cannot read"),
        ("0 days", "longer than zero"),
        ("-1 day", "longer than zero"),
        ("10 minutes ago", "longer than zero"),
    ],
)
def test_rejects(text: str, fragment: str) -> None:
    with pytest.raises(PeriodError, match=fragment):
        parse_period(text)


def test_months_are_calendar_months_clamped_to_the_month_end() -> None:
    month = parse_period("1 month")
    assert month.before(datetime(2027, 3, 31, 8, tzinfo=UTC)) == datetime(
        2027, 2, 28, 8, tzinfo=UTC
    )
    assert month.after(datetime(2027, 1, 31, tzinfo=UTC)) == datetime(2027, 2, 28, tzinfo=UTC)
    assert parse_period("1 year").before(datetime(2028, 2, 29, tzinfo=UTC)) == datetime(
        2027, 2, 28, tzinfo=UTC
    )


def test_days_then_time() -> None:
    period = parse_period("1 day 1 hour")
    moment = datetime(2027, 1, 1, 0, 30, tzinfo=UTC)
    assert period.before(moment) == datetime(2026, 12, 30, 23, 30, tzinfo=UTC)
    assert period.approximate_seconds() == 90_000
