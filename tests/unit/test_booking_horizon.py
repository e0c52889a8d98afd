"""Pure rules for clients booking online: the horizon, the open-bookings limit, and the
feed's initials."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from clinic.scheduling.ical import initials
from clinic.scheduling.slots import WeeklyHours, horizon_day, over_booking_limit, start_problem

ZONE = ZoneInfo("Europe/Berlin")
WEEK = [WeeklyHours(d, time(9), time(17)) for d in range(7)]


def test_the_horizon_is_today_plus_the_days():
    assert horizon_day(date(2027, 3, 3), 90) == date(2027, 6, 1)
    assert horizon_day(date(2027, 3, 3), 0) == date(2027, 3, 3)


@pytest.mark.parametrize(("day", "refused"), [(date(2027, 6, 1), False), (date(2027, 6, 2), True)])
def test_a_start_after_the_horizon_day_is_refused(day, refused):
    start = datetime.combine(day, time(9), tzinfo=ZONE).astimezone(UTC)
    problem = start_problem(start, hours=WEEK, zone=ZONE, duration_minutes=60, last_day=date(2027, 6, 1))
    assert (problem is not None) == refused
    assert start_problem(start, hours=WEEK, zone=ZONE, duration_minutes=60) is None


def test_the_horizon_is_a_clinic_local_day():
    # 23:30 UTC on 1 June is already 2 June in Berlin.
    start = datetime(2027, 6, 1, 23, 30, tzinfo=UTC)
    late = [WeeklyHours(d, time(0), time(23, 59)) for d in range(7)]
    assert start_problem(start, hours=late, zone=ZONE, duration_minutes=15, last_day=date(2027, 6, 1))


@pytest.mark.parametrize(("open_bookings", "over"), [(0, False), (5, False), (6, True), (9, True)])
def test_the_limit_refuses_one_more_than_allowed(open_bookings, over):
    assert over_booking_limit(open_bookings, 6) == over


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Clara Jensen", "C.J."), ("Luis Fernández", "L.F."), ("madonna", "M."), ("  ", "?"), ("Ö. Ünal", "Ö.Ü.")],
)
def test_initials(name, expected):
    assert initials(name) == expected
