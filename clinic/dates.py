"""Which days the clinic accepts, and how long a from/to range may be.

One set of bounds for every page, API call, service and report: days far outside any clinic's
calendar are refused (422) before arithmetic on them can overflow. Pure: plain dates in,
problems by field out (the `fields` of a 422); `clinic.errors.refuse` raises them.
"""

from datetime import date, datetime

EARLIEST_DAY = date(1970, 1, 2)
LATEST_DAY = date(9000, 12, 31)
# The contract: availability over `to - from` more than 62 days is a 422.
AVAILABILITY_SPAN_DAYS = 62
# About ten years: report arithmetic walks the days of the range.
REPORT_SPAN_DAYS = 3660

OUTSIDE_CALENDAR = f"Must be between {EARLIEST_DAY} and {LATEST_DAY}."


def in_calendar(day: date) -> bool:
    return EARLIEST_DAY <= day <= LATEST_DAY


def day_problems(**days: date | datetime | None) -> dict[str, list[str]]:
    """Each named day (or instant, by its date) outside the calendar; None is not checked."""
    return {
        name: [OUTSIDE_CALENDAR]
        for name, day in days.items()
        if day is not None and not in_calendar(day.date() if isinstance(day, datetime) else day)
    }


def range_problems(
    first: date | None, last: date | None, *, required: bool = False, max_span_days: int | None = None
) -> dict[str, list[str]]:
    """An inclusive `from`/`to` range: both in the calendar, `to` not before `from`, and
    `to - from` at most `max_span_days`. Unless `required`, either end may be left open."""
    problems: dict[str, list[str]] = {}
    if required:
        problems.update({name: ["This field is required."]
                         for name, day in (("from", first), ("to", last)) if day is None})
    problems.update(day_problems(**{"from": first, "to": last}))
    if problems or first is None or last is None:
        return problems
    if last < first:
        return {"to": ["Must not be before 'from'."]}
    if max_span_days is not None and (last - first).days > max_span_days:
        return {"to": [f"The range may span at most {max_span_days} days."]}
    return {}
