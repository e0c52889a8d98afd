from datetime import UTC, date, datetime

import pytest

from clinic.dates import (
    AVAILABILITY_SPAN_DAYS,
    EARLIEST_DAY,
    LATEST_DAY,
    OUTSIDE_CALENDAR,
    day_problems,
    in_calendar,
    range_problems,
)


@pytest.mark.parametrize("day, inside", [
    (date(1970, 1, 1), False), (EARLIEST_DAY, True), (date(2027, 3, 2), True),
    (LATEST_DAY, True), (date(9001, 1, 1), False), (date.min, False), (date.max, False),
])
def test_one_calendar_for_every_day_the_clinic_reads(day, inside):
    assert in_calendar(day) is inside
    assert day_problems(day=day) == ({} if inside else {"day": [OUTSIDE_CALENDAR]})


def test_instants_are_judged_by_their_day_and_open_ends_are_not_checked():
    assert day_problems(start=datetime(9999, 1, 1, tzinfo=UTC), end=None) == {"start": [OUTSIDE_CALENDAR]}


@pytest.mark.parametrize("first, last, kw, expected", [
    (None, None, {}, {}),
    (date(2027, 3, 2), None, {}, {}),
    (None, None, {"required": True}, {"from": ["This field is required."], "to": ["This field is required."]}),
    (date(2027, 3, 2), date(9999, 1, 1), {}, {"to": [OUTSIDE_CALENDAR]}),
    (date(2027, 3, 2), date(2027, 3, 1), {}, {"to": ["Must not be before 'from'."]}),
    (date(2027, 3, 2), date(2027, 3, 2), {"max_span_days": 0}, {}),
    (date(2027, 1, 1), date(2027, 3, 4), {"max_span_days": AVAILABILITY_SPAN_DAYS}, {}),
    (date(2027, 1, 1), date(2027, 3, 5), {"max_span_days": AVAILABILITY_SPAN_DAYS},
     {"to": ["The range may span at most 62 days."]}),
])
def test_a_range_is_in_the_calendar_in_order_and_not_too_long(first, last, kw, expected):
    assert range_problems(first, last, **kw) == expected
