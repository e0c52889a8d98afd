"""The scheduling blueprint, its menu links and template filters, and the helpers every
scheduling page uses to read the query string and report a refusal.
"""

from datetime import date, datetime, time, timedelta

from flask import Blueprint, request

from clinic import clock
from clinic.dates import in_calendar
from clinic.errors import DomainError
from clinic.home.panels import nav_link
from clinic.parsing import parse_day, parse_id
from clinic.scheduling import services

bp = Blueprint("scheduling", __name__)

nav_link("Book", "scheduling.book", roles=("client",), order=10)
nav_link("My appointments", "scheduling.my_appointments", roles=("client",), order=20)
nav_link("Calendar", "scheduling.calendar", roles=("therapist", "owner", "front_desk"), order=10)
nav_link("Book for a client", "scheduling.staff_book", roles=("therapist", "owner", "front_desk"), order=15)
nav_link("My hours", "scheduling.my_hours", roles=("therapist",), order=80)
nav_link("Setup", "scheduling.setup", roles=("owner",), order=80)

DAYS_SHOWN = 7


def _day_arg(name: str = "day") -> date:
    day = parse_day(request.args.get(name))
    if day is None or not in_calendar(day):
        return clock.today()
    return day


def _describe(error: DomainError) -> str:
    if error.fields:
        return " ".join(problem for problems in error.fields.values() for problem in problems)
    return error.message


def _local(day: date, wall_clock: time) -> datetime:
    """The instant of a clinic wall-clock time; a day beyond the calendar is a field error."""
    services.check_days(day=day)
    return clock.local_datetime(day, wall_clock)


def _day_strip(day: date) -> list[date]:
    """Links to nearby days for the day picker, never before today."""
    days = (day + timedelta(days=i) for i in range(-3, DAYS_SHOWN))
    return [d for d in days if d >= clock.today()]


def _int_arg(name: str) -> int | None:
    return parse_id(request.args.get(name))
