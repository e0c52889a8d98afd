"""Open times: the one availability computation (_open_starts) behind the staff forms, the
calendars and care plans, and its fast path for clients and the API (bookable_starts).
"""

from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from flask import current_app

from clinic import clock
from clinic.database import read_only_connection
from clinic.errors import DomainError
from clinic.models import Service, Therapist
from clinic.scheduling import slots
from clinic.scheduling.common import check_days, check_range
from clinic.scheduling.schedule_reads import _busy, _obstacles, _service_and_hours, _time_off, _weekly_hours
from clinic.scheduling.setup import get_service, get_therapist


class Slot(NamedTuple):
    therapist_id: int
    start: datetime
    end: datetime


def booking_not_before() -> datetime:
    """The earliest start a client may book online (the minimum notice)."""
    return clock.now() + timedelta(hours=current_app.config.get("BOOKING_NOTICE_HOURS", 2))


def booking_last_day() -> date:
    """The last clinic-local day offered, and the last a client may book (staff may go further)."""
    return slots.horizon_day(clock.today(), int(current_app.config.get("BOOKING_HORIZON_DAYS", 90)))


def _open_starts(
    therapist_ids,
    first: date,
    last: date,
    *,
    duration_minutes: int,
    buffer_minutes: int,
    not_before: datetime | None,
    ignore_appointment_id: int | None = None,
    hours: dict[int, list[slots.WeeklyHours]] | None = None,
) -> dict[int, list[datetime]]:
    """Each therapist's open starts in the local days [first, last], in three queries.

    The one availability computation: client booking, staff forms and the calendars all
    come here, and differ only in the visit's length and the earliest start allowed.
    """
    range_start, range_end = clock.day_range(first, last)
    hours = _weekly_hours(therapist_ids) if hours is None else hours
    therapist_ids = [tid for tid in therapist_ids if hours.get(tid)]
    if not therapist_ids or (not_before is not None and range_end <= not_before):
        return {}
    time_off = _time_off(therapist_ids, range_start, range_end)
    busy = _busy(therapist_ids, range_start, range_end, ignore_appointment_id)
    zone = clock.clinic_zone()
    return {
        tid: slots.open_slots(
            hours=hours[tid],
            first_day=first,
            last_day=last,
            zone=zone,
            duration_minutes=duration_minutes,
            buffer_minutes=buffer_minutes,
            busy=busy.get(tid, ()),
            time_off=time_off.get(tid, ()),
            not_before=not_before,
        )
        for tid in therapist_ids
    }


def availability(
    service_id: int,
    first: date,
    last: date,
    therapist_id: int | None = None,
    *,
    ignore_appointment_id: int | None = None,
) -> list[Slot]:
    """Every start a client could book now, for one service, in chronological order.

    `ignore_appointment_id` leaves one appointment out, to offer the times it could move to.
    """
    found = bookable_starts(
        service_id, first, last, therapist_id, ignore_appointment_id=ignore_appointment_id
    )
    moments: dict[int, datetime] = {}  # one datetime per instant: therapists share starts and ends

    def moment(seconds: int) -> datetime:
        instant = moments.get(seconds)
        if instant is None:
            instant = moments[seconds] = datetime.fromtimestamp(seconds, UTC)
        return instant

    duration = found.duration_seconds
    return [Slot(tid, moment(start), moment(start + duration)) for start, tid in found.starts]


class BookableStarts(NamedTuple):
    """availability in Unix seconds: (start, therapist id) pairs in chronological order, and
    the service's length. The public API writes its JSON from these directly."""

    duration_seconds: int
    starts: list[tuple[int, int]]


