"""Pure report arithmetic: available time, rates, periods, overdue maintenance, CSV safety."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic.reports.rules import (
    Span,
    available_minutes,
    csv_safe,
    days_of,
    late_cancellation_rate,
    maintenance_overdue,
    merge_spans,
    no_show_rate,
    period_range,
)

BASE = datetime(2030, 1, 7, tzinfo=UTC)


def span(start_minute: int, end_minute: int) -> Span:
    return Span(BASE + timedelta(minutes=start_minute), BASE + timedelta(minutes=end_minute))


@pytest.mark.parametrize(
    ("working", "off", "expected"),
    [
        ([span(540, 1020)], [], 480),
        ([span(540, 1020)], [span(600, 660)], 420),
        ([span(540, 1020)], [span(0, 2000)], 0),
        ([span(540, 1020)], [span(1020, 1100)], 480),  # touching at the end: half-open
        ([span(540, 1020)], [span(600, 700), span(650, 720)], 360),  # overlapping time off counts once
        ([span(540, 720), span(780, 1020)], [span(700, 800)], 420 - 40),
        ([], [span(0, 100)], 0),
    ],
)
def test_available_minutes(working, off, expected):
    assert available_minutes(working, off) == expected


def test_merge_spans_joins_overlapping_and_touching_spans():
    assert merge_spans([span(10, 20), span(0, 5), span(5, 8), span(15, 30)]) == [span(0, 8), span(10, 30)]


intervals = st.lists(
    st.tuples(st.integers(0, 600), st.integers(1, 240)).map(lambda p: span(p[0], p[0] + p[1])), max_size=6
)


@given(working=intervals, off=intervals)
def test_available_minutes_equals_counting_each_minute(working, off):
    def covered(minute: int, spans) -> bool:
        instant = BASE + timedelta(minutes=minute)
        return any(s.start <= instant < s.end for s in spans)

    expected = sum(1 for m in range(0, 900) if covered(m, working) and not covered(m, off))
    assert available_minutes(working, off) == expected


def test_rates_have_no_denominator_problem():
    assert no_show_rate(1, 3) == 0.25
    assert no_show_rate(0, 0) is None
    assert late_cancellation_rate(1, 7) == pytest.approx(1 / 7)
    assert late_cancellation_rate(0, 0) is None


@pytest.mark.parametrize(
    ("period", "today", "expected"),
    [
        ("week", date(2030, 1, 9), (date(2030, 1, 7), date(2030, 1, 13))),
        ("week", date(2030, 1, 7), (date(2030, 1, 7), date(2030, 1, 13))),
        ("week", date(2030, 1, 13), (date(2030, 1, 7), date(2030, 1, 13))),
        ("month", date(2030, 2, 14), (date(2030, 2, 1), date(2030, 2, 28))),
        ("month", date(2032, 2, 29), (date(2032, 2, 1), date(2032, 2, 29))),
        ("month", date(2030, 12, 31), (date(2030, 12, 1), date(2030, 12, 31))),
    ],
)
def test_period_range(period, today, expected):
    assert period_range(period, today) == expected


def test_unknown_periods_are_refused():
    with pytest.raises(ValueError):
        period_range("fortnight", date(2030, 1, 1))


def test_days_of_is_inclusive():
    assert days_of(date(2030, 1, 30), date(2030, 2, 1)) == [date(2030, 1, 30), date(2030, 1, 31), date(2030, 2, 1)]


@pytest.mark.parametrize(
    ("last_visit_days_ago", "ahead", "course_over", "expected"),
    [
        (36, False, True, True),
        (35, False, True, False),  # exactly 35 days is still on time
        (60, True, True, False),
        (60, False, False, False),
        (None, False, True, False),
    ],
)
def test_maintenance_overdue(last_visit_days_ago, ahead, course_over, expected):
    now = BASE
    last = None if last_visit_days_ago is None else now - timedelta(days=last_visit_days_ago)
    ends = now - timedelta(days=1) if course_over else now + timedelta(days=1)
    assert maintenance_overdue(weekly_course_ends=ends, last_visit=last, has_booking_ahead=ahead, now=now) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("-cmd", "'-cmd"), ("@x", "'@x"), ("Anna", "Anna"), (-2.5, -2.5)],
)
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected
