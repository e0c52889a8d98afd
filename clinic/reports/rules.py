"""Pure arithmetic behind the owner's reports: no Flask, no database.

Available time is working hours less time off; rates are shares of a well-defined
denominator, or None when there is nothing to divide by (an empty range is not an error).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

# A maintenance client is overdue when their last visit is further back than this with
# nothing booked ahead: the monthly cadence allows 28-35 days between sessions.
MAINTENANCE_OVERDUE_DAYS = 35


@dataclass(frozen=True)
class Span:
    """A half-open instant interval [start, end)."""

    start: datetime
    end: datetime

    @property
    def minutes(self) -> float:
        return max((self.end - self.start).total_seconds(), 0) / 60


def days_of(first: date, last: date) -> list[date]:
    """Every date of the inclusive range [first, last]."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Union of possibly overlapping spans, sorted, so overlaps are not subtracted twice."""
    merged: list[Span] = []
    for span in sorted((s for s in spans if s.end > s.start), key=lambda s: s.start):
        if merged and span.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Span(last.start, max(last.end, span.end))
        else:
            merged.append(span)
    return merged


def available_minutes(working: Iterable[Span], time_off: Iterable[Span]) -> int:
    """Minutes of the working spans not covered by any time off.

    Overlapping working spans (which the schedule rules forbid) count once.
    """
    blocked = merge_spans(time_off)
    total = 0.0
    for span in merge_spans(working):
        covered = 0.0
        for off in blocked:
            start, end = max(span.start, off.start), min(span.end, off.end)
            if end > start:
                covered += (end - start).total_seconds() / 60
        total += span.minutes - covered
    return round(total)


def rate(numerator: int, denominator: int) -> float | None:
    """A share between 0 and 1, or None when the denominator is zero."""
    return numerator / denominator if denominator else None


def no_show_rate(no_show: int, completed: int) -> float | None:
    """No-shows among the appointments that were due to happen and were not cancelled
    (completed or no-show); future bookings do not dilute it."""
    return rate(no_show, no_show + completed)


def late_cancellation_rate(late_cancellations: int, total: int) -> float | None:
    """Late cancellations (inside the notice period) among all appointments in the range."""
    return rate(late_cancellations, total)


def maintenance_overdue(
    *, weekly_course_ends: datetime, last_visit: datetime | None, has_booking_ahead: bool, now: datetime
) -> bool:
    """A care plan's client is overdue for maintenance when the weekly course is over, nothing
    is booked ahead, and the last non-cancelled visit began more than 35 days ago."""
    if has_booking_ahead or weekly_course_ends > now or last_visit is None:
        return False
    return now - last_visit > timedelta(days=MAINTENANCE_OVERDUE_DAYS)


WEEK = "week"
MONTH = "month"
CUSTOM = "custom"


def period_range(period: str, today: date) -> tuple[date, date]:
    """The inclusive dates of 'this week' (Monday to Sunday) or 'this month' around `today`."""
    if period == WEEK:
        monday = today - timedelta(days=today.weekday())
        return monday, monday + timedelta(days=6)
    if period == MONTH:
        first = today.replace(day=1)
        next_month = (first + timedelta(days=32)).replace(day=1)
        return first, next_month - timedelta(days=1)
    raise ValueError(f"unknown period {period!r}")


def csv_safe(value) -> object:
    """Neutralise text a spreadsheet would run as a formula (CSV injection); numbers pass."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
