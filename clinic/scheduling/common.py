"""What the scheduling modules share: the bounds on a service and on a calendar range, the
checks that refuse dates outside the calendar (422, before arithmetic on them can
overflow), and the SQL overlap test.
"""

from datetime import date, datetime

from sqlalchemy import and_

from clinic.errors import ValidationFailed

MAX_AVAILABILITY_SPAN_DAYS = 62
MAX_BUFFER_MINUTES = 240
MAX_DURATION_MINUTES = 480
MAX_DESCRIPTION_LENGTH = 1000


def overlap_clause(start_col, end_col, start: datetime, end: datetime):
    """SQL twin of slots.overlaps: rows whose [start_col, end_col) meets [start, end)."""
    return and_(start_col < end, end_col > start)


# Dates and instants far outside any clinic's calendar are refused (422) before arithmetic on
# them can overflow.
EARLIEST_DAY = date(1970, 1, 2)
LATEST_DAY = date(9000, 12, 31)


def check_days(**days: date | None) -> None:
    fields = {
        name: [f"Must be between {EARLIEST_DAY} and {LATEST_DAY}."]
        for name, day in days.items()
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY
    }
    if fields:
        raise ValidationFailed(fields=fields)


def check_instants(**instants: datetime | None) -> None:
    check_days(**{name: None if i is None else i.date() for name, i in instants.items()})


def check_range(first: date | None, last: date | None) -> None:
    check_days(**{"from": first, "to": last})
    if first is not None and last is not None:
        if last < first:
            raise ValidationFailed(fields={"to": ["Must not be before 'from'."]})
        if (last - first).days > MAX_AVAILABILITY_SPAN_DAYS:
            raise ValidationFailed(
                fields={"to": [f"The range may span at most {MAX_AVAILABILITY_SPAN_DAYS} days."]}
            )


def check_range_order(first: date | None, last: date | None) -> None:
    check_days(**{"from": first, "to": last})
    if first is not None and last is not None and last < first:
        raise ValidationFailed(fields={"to": ["Must not be before 'from'."]})
