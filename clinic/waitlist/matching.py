"""Pure waitlist rules: which freed starts an entry wants, and who goes first.

No Flask, no database. An entry is a window: a service, a therapist or any, a range of
clinic-local days (inclusive) and optionally a range of start times (inclusive), all in
the clinic's wall-clock time like working hours.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Parts of the day on the pages, as (earliest, latest) start times; None is open-ended.
PARTS_OF_DAY = {
    "morning": (None, time(11, 59)),
    "afternoon": (time(12, 0), time(16, 59)),
    "evening": (time(17, 0), None),
}


@dataclass(frozen=True)
class Window:
    """What a waitlist entry asks for."""

    therapist_id: int | None
    first_day: date
    last_day: date
    earliest: time | None = None
    latest: time | None = None


def fits(window: Window, therapist_id: int, start: datetime, zone: ZoneInfo) -> bool:
    """True when the start (aware) with this therapist lies inside the entry's window:
    the therapist is the one asked for (or any), its clinic-local day is within
    first_day..last_day and its wall-clock time within earliest..latest, both inclusive."""
    if window.therapist_id is not None and window.therapist_id != therapist_id:
        return False
    local = start.astimezone(zone)
    if not window.first_day <= local.date() <= window.last_day:
        return False
    wall_clock = local.time().replace(tzinfo=None)
    if window.earliest is not None and wall_clock < window.earliest:
        return False
    return window.latest is None or wall_clock <= window.latest


def window_problems(window: Window, today: date) -> dict[str, list[str]]:
    """Field -> problems: `to` before `from` or before today, `latest` before `earliest`."""
    problems: dict[str, list[str]] = {}
    if window.last_day < window.first_day:
        problems["to"] = ["Must not be before 'from'."]
    elif window.last_day < today:
        problems["to"] = ["Must not be in the past."]
    if window.earliest is not None and window.latest is not None and window.latest < window.earliest:
        problems["latest"] = ["Must not be before 'earliest'."]
    return problems


def week_of(day: date) -> tuple[date, date]:
    """Monday and Sunday of the week holding `day`: a care plan's rhythm is one session a week."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def send_after(now: datetime, *, first_in_line: bool, anyone_first: bool, head_start: timedelta) -> datetime:
    """When an offer may go out: at once, unless others have a head start and this client
    is not one of them (a care-plan client whose session that week was cancelled)."""
    if anyone_first and not first_in_line:
        return now + head_start
    return now
