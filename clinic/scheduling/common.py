"""What the scheduling modules share: the bounds on a service and on a calendar range, the
checks that refuse dates outside the calendar (422, before arithmetic on them can
overflow), and the SQL overlap test.
"""

from datetime import date, datetime

from sqlalchemy import and_

from clinic import dates
from clinic.errors import refuse

MAX_AVAILABILITY_SPAN_DAYS = dates.AVAILABILITY_SPAN_DAYS
MAX_BUFFER_MINUTES = 240
MAX_DURATION_MINUTES = 480
MAX_DESCRIPTION_LENGTH = 1000


def overlap_clause(start_col, end_col, start: datetime, end: datetime):
    """SQL twin of slots.overlaps: rows whose [start_col, end_col) meets [start, end)."""
    return and_(start_col < end, end_col > start)


# The calendar's bounds and range rules have one home, clinic.dates; these names stay for callers.
EARLIEST_DAY = dates.EARLIEST_DAY
LATEST_DAY = dates.LATEST_DAY


def check_days(**days: date | None) -> None:
    refuse(dates.day_problems(**days))


def check_instants(**instants: datetime | None) -> None:
    refuse(dates.day_problems(**instants))


def check_range(first: date | None, last: date | None) -> None:
    """Availability's range: either end may be open; `to - from` at most 62 days."""
    refuse(dates.range_problems(first, last, max_span_days=dates.AVAILABILITY_SPAN_DAYS))


def check_range_order(first: date | None, last: date | None) -> None:
    refuse(dates.range_problems(first, last))
