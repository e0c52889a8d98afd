"""The course of care as a calendar: weekly sessions, then monthly maintenance.

Seed article, "Recovery": "Ongoing weekly sessions are common over 1-3 months for sustained
improvement", then "monthly sessions may help maintain hip flexibility and reduce pain
recurrence". Every session keeps the first one's weekday and clinic wall-clock time, so a
10:00 Tuesday stays a 10:00 Tuesday across daylight-saving changes: sessions are laid out
in local wall-clock time and only then converted to UTC.

Pure rules: no Flask, no database. Inputs and outputs are plain values.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from dateutil.rrule import WEEKLY, rrule

MAX_WEEKLY_SESSIONS = 26  # half a year of weekly care; the article speaks of 1-3 months
MAX_MAINTENANCE_SESSIONS = 24
# A maintenance session falls on the plan's weekday nearest to "one calendar month later",
# so consecutive maintenance sessions are 28 or 35 days apart.
MAINTENANCE_GAPS_DAYS = (28, 35)


class Phase(StrEnum):
    WEEKLY = "weekly"
    MAINTENANCE = "maintenance"
    FINISHED = "finished"


@dataclass(frozen=True)
class PlannedSession:
    """One session of a plan: its UTC start and which phase it belongs to."""

    start: datetime
    phase: Phase


def _local_instant(day: date, wall_clock: time, zone: ZoneInfo) -> datetime:
    # A wall-clock time that does not exist on a spring-forward day (e.g. 02:30) resolves
    # with the offset before the change, as zoneinfo does for fold=0; clinics do not open
    # at those hours, and working-hours checks reject such starts anyway.
    return datetime.combine(day, wall_clock, tzinfo=zone).astimezone(UTC)


def nearest_same_weekday(target: date, weekday: int) -> date:
    """The date with `weekday` (Monday = 0) nearest to `target` (at most 3 days away)."""
    shift = (weekday - target.weekday()) % 7
    return target + timedelta(days=shift if shift <= 3 else shift - 7)


def weekly_days(first_day: date, count: int) -> list[date]:
    """`count` dates 7 days apart starting at `first_day`."""
    if count <= 0:
        return []
    rule = rrule(WEEKLY, count=count, dtstart=datetime.combine(first_day, time()))
    return [moment.date() for moment in rule]


def maintenance_days(anchor: date, count: int, *, include_anchor: bool = False) -> list[date]:
    """Monthly dates on `anchor`'s weekday: each nearest to anchor + k calendar months.

    Counting from one anchor (not from the previous session) keeps the course from drifting,
    and the relativedelta month step clamps month ends (Jan 31 + 1 month = Feb 28/29).
    With `include_anchor` the anchor day itself is the first maintenance session (a plan
    with no weekly phase starts with maintenance).
    """
    if count <= 0:
        return []
    first_k = 0 if include_anchor else 1
    return [
        nearest_same_weekday(anchor + relativedelta(months=k), anchor.weekday())
        for k in range(first_k, first_k + count)
    ]


def plan_sessions(
    first_start: datetime, weekly_sessions: int, maintenance_sessions: int, zone: ZoneInfo
) -> list[PlannedSession]:
    """Every session of a plan, in order: the weekly phase, then monthly maintenance.

    `first_start` is an aware instant; its wall-clock time and weekday in `zone` are kept
    for every session. Weekly sessions are 7 days apart; the first maintenance session
    comes about a month (28 days) after the last weekly one, the rest 28 or 35 days apart.
    """
    if first_start.tzinfo is None:
        raise ValueError("first_start must be timezone-aware")
    if weekly_sessions < 0 or maintenance_sessions < 0:
        raise ValueError("session counts cannot be negative")
    local = first_start.astimezone(zone)
    wall_clock = local.time().replace(tzinfo=None)
    weekly = weekly_days(local.date(), weekly_sessions)
    anchor = weekly[-1] if weekly else local.date()
    monthly = maintenance_days(anchor, maintenance_sessions, include_anchor=not weekly)
    return [PlannedSession(_local_instant(d, wall_clock, zone), Phase.WEEKLY) for d in weekly] + [
        PlannedSession(_local_instant(d, wall_clock, zone), Phase.MAINTENANCE) for d in monthly
    ]


def session_phase(start: datetime, first_start: datetime, weekly_sessions: int, zone: ZoneInfo) -> Phase:
    """Which phase a plan session belongs to, from its start alone.

    Weekly sessions end on day first + 7 * (weekly_sessions - 1); the first maintenance
    session comes four weeks later. Anything up to two weeks past the last weekly day is
    counted as weekly, so a weekly session moved by a few days keeps its phase.
    """
    if weekly_sessions <= 0:
        return Phase.MAINTENANCE
    first_day = first_start.astimezone(zone).date()
    cutoff = first_day + timedelta(weeks=weekly_sessions - 1, days=14)
    return Phase.WEEKLY if start.astimezone(zone).date() < cutoff else Phase.MAINTENANCE


def phase_of(sessions: list[tuple[Phase, bool]]) -> Phase:
    """The plan's phase from (phase, is_ahead) for each non-cancelled session.

    `weekly` while a weekly session is still ahead, then `maintenance` while a
    maintenance session is ahead, then `finished`.
    """
    if any(phase == Phase.WEEKLY and ahead for phase, ahead in sessions):
        return Phase.WEEKLY
    if any(phase == Phase.MAINTENANCE and ahead for phase, ahead in sessions):
        return Phase.MAINTENANCE
    return Phase.FINISHED