def bookable_starts(
    service_id: int,
    first: date,
    last: date,
    therapist_id: int | None = None,
    *,
    ignore_appointment_id: int | None = None,
) -> BookableStarts:
    """What availability offers, without a datetime per slot. Two queries whatever the
    clinic's size (the service with the therapists' hours; appointments and time off), read
    without the write lock (read_only_connection)."""
    check_range(first, last)
    with read_only_connection() as connection:
        duration_minutes, buffer_minutes, hours = _service_and_hours(connection, service_id, therapist_id)
        last = min(last, booking_last_day())
        if last < first:
            return BookableStarts(duration_minutes * 60, [])
        range_start, range_end = clock.day_range(first, last)
        not_before = booking_not_before()
        if range_end <= not_before:
            return BookableStarts(duration_minutes * 60, [])
        therapist_ids = [tid for tid, week in hours.items() if week]
        if not therapist_ids:
            return BookableStarts(duration_minutes * 60, [])
        busy, time_off = _obstacles(connection, therapist_ids, range_start, range_end, ignore_appointment_id)
    zone = clock.clinic_zone()
    floor = int(not_before.timestamp()) + (1 if not_before.microsecond else 0)
    windows: dict[frozenset, list[slots.Window]] = {}  # therapists often share one week
    found: list[tuple[int, int]] = []
    for tid in therapist_ids:
        week = frozenset(hours[tid])
        if week not in windows:
            windows[week] = slots.working_windows(week, first, last, zone)
        starts = slots.open_starts(
            windows=windows[week],
            duration_minutes=duration_minutes,
            buffer_minutes=buffer_minutes,
            busy=busy.get(tid, ()),
            time_off=time_off.get(tid, ()),
            not_before=floor,
        )
        found.extend((start, tid) for start in starts)
    found.sort()
    return BookableStarts(duration_minutes * 60, found)


def staff_open_starts(service: Service, therapist_id: int, day: date) -> list[datetime]:
    """Starts staff could book on one local day: availability's computation under staff
    rules (schedule_problem's), so without the client's notice and the past included."""
    check_days(day=day)
    therapist = get_therapist(therapist_id)
    starts = _open_starts(
        [therapist.id],
        day,
        day,
        duration_minutes=service.duration_minutes,
        buffer_minutes=service.buffer_minutes,
        not_before=None,
    )
    return starts.get(therapist.id, [])


class OpenTimes(NamedTuple):
    """The open starts a staff form offers for its service, therapist and day."""

    service: Service
    therapist: Therapist
    day: date
    starts: list[datetime]


def staff_open_times(service_id: int | None, therapist_id: int | None, day: date | None) -> OpenTimes | None:
    """Open times for a staff form, or None until a bookable service, therapist and day are chosen."""
    if service_id is None or therapist_id is None or day is None:
        return None
    try:
        service = get_service(service_id)
        therapist = get_therapist(therapist_id)
        return OpenTimes(service, therapist, day, staff_open_starts(service, therapist.id, day))
    except DomainError:
        return None


class CalendarTime(NamedTuple):
    """What a calendar shades and offers for one therapist: working intervals and the
    quarter-hours where a visit could start."""

    hours: list[slots.Interval]
    free: list[datetime]


def calendar_time(
    therapist_ids, first: date, last: date, *, bookable=(), not_before: datetime | None = None
) -> dict[int, CalendarTime]:
    """Working hours of these therapists, and free quarter-hours of the `bookable` ones, in
    the local days [first, last] (a fixed number of queries, however full the calendar).

    A quarter-hour is free when a 15-minute visit could be booked there under staff rules;
    from `not_before` on, when given. Disabled therapists show hours but are not bookable.
    """
    hours = _weekly_hours(therapist_ids)
    bookable = [tid for tid in therapist_ids if tid in set(bookable)]
    free = {}
    if bookable:
        free = _open_starts(
            bookable,
            first,
            last,
            duration_minutes=slots.GRID_MINUTES,
            buffer_minutes=0,
            not_before=not_before,
            hours=hours,
        )
    zone = clock.clinic_zone()
    return {
        tid: CalendarTime(slots.working_intervals(hours.get(tid, ()), first, last, zone), free.get(tid, []))
        for tid in therapist_ids
    }


def free_starts(
    therapist_id: int, service: Service, first: date, last: date, *, after: datetime
) -> list[datetime]:
    """Every start in clinic days first..last, later than `after`, that schedule_problem would
    accept: its rules for a whole range at once, in three queries however long the range."""
    starts = _open_starts(
        [therapist_id], first, last, duration_minutes=service.duration_minutes,
        buffer_minutes=service.buffer_minutes, not_before=None,
    ).get(therapist_id, [])
    return [s for s in starts if s > after]
