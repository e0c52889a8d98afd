"""The staff calendars: a day of every therapist (or one's own), and one therapist's week,
as an agenda and on the quarter-hour grid.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import abort, render_template
from flask_login import current_user

from clinic import access, clock
from clinic.auth.decorators import staff_required
from clinic.extensions import db
from clinic.formatting import local_time
from clinic.intake.status import clearance_summaries
from clinic.models import Appointment, AppointmentStatus, Therapist, TimeOff
from clinic.scheduling import services, timegrid
from clinic.scheduling.views.base import _day_arg, _int_arg, bp


def _calendar_rows(therapist_ids: list[int], first: date, last: date) -> tuple[list[Appointment], dict]:
    start, end = clock.day_range(first, last)
    rows = services.appointments_between(therapist_ids, start, end)
    summaries = clearance_summaries({a.client_id for a in rows}, clock.today())
    return rows, summaries


@dataclass(frozen=True)
class TimeOffBlock:
    """Time off as one local day of the calendar shows it."""

    starts_at: datetime
    when: str
    reason: str | None


def _time_off_block(off: TimeOff, day_start: datetime, day_end: datetime) -> TimeOffBlock:
    starts, ends = max(off.starts_at, day_start), min(off.ends_at, day_end)
    if starts == day_start and ends == day_end:
        when = "All day"
    elif ends == day_end:
        when = f"From {local_time(starts)}"
    elif starts == day_start:
        when = f"Until {local_time(ends)}"
    else:
        when = f"{local_time(starts)}–{local_time(ends)}"
    return TimeOffBlock(starts, when, off.reason)


def _day_entries(day: date, appointments, time_off) -> list[tuple[str, object]]:
    """One column of a calendar: a day's appointments and time off, in time order, and on
    today's the current time (the agenda's counterpart of the grid's line)."""
    day_start, day_end = clock.day_range(day, day)
    entries = [(a.starts_at, 1, "appointment", a) for a in appointments]
    now = clock.now()
    if day_start <= now < day_end:
        entries.append((now, 2, "now", now))
    entries += [
        (block.starts_at, 0, "time_off", block)
        for block in (_time_off_block(off, day_start, day_end) for off in time_off
                      if off.starts_at < day_end and off.ends_at > day_start)
    ]
    return [(kind, entry) for _start, _order, kind, entry in sorted(entries, key=lambda e: e[:2])]


def _calendar_grid(therapists, days: list[date], appointments, time_off) -> tuple[tuple[int, int], dict]:
    """Each (therapist id, day) laid out on the quarter-hour grid, all sharing one window of
    rows; free quarter-hours (from now on) only for therapists who can still be booked."""
    zone, now = clock.clinic_zone(), clock.now()
    ids = [t.id for t in therapists]
    bookable = [t.id for t in therapists if not t.user.is_disabled]
    times = services.calendar_time(ids, days[0], days[-1], bookable=bookable, not_before=now)
    live = [a for a in appointments if a.status != AppointmentStatus.CANCELLED]
    spans = {tid: [timegrid.Span(a.starts_at, a.ends_at, a, a.buffer_minutes) for a in live
                   if a.therapist_id == tid] for tid in ids}
    off = {(tid, day): [timegrid.Span(o.starts_at, o.ends_at, _time_off_block(o, *clock.day_range(day, day)))
                        for o in time_off if o.therapist_id == tid] for tid in ids for day in days}
    hours = {tid: [timegrid.Span(i.start, i.end) for i in times[tid].hours] for tid in ids}
    rows = timegrid.window(days, zone, hours=[h for each in hours.values() for h in each],
                           appointments=[a for each in spans.values() for a in each])
    columns = {
        (tid, day): timegrid.column(day, zone, rows, hours=hours[tid], appointments=spans[tid],
                                    time_off=off[(tid, day)], free=times[tid].free, now=now)
        for tid in ids for day in days
    }
    return rows, columns


@bp.get("/calendar")
@staff_required
def calendar():
    day = _day_arg()
    start, end = clock.day_range(day, day)
    if access.sees_everyone(current_user):
        therapists = services.calendar_therapists(start, end)
    else:
        therapists = [services.get_therapist(current_user.id)]
    ids = [t.id for t in therapists]
    rows, summaries = _calendar_rows(ids, day, day)
    time_off = services.time_off_between(ids, start, end)
    window, grid = _calendar_grid(therapists, [day], rows, time_off)
    columns = [
        (t, _day_entries(day, [a for a in rows if a.therapist_id == t.id],
                         [o for o in time_off if o.therapist_id == t.id]), grid[(t.id, day)])
        for t in therapists
    ]
    return render_template("scheduling/calendar_day.html", day=day, columns=columns, summaries=summaries,
                           hours=timegrid.hour_labels(window), cancelled=_cancelled(rows),
                           today=clock.today(), now=clock.now(),
                           prev_day=day - timedelta(days=1), next_day=day + timedelta(days=1))


def _cancelled(rows: list[Appointment]) -> list[Appointment]:
    """Cancelled visits are listed under the grid: their time is free again."""
    return [a for a in rows if a.status == AppointmentStatus.CANCELLED]


@bp.get("/calendar/week")
@staff_required
def calendar_week():
    day = _day_arg()
    monday = day - timedelta(days=day.weekday())
    days = [monday + timedelta(days=i) for i in range(7)]
    start, end = clock.day_range(days[0], days[-1])
    therapist_id = _int_arg("therapist_id") if access.sees_everyone(current_user) else current_user.id
    therapists = services.calendar_therapists(start)
    if therapist_id is None and therapists:
        therapist_id = therapists[0].id
    therapist = db.session.get(Therapist, therapist_id) if therapist_id else None
    if therapist is None or not access.may_see_calendar(current_user, therapist.id):
        abort(404)
    if therapist not in therapists:
        therapists.append(therapist)
    rows, summaries = _calendar_rows([therapist.id], days[0], days[-1])
    time_off = services.time_off_between([therapist.id], start, end)
    window, grid = _calendar_grid([therapist], days, rows, time_off)
    by_day = [(d, _day_entries(d, [a for a in rows if clock.to_local(a.starts_at).date() == d], time_off),
               grid[(therapist.id, d)]) for d in days]
    return render_template("scheduling/calendar_week.html", therapist=therapist, therapists=therapists,
                           by_day=by_day, summaries=summaries, hours=timegrid.hour_labels(window),
                           cancelled=_cancelled(rows), today=clock.today(), now=clock.now(),
                           prev_week=monday - timedelta(days=7), next_week=monday + timedelta(days=7))
