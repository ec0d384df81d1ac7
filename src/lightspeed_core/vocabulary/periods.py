"""Quota periods: PostgreSQL interval text, parsed and applied the same way on every database.

The reference writes ``period`` into SQL (``NOW() - INTERVAL '<period>'`` on PostgreSQL,
``datetime('now', '<period>')`` on SQLite, which reads the text differently). Here the text
is parsed once, at configuration load, into an :class:`Interval` with PostgreSQL's three
fields (months, days, microseconds), and the scheduler subtracts it from a timezone-aware
UTC ``now`` in Python: both engines then see the same cut-off timestamp.

Accepted forms (PostgreSQL's, case-insensitive): ``"1 day"``, ``"30 seconds"``,
``"2 hours 30 minutes"``, ``"1.5 hours"``, ``"@ 1 week"``, ``"1 mon"``, ``"3 mins"``,
``"1 year 2 months"``, ``"01:30:00"``, ``"1 day 02:00"`` and ISO 8601 ``"P1DT2H"``,
``"PT30S"``. Months are calendar months (day clamped to the month's end, as PostgreSQL
does); fractional months and years become days the PostgreSQL way (a month is 30 days).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

__all__ = ["Interval", "PeriodError", "parse_period"]

_US_PER_SECOND = 1_000_000
_US_PER_DAY = 86_400 * _US_PER_SECOND

# unit → (field, multiplier): "months" in months, "days" in days, "us" in microseconds
_UNITS: dict[str, tuple[str, Decimal]] = {}


def _unit(names: str, field: str, factor: int | str) -> None:
    for name in names.split():
        _UNITS[name] = (field, Decimal(factor))


_unit("microsecond microseconds us usec usecs", "us", 1)
_unit("millisecond milliseconds ms msec msecs", "us", 1000)
_unit("second seconds s sec secs", "us", _US_PER_SECOND)
_unit("minute minutes m min mins", "us", 60 * _US_PER_SECOND)
_unit("hour hours h hr hrs", "us", 3600 * _US_PER_SECOND)
_unit("day days d", "days", 1)
_unit("week weeks w", "days", 7)
_unit("month months mon mons", "months", 1)
_unit("year years y yr yrs", "months", 12)
_unit("decade decades", "months", 120)
_unit("century centuries", "months", 1200)
_unit("millennium millennia millenniums", "months", 12000)

_NUMBER_UNIT = re.compile(r"([+-]?\d+(?:\.\d*)?|[+-]?\.\d+)\s*([a-z]+)")
_CLOCK = re.compile(r"([+-]?)(\d+):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?")
_ISO = re.compile(
    r"p(?:(\d+(?:\.\d+)?)y)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)w)?(?:(\d+(?:\.\d+)?)d)?"
    r"(?:t(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?)?"
)
EXAMPLES = "e.g. '1 day', '30 seconds', '2 hours 30 minutes', '1 month', 'PT30S'"


class PeriodError(ValueError):
    """The text is not an interval this service understands (or not a positive one)."""


@dataclass(frozen=True, slots=True)
class Interval:
    """A PostgreSQL-style interval: calendar months, days and microseconds."""

    months: int = 0
    days: int = 0
    microseconds: int = 0

    def before(self, moment: datetime) -> datetime:
        """``moment - interval`` with PostgreSQL's rules (months first, day clamped)."""
        shifted = _shift_months(moment, -self.months)
        return shifted - timedelta(days=self.days, microseconds=self.microseconds)

    def after(self, moment: datetime) -> datetime:
        """``moment + interval`` (when a bucket refreshed at ``moment`` is due again)."""
        shifted = _shift_months(moment, self.months)
        return shifted + timedelta(days=self.days, microseconds=self.microseconds)

    def approximate_seconds(self) -> float:
        """Length in seconds with 30-day months (for metrics and ``Retry-After`` hints)."""
        days = self.months * 30 + self.days
        return days * 86_400 + self.microseconds / _US_PER_SECOND


def _shift_months(moment: datetime, months: int) -> datetime:
    year, month = divmod(moment.year * 12 + moment.month - 1 + months, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _add(totals: dict[str, Decimal], field: str, amount: Decimal) -> None:
    totals[field] = totals.get(field, Decimal(0)) + amount


def _normalise(totals: dict[str, Decimal]) -> Interval:
    """Carry fractions downwards as PostgreSQL does: month → 30 days, day → 24 hours."""
    months = totals.get("months", Decimal(0))
    whole_months = int(months)
    days = totals.get("days", Decimal(0)) + (months - whole_months) * 30
    whole_days = int(days)
    micros = totals.get("us", Decimal(0)) + (days - whole_days) * _US_PER_DAY
    return Interval(whole_months, whole_days, int(micros.to_integral_value()))


def _parse_iso(text: str) -> dict[str, Decimal] | None:
    match = _ISO.fullmatch(text)
    if match is None or text in ("p", "pt") or text.endswith("t"):
        return None
    years, months, weeks, days, hours, minutes, seconds = (
        Decimal(g) if g else Decimal(0) for g in match.groups()
    )
    return {
        "months": years * 12 + months,
        "days": weeks * 7 + days,
        "us": (hours * 3600 + minutes * 60 + seconds) * _US_PER_SECOND,
    }


def _parse_words(text: str) -> dict[str, Decimal] | None:
    totals: dict[str, Decimal] = {}
    rest = text.removeprefix("@").strip()
    negate = rest.endswith(" ago") or rest == "ago"
    rest = rest.removesuffix("ago").strip()
    clock = _CLOCK.search(rest)
    if clock is not None:
        sign, hours, minutes, seconds = clock.groups()
        amount = (
            Decimal(hours) * 3600 + Decimal(minutes) * 60 + Decimal(seconds or 0)
        ) * _US_PER_SECOND
        _add(totals, "us", -amount if sign == "-" else amount)
        rest = (rest[: clock.start()] + " " + rest[clock.end() :]).strip()
    position = 0
    for match in _NUMBER_UNIT.finditer(rest):
        if rest[position : match.start()].strip(" ,"):
            return None
        unit = _UNITS.get(match.group(2))
        if unit is None:
            return None
        _add(totals, unit[0], Decimal(match.group(1)) * unit[1])
        position = match.end()
    if rest[position:].strip(" ,") or (not totals):
        return None
    if negate:
        totals = {k: -v for k, v in totals.items()}
    return totals


def parse_period(text: str) -> Interval:
    """Parse PostgreSQL interval text; raise :class:`PeriodError` with a clear message."""
    cleaned = " ".join(str(text).lower().split())
    try:
        totals = _parse_iso(cleaned) if cleaned.startswith("p") else _parse_words(cleaned)
    except InvalidOperation:
        totals = None
    if totals is None:
        raise PeriodError(f"cannot read {text!r} as a period ({EXAMPLES})")
    interval = _normalise(totals)
    probe = datetime(2000, 3, 31, tzinfo=UTC)
    if interval.before(probe) >= probe:
        raise PeriodError(f"the period must be longer than zero, got {text!r}")
    return interval
