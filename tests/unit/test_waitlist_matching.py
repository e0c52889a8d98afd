"""Waitlist matching and recall rules: tables of cases and hypothesis properties."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic.waitlist.matching import PARTS_OF_DAY, Window, fits, send_after, week_of, window_problems
from clinic.waitlist.recall import GIVE_UP_DAYS, expected_next_visit, recall_due

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2030, 3, 4)


def local(day: date, hour: int, minute: int = 0, zone=BERLIN) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


@pytest.mark.parametrize(
    ("window", "therapist", "start", "expected"),
    [
        (Window(None, MONDAY, MONDAY), 7, local(MONDAY, 9), True),
        (Window(7, MONDAY, MONDAY), 7, local(MONDAY, 9), True),
        (Window(8, MONDAY, MONDAY), 7, local(MONDAY, 9), False),
        (Window(None, MONDAY, MONDAY), 7, local(MONDAY - timedelta(days=1), 23, 45), False),
        (Window(None, MONDAY, MONDAY), 7, local(MONDAY + timedelta(days=1), 0), False),
        (Window(None, MONDAY, MONDAY, time(10), time(12)), 7, local(MONDAY, 10), True),
        (Window(None, MONDAY, MONDAY, time(10), time(12)), 7, local(MONDAY, 12), True),
        (Window(None, MONDAY, MONDAY, time(10), time(12)), 7, local(MONDAY, 12, 15), False),
        (Window(None, MONDAY, MONDAY, time(10), time(12)), 7, local(MONDAY, 9, 45), False),
        (Window(None, MONDAY, MONDAY, None, time(11, 59)), 7, local(MONDAY, 8), True),
        (Window(None, MONDAY, MONDAY, time(17), None), 7, local(MONDAY, 19), True),
    ],
)
def test_fits_checks_therapist_day_and_start_time_inclusively(window, therapist, start, expected):
    assert fits(window, therapist, start, BERLIN) is expected


def test_the_day_is_the_clinic_day_not_the_utc_day():
    """00:30 in Berlin on Tuesday is still Monday in UTC: the entry for Tuesday wants it."""
    tuesday = MONDAY + timedelta(days=1)
    start = local(tuesday, 0, 30)
    assert start.date() == MONDAY
    assert fits(Window(None, tuesday, tuesday), 1, start, BERLIN)
    assert not fits(Window(None, MONDAY, MONDAY), 1, start, BERLIN)


def test_window_problems_name_the_fields():
    today = MONDAY
    assert window_problems(Window(None, MONDAY, MONDAY), today) == {}
    assert window_problems(Window(None, MONDAY, MONDAY - timedelta(days=1)), today) == {
        "to": ["Must not be before 'from'."]
    }
    past = MONDAY - timedelta(days=3)
    assert window_problems(Window(None, past, past), today) == {"to": ["Must not be in the past."]}
    assert "latest" in window_problems(Window(None, MONDAY, MONDAY, time(12), time(11)), today)


def test_parts_of_day_cover_the_day_without_overlap():
    morning, afternoon, evening = (PARTS_OF_DAY[p] for p in ("morning", "afternoon", "evening"))
    for minute in range(0, 24 * 60):
        wall = time(minute // 60, minute % 60)
        inside = [
            (lo is None or lo <= wall) and (hi is None or wall <= hi) for lo, hi in (morning, afternoon, evening)
        ]
        assert sum(inside) == 1, wall


def test_head_start_holds_back_only_the_others():
    now = datetime(2030, 1, 1, tzinfo=UTC)
    half_hour = timedelta(minutes=30)
    assert send_after(now, first_in_line=True, anyone_first=True, head_start=half_hour) == now
    assert send_after(now, first_in_line=False, anyone_first=True, head_start=half_hour) == now + half_hour
    assert send_after(now, first_in_line=False, anyone_first=False, head_start=half_hour) == now


def test_week_runs_monday_to_sunday():
    assert week_of(MONDAY + timedelta(days=6)) == (MONDAY, MONDAY + timedelta(days=6))
    assert week_of(MONDAY) == (MONDAY, MONDAY + timedelta(days=6))


days = st.integers(min_value=0, max_value=60).map(lambda n: MONDAY + timedelta(days=n))
quarter_hours = st.integers(min_value=0, max_value=95).map(lambda n: time(n // 4, n % 4 * 15))
zones = st.sampled_from([ZoneInfo("UTC"), BERLIN, ZoneInfo("America/New_York"), ZoneInfo("Australia/Sydney")])


@given(
    first=days,
    span=st.integers(min_value=0, max_value=20),
    earliest=st.none() | quarter_hours,
    latest=st.none() | quarter_hours,
    wanted=st.none() | st.integers(1, 3),
    zone=zones,
    day=days,
    wall=quarter_hours,
    therapist=st.integers(1, 3),
)
def test_an_entry_matches_exactly_the_starts_inside_its_window(
    first, span, earliest, latest, wanted, zone, day, wall, therapist
):
    """A start fits when and only when its therapist, clinic day and clinic wall-clock time all
    lie inside the window; checked against the start built from that day and time."""
    window = Window(wanted, first, first + timedelta(days=span), earliest, latest)
    start = datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)
    seen = start.astimezone(zone)  # a wall time skipped by DST reads back shifted
    inside = (
        (wanted is None or wanted == therapist)
        and window.first_day <= seen.date() <= window.last_day
        and (earliest is None or earliest <= seen.time().replace(tzinfo=None))
        and (latest is None or seen.time().replace(tzinfo=None) <= latest)
    )
    assert fits(window, therapist, start, zone) is inside


@given(
    first=days,
    span=st.integers(min_value=0, max_value=10),
    earliest=quarter_hours,
    length=st.integers(min_value=0, max_value=40),
    zone=zones,
)
def test_every_grid_start_of_the_window_fits_and_none_just_outside(first, span, earliest, length, zone):
    latest_minutes = min(earliest.hour * 60 + earliest.minute + length * 15, 23 * 60 + 45)
    latest = time(latest_minutes // 60, latest_minutes % 60)
    window = Window(None, first, first + timedelta(days=span), earliest, latest)
    for offset in range(span + 1):
        day = first + timedelta(days=offset)
        for wall in (earliest, latest):
            start = datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)
            if start.astimezone(zone).time().replace(tzinfo=None) == wall:  # not a DST gap
                assert fits(window, 1, start, zone)
    outside = [first - timedelta(days=1), window.last_day + timedelta(days=1)]
    for day in outside:
        assert not fits(window, 1, datetime.combine(day, earliest, tzinfo=zone).astimezone(UTC), zone)


@given(
    last=days,
    today_offset=st.integers(min_value=-10, max_value=90),
    lead=st.integers(min_value=0, max_value=14),
    upcoming=st.booleans(),
)
def test_recall_is_due_from_the_lead_days_before_the_expected_date_unless_something_is_booked(
    last, today_offset, lead, upcoming
):
    today = last + timedelta(days=today_offset)
    expected = expected_next_visit(last)
    due = recall_due(last, today, has_upcoming=upcoming, lead_days=lead)
    if upcoming or today < expected - timedelta(days=lead) or today > expected + timedelta(days=GIVE_UP_DAYS):
        assert due is None
    else:
        assert due == expected == last + timedelta(days=28)
