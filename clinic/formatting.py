"""How the clinic writes days and times for people: one format for each, in its own zone.

Pages use the Jinja filters registered by `init_app` (`local_time`, `local_date`,
`local_iso_date`, `local_datetime`, `weekday_date`); flashes and emails call the same
functions. Machines get ISO 8601 instead (`clock.iso`).
"""

from datetime import date, datetime

from flask import Flask

from clinic import clock

NOTHING = "—"


def local_time(instant: datetime) -> str:
    """"10:00"."""
    return f"{clock.to_local(instant):%H:%M}"


def local_date(instant: datetime) -> date:
    """The clinic day an instant falls on (a date, for comparing and formatting further)."""
    return clock.to_local(instant).date()


def local_iso_date(instant: datetime) -> str:
    """"2027-03-02": the clinic day as links and date fields take it."""
    return local_date(instant).isoformat()


def weekday_date(day: date | datetime) -> str:
    """"Tue 2 Mar 2027"; an instant is taken on its clinic day."""
    if isinstance(day, datetime):
        day = local_date(day)
    return f"{day:%a} {day.day} {day:%b %Y}"


def local_datetime(instant: datetime | None) -> str:
    """"Tue 2 Mar 2027, 10:00", or a dash for a time that is not there."""
    if instant is None:
        return NOTHING
    return f"{weekday_date(instant)}, {local_time(instant)}"


def spelled_date(day: date) -> str:
    """"Tuesday 2 March 2027": in emails, where nothing else explains an abbreviation."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def spelled_datetime(instant: datetime) -> str:
    """"Tuesday 2 March 2027 at 10:00"."""
    return f"{spelled_date(local_date(instant))} at {local_time(instant)}"


FILTERS = (local_time, local_date, local_iso_date, local_datetime, weekday_date)


def init_app(app: Flask) -> None:
    for function in FILTERS:
        app.add_template_filter(function)
