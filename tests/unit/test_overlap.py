"""The one half-open overlap rule; tests/services/test_scheduling_overlap_sql.py runs the same
cases through its SQL twin."""

from datetime import UTC, datetime, timedelta

import pytest

from clinic.scheduling.slots import overlaps

T0 = datetime(2030, 3, 4, 9, tzinfo=UTC)


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


# (a_start, a_end, b_start, b_end, expected)
OVERLAP_CASES = [
    (h(0), h(1), h(1), h(2), False),  # touching: a ends as b starts
    (h(1), h(2), h(0), h(1), False),  # touching the other way
    (h(0), h(1), h(2), h(3), False),  # apart
    (h(2), h(3), h(0), h(1), False),
    (h(0), h(2), h(1), h(3), True),  # partial
    (h(1), h(3), h(0), h(2), True),
    (h(0), h(3), h(1), h(2), True),  # a contains b
    (h(1), h(2), h(0), h(3), True),  # b contains a
    (h(0), h(1), h(0), h(1), True),  # identical
    (h(0), h(1), h(0.99), h(5), True),
]


@pytest.mark.parametrize(("a_start", "a_end", "b_start", "b_end", "expected"), OVERLAP_CASES)
def test_overlaps_is_half_open(a_start, a_end, b_start, b_end, expected):
    assert overlaps(a_start, a_end, b_start, b_end) is expected
    assert overlaps(b_start, b_end, a_start, a_end) is expected
