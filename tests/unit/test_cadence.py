from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic.care_plans.cadence import (
    Phase,
    maintenance_days,
    nearest_same_weekday,
    phase_of,
    plan_sessions,
    session_phase,
    weekly_days,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def local(day: date, hour: int, minute: int = 0, zone=BERLIN) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def test_weekly_sessions_are_seven_days_apart_from_the_first():
    assert weekly_days(date(2027, 3, 2), 3) == [date(2027, 3, 2), date(2027, 3, 9), date(2027, 3, 16)]
    assert weekly_days(date(2027, 3, 2), 0) == []


def test_weekly_sessions_keep_wall_clock_time_across_spring_forward_in_berlin():
    # Berlin moves to summer time on Sunday 2027-03-28.
    sessions = plan_sessions(local(date(2027, 3, 16), 10), 4, 0, BERLIN)
    locals_ = [s.start.astimezone(BERLIN) for s in sessions]
    assert [d.date() for d in locals_] == [
        date(2027, 3, 16),
        date(2027, 3, 23),
        date(2027, 3, 30),
        date(2027, 4, 6),
    ]
    assert all(d.time() == time(10) for d in locals_)
    # The UTC instants shift by an hour at the change: 09:00Z in winter, 08:00Z in summer.
    assert sessions[1].start == datetime(2027, 3, 23, 9, tzinfo=UTC)
    assert sessions[2].start == datetime(2027, 3, 30, 8, tzinfo=UTC)
    assert sessions[2].start - sessions[1].start == timedelta(days=7, hours=-1)


def test_maintenance_keeps_wall_clock_time_across_fall_back_in_berlin():
    # Summer time ends on Sunday 2027-10-31.
    sessions = plan_sessions(local(date(2027, 9, 7), 17, 30), 2, 3, BERLIN)
    for s in sessions:
        as_local = s.start.astimezone(BERLIN)
        assert as_local.time() == time(17, 30)
        assert as_local.weekday() == 1  # Tuesday
    assert sessions[-1].start.utcoffset() == timedelta(0)
    assert sessions[0].start.astimezone(BERLIN).utcoffset() == timedelta(hours=2)
    assert sessions[-1].start.astimezone(BERLIN).utcoffset() == timedelta(hours=1)


def test_phases_are_weekly_then_maintenance_in_order():
    sessions = plan_sessions(local(date(2027, 1, 5), 9), 3, 2, BERLIN)
    assert [s.phase for s in sessions] == [Phase.WEEKLY] * 3 + [Phase.MAINTENANCE] * 2
    starts = [s.start for s in sessions]
    assert starts == sorted(starts)


def test_first_maintenance_session_is_four_weeks_after_the_last_weekly_one():
    sessions = plan_sessions(local(date(2027, 1, 5), 9), 3, 1, BERLIN)
    assert sessions[3].start.astimezone(BERLIN).date() - sessions[2].start.astimezone(
        BERLIN
    ).date() == timedelta(days=28)


@pytest.mark.parametrize(
    ("anchor", "expected"),
    [
        # Sunday Jan 31: + 1 month clamps to Feb 28 (a Sunday); Mar 31 (Wed) -> Sunday Mar 28;
        # Apr 30 (Fri) -> Sunday May 2.
        (date(2027, 1, 31), [date(2027, 2, 28), date(2027, 3, 28), date(2027, 5, 2)]),
        # Leap year: Monday Jan 31 2028 + 1 month = Feb 29 (Tue) -> Monday Feb 28;
        # Mar 31 (Fri) -> Monday Apr 3 (a 35-day gap); Apr 30 (Sun) -> Monday May 1.
        (date(2028, 1, 31), [date(2028, 2, 28), date(2028, 4, 3), date(2028, 5, 1)]),
        # Wednesday Dec 31 2025 runs over the year end.
        (date(2025, 12, 31), [date(2026, 1, 28), date(2026, 2, 25), date(2026, 4, 1)]),
    ],
)
def test_maintenance_over_month_ends(anchor, expected):
    days = maintenance_days(anchor, 3)
    assert days[0].weekday() == anchor.weekday()
    # Expected values checked by hand against a calendar; recompute their weekday too.
    assert all(d.weekday() == anchor.weekday() for d in expected)
    assert days == expected


def test_nearest_same_weekday_looks_at_most_three_days_either_way():
    wednesday = date(2027, 3, 3)
    assert nearest_same_weekday(wednesday, 2) == wednesday
    assert nearest_same_weekday(wednesday, 5) == date(2027, 3, 6)  # Saturday, 3 ahead
    assert nearest_same_weekday(wednesday, 6) == date(2027, 2, 28)  # Sunday, 3 back


@given(
    first=st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31)),
    weekly=st.integers(min_value=0, max_value=12),
    maintenance=st.integers(min_value=0, max_value=14),
    hour=st.integers(min_value=7, max_value=20),
    zone=st.sampled_from([BERLIN, NEW_YORK, ZoneInfo("UTC"), ZoneInfo("Australia/Sydney")]),
)
def test_every_plan_keeps_weekday_time_and_gaps(first, weekly, maintenance, hour, zone):
    sessions = plan_sessions(local(first, hour, 15, zone), weekly, maintenance, zone)
    assert len(sessions) == weekly + maintenance
    days = [s.start.astimezone(zone).date() for s in sessions]
    assert all(s.start.astimezone(zone).time() == time(hour, 15) for s in sessions)
    assert all(d.weekday() == first.weekday() for d in days)
    assert days[:1] == ([first] if sessions else [])
    gaps = [(b - a).days for a, b in pairwise(days)]
    assert gaps[: max(weekly - 1, 0)] == [7] * max(weekly - 1, 0)
    assert all(28 <= g <= 35 for g in gaps[max(weekly - 1, 0) :])
    assert [s.phase for s in sessions] == [Phase.WEEKLY] * weekly + [Phase.MAINTENANCE] * maintenance
    for s in sessions:
        assert session_phase(s.start, sessions[0].start, weekly, zone) == s.phase


def test_a_plan_without_weekly_sessions_starts_with_maintenance_at_the_first_start():
    sessions = plan_sessions(local(date(2027, 6, 1), 11), 0, 2, BERLIN)
    assert [s.start.astimezone(BERLIN).date() for s in sessions] == [date(2027, 6, 1), date(2027, 6, 29)]


def test_plan_rejects_naive_start_and_negative_counts():
    with pytest.raises(ValueError):
        plan_sessions(datetime(2027, 1, 1, 9), 1, 0, BERLIN)
    with pytest.raises(ValueError):
        plan_sessions(local(date(2027, 1, 1), 9), -1, 0, BERLIN)


@pytest.mark.parametrize(
    ("sessions", "expected"),
    [
        ([(Phase.WEEKLY, True), (Phase.MAINTENANCE, True)], Phase.WEEKLY),
        ([(Phase.WEEKLY, False), (Phase.MAINTENANCE, True)], Phase.MAINTENANCE),
        ([(Phase.WEEKLY, False), (Phase.MAINTENANCE, False)], Phase.FINISHED),
        ([(Phase.MAINTENANCE, True)], Phase.MAINTENANCE),
        ([], Phase.FINISHED),
    ],
)
def test_phase_of(sessions, expected):
    assert phase_of(sessions) == expected
