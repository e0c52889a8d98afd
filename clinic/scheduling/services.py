"""Scheduling use cases: setup, availability, booking, rescheduling, cancelling.

Every write takes the therapist's schedule lock before it re-checks the calendar, so two
requests cannot both pass the check; on PostgreSQL the exclusion constraint
`appointments_no_overlap` is the final guarantee and its violation becomes BookingConflict.
Services flush but never commit; the caller commits once per request.
"""

import secrets
import sqlite3
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import (
    BigInteger,
    Integer,
    and_,
    bindparam,
    cast,
    exists,
    func,
    literal_column,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import contains_eager, joinedload

from clinic import access, clock, dates, signals
from clinic.access import require_owner
from clinic.clinic_settings.services import clinic_profile
from clinic.database import lock_client_schedule, lock_therapist_schedule, read_only_connection
from clinic.errors import (
    BookingClearanceRequired,
    BookingConflict,
    DomainError,
    Forbidden,
    NotFound,
    TooLateToCancel,
    ValidationFailed,
    refuse,
)
from clinic.extensions import db
from clinic.intake.status import REQUIRED, clearance_status
from clinic.models import (
    NO_OVERLAP_CONSTRAINT,
    Appointment,
    AppointmentStatus,
    Client,
    Service,
    Therapist,
    TimeOff,
    User,
    WorkingHours,
)
from clinic.scheduling import slots

MAX_BUFFER_MINUTES = 240
MAX_DURATION_MINUTES = 480
MAX_DESCRIPTION_LENGTH = 1000
# Busy appointments this far outside a range can still push slots inside it (buffers are
# capped at MAX_BUFFER_MINUTES, appointments at MAX_DURATION_MINUTES).
_REACH = timedelta(hours=24)
# A lower bound on starts_at lets the (therapist_id, starts_at) index narrow the scan; no
# appointment is longer than this.
_LONGEST = timedelta(hours=24)


class BookingLimitReached(DomainError):
    code = "booking_limit"
    message = (
        "You already hold as many upcoming bookings as can be made online. "
        "Please call the clinic to book more."
    )


class AppointmentNotBooked(DomainError):
    code = "appointment_not_booked"
    message = "Only a booked appointment can be changed."


def overlap_clause(start_col, end_col, start: datetime, end: datetime):
    """SQL twin of slots.overlaps: rows whose [start_col, end_col) meets [start, end)."""
    return and_(start_col < end, end_col > start)


# -- reading -------------------------------------------------------------------------------


def active_services() -> list[Service]:
    return list(db.session.scalars(select(Service).where(Service.is_active).order_by(Service.name)))


def bookable_clients(
    actor: User, limit: int = 500, *, search: str | None = None, client_id: int | None = None
) -> list[Client]:
    """Clients a staff member may book for (clinic.access.client_scope): all for the owner
    and the front desk; for a therapist, their own clients and new clients.

    `search` matches name or email, so a large clinic finds anyone without a full list;
    `client_id` asks about one client.
    """
    query = select(Client).where(access.client_scope(actor)).order_by(Client.name, Client.id)
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(
            or_(func.lower(Client.name).like(pattern), func.lower(Client.email).like(pattern))
        )
    if client_id is not None:
        query = query.where(Client.id == client_id)
    return list(db.session.scalars(query.limit(limit)))


# Clients offered at once on the staff booking pages; a search finds the others.
CLIENT_CHOICES = 50


def client_choices(actor: User, search: str, chosen: int | None) -> tuple[list[Client], bool]:
    """The clients matching the search for a staff booking form, keeping the one already
    chosen (from a client's page or the posted form) whatever the search; and whether more
    matched than are shown."""
    if chosen is not None:
        chosen_client = access.client_for_booking(actor, chosen)  # 404: not theirs to book for
    matches = bookable_clients(actor, CLIENT_CHOICES + 1, search=search)
    shown = matches[:CLIENT_CHOICES]
    if chosen is not None and all(c.id != chosen for c in shown):
        shown = [chosen_client, *shown]
    return shown, len(matches) > CLIENT_CHOICES


def _therapists_where(*conditions) -> list[Therapist]:
    return list(
        db.session.scalars(
            select(Therapist)
            .join(Therapist.user)
            .options(contains_eager(Therapist.user))
            .where(*conditions)
            .order_by(User.name, Therapist.id)
        )
    )


def active_therapists() -> list[Therapist]:
    return _therapists_where(User.is_disabled.is_(False))


def therapists_with_hours() -> list[Therapist]:
    """Active therapists with working hours: the others have no time a client could book."""
    return _therapists_where(
        User.is_disabled.is_(False), exists().where(WorkingHours.therapist_id == Therapist.id)
    )


def calendar_therapists(start: datetime, end: datetime | None = None) -> list[Therapist]:
    """Active therapists, and disabled ones with non-cancelled appointments starting in
    [start, end) (`end` None: from `start` on).

    Disabling an account does not cancel its visits: they stay on the clinic's calendar
    until the owner moves or cancels them.
    """
    still_booked = exists().where(
        Appointment.therapist_id == Therapist.id,
        Appointment.status != AppointmentStatus.CANCELLED,
        Appointment.starts_at >= start,
    )
    if end is not None:
        still_booked = still_booked.where(Appointment.starts_at < end)
    return _therapists_where(or_(User.is_disabled.is_(False), still_booked))


def get_service(service_id: int, *, active_only: bool = True) -> Service:
    service = db.session.get(Service, service_id)
    if service is None or (active_only and not service.is_active):
        raise NotFound("No such service.")
    return service


def get_therapist(therapist_id: int) -> Therapist:
    therapist = db.session.get(Therapist, therapist_id)
    if therapist is None or therapist.user.is_disabled:
        raise NotFound("No such therapist.")
    return therapist


def _weekly_hours(therapist_ids) -> dict[int, list[slots.WeeklyHours]]:
    rows = db.session.execute(
        select(WorkingHours.therapist_id, WorkingHours.weekday, WorkingHours.starts_at, WorkingHours.ends_at)
        .where(WorkingHours.therapist_id.in_(therapist_ids))
    )
    result: dict[int, list[slots.WeeklyHours]] = defaultdict(list)
    for tid, weekday, start, end in rows:
        result[tid].append(slots.WeeklyHours(weekday, start, end))
    return result


def _time_off(therapist_ids, start: datetime, end: datetime) -> dict[int, list[slots.Interval]]:
    rows = db.session.execute(
        select(TimeOff.therapist_id, TimeOff.starts_at, TimeOff.ends_at).where(
            TimeOff.therapist_id.in_(therapist_ids),
            overlap_clause(TimeOff.starts_at, TimeOff.ends_at, start, end),
        )
    )
    result: dict[int, list[slots.Interval]] = defaultdict(list)
    for tid, s, e in rows:
        result[tid].append(slots.Interval(s, e))
    return result


def _epoch_seconds(column, dialect: str | None = None):
    """A UTC timestamp column as integer Unix seconds, computed by the database.

    Availability reads thousands of rows; parsing SQLite's datetime strings in Python
    dominated its time, while integers convert cheaply. 64-bit: PostgreSQL's integer is 32-bit
    and overflows for instants after 2038-01-19 (SQLite's INTEGER is always 64-bit).
    """
    if (dialect or db.session.get_bind().dialect.name) == "sqlite":
        if sqlite3.sqlite_version_info >= (3, 38):
            return func.unixepoch(column)  # a quarter faster than strftime('%s')
        return cast(func.strftime("%s", column), Integer)
    return cast(func.floor(func.extract("epoch", column)), BigInteger)


def _busy(therapist_ids, start: datetime, end: datetime, ignore_id: int | None = None) -> dict[int, list]:
    query = select(
        Appointment.therapist_id,
        _epoch_seconds(Appointment.starts_at),
        _epoch_seconds(Appointment.ends_at),
        Appointment.buffer_minutes,
    ).where(
        Appointment.therapist_id.in_(therapist_ids),
        Appointment.status != AppointmentStatus.CANCELLED,
        overlap_clause(Appointment.starts_at, Appointment.ends_at, start - _REACH, end + _REACH),
        Appointment.starts_at > start - _REACH - _LONGEST,
    )
    if ignore_id is not None:
        query = query.where(Appointment.id != ignore_id)
    result: dict[int, list[slots.Busy]] = defaultdict(list)
    moment = datetime.fromtimestamp
    # Core rows straight from the connection: thousands of rows, no ORM entities needed.
    for tid, s, e, buffer in db.session.connection().execute(query):
        result[tid].append(slots.Busy(moment(s, UTC), moment(e, UTC), buffer or 0))
    return result


class Slot(NamedTuple):
    therapist_id: int
    start: datetime
    end: datetime


def check_days(**days: date | None) -> None:
    refuse(dates.day_problems(**days))


def check_instants(**instants: datetime | None) -> None:
    refuse(dates.day_problems(**instants))


def check_range(first: date | None, last: date | None) -> None:
    """Availability's range: either end may be open; `to - from` at most 62 days."""
    refuse(dates.range_problems(first, last, max_span_days=dates.AVAILABILITY_SPAN_DAYS))


def booking_not_before() -> datetime:
    """The earliest start a client may book online (the minimum notice)."""
    return clock.now() + timedelta(hours=current_app.config.get("BOOKING_NOTICE_HOURS", 2))


def booking_last_day() -> date:
    """The last clinic-local day offered, and the last a client may book (staff may go further)."""
    return slots.horizon_day(clock.today(), int(current_app.config.get("BOOKING_HORIZON_DAYS", 90)))


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


def _service_and_hours(
    connection, service_id: int, therapist_id: int | None
) -> tuple[int, int, dict[int, list[slots.WeeklyHours]]]:
    """The service's duration and buffer in minutes, and the active therapists (or the one
    asked for) with their weekly hours, which may be none; in one query.

    A missing or inactive service is NotFound as in get_service, then a missing or disabled
    therapist as in get_therapist.
    """
    name = "service_all_hours" if therapist_id is None else "service_one_hours"
    params = {"service_id": service_id, "therapist_id": therapist_id}
    rows = connection.execute(_statement(connection, name), params).all()
    if not rows:
        raise NotFound("No such service.")
    hours: dict[int, list[slots.WeeklyHours]] = {}
    for _duration, _buffer, tid, weekday, start, end in rows:
        if tid is not None:
            week = hours.setdefault(tid, [])
            if weekday is not None:
                week.append(slots.WeeklyHours(weekday, start, end))
    if therapist_id is not None and not hours:
        raise NotFound("No such therapist.")
    return rows[0][0], rows[0][1], hours


def _obstacles(
    connection, therapist_ids: list[int], start: datetime, end: datetime, ignore_id: int | None
) -> tuple[dict[int, list[tuple[int, int, int]]], dict[int, list[tuple[int, int]]]]:
    """Busy appointments (start, end, buffer) and time off (start, end) in Unix seconds by
    therapist, both from one query (the same bounds as _busy and _time_off)."""
    statement = _statement(connection, "obstacles" if ignore_id is None else "obstacles_ignoring")
    result = connection.execute(
        statement,
        {
            "therapist_ids": therapist_ids,
            "reach_start": start - _REACH,
            "reach_end": end + _REACH,
            "earliest": start - _REACH - _LONGEST,
            "range_start": start,
            "range_end": end,
            "ignore_id": ignore_id,
        },
    )
    try:
        # Integers only, so the driver's plain tuples will do: making a Row of each of
        # thousands cost as much as the query.
        rows = result.cursor.fetchall()
    finally:
        result.close()
    busy: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    time_off: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for is_time_off, tid, s, e, buffer in rows:
        if is_time_off:
            time_off[tid].append((s, e))
        else:
            busy[tid].append((s, e, buffer))
    return busy, time_off


_AVAILABILITY_STATEMENTS: dict[str, dict] = {}


def _statement(connection, name: str):
    """One of availability's statements, built once per database dialect: building and
    keying a statement cost more than running it (SQLAlchemy then finds it compiled)."""
    dialect = connection.dialect.name
    if dialect not in _AVAILABILITY_STATEMENTS:
        _AVAILABILITY_STATEMENTS[dialect] = _availability_statements(dialect)
    return _AVAILABILITY_STATEMENTS[dialect][name]


def _availability_statements(dialect: str) -> dict:
    def service_with(therapists):
        # The service's row, joined to every therapist's hours (or one row of NULLs when
        # there is no therapist): no row at all means no such service.
        hours = therapists.subquery()
        return (
            select(
                Service.duration_minutes,
                Service.buffer_minutes,
                hours.c.id,
                hours.c.weekday,
                hours.c.starts_at,
                hours.c.ends_at,
            )
            .outerjoin(hours, true())
            .where(Service.id == bindparam("service_id"), Service.is_active)
        )

    therapists = (
        select(Therapist.id, WorkingHours.weekday, WorkingHours.starts_at, WorkingHours.ends_at)
        .join(User, User.id == Therapist.id)
        .outerjoin(WorkingHours, WorkingHours.therapist_id == Therapist.id)
        .where(User.is_disabled.is_(False))
    )
    ids = bindparam("therapist_ids", expanding=True)
    busy = select(
        literal_column("0"),
        Appointment.therapist_id,
        _epoch_seconds(Appointment.starts_at, dialect),
        _epoch_seconds(Appointment.ends_at, dialect),
        Appointment.buffer_minutes,
    ).where(
        Appointment.therapist_id.in_(ids),
        Appointment.status != AppointmentStatus.CANCELLED,
        overlap_clause(
            Appointment.starts_at, Appointment.ends_at, bindparam("reach_start"), bindparam("reach_end")
        ),
        Appointment.starts_at > bindparam("earliest"),
    )
    time_off = select(
        literal_column("1"),
        TimeOff.therapist_id,
        _epoch_seconds(TimeOff.starts_at, dialect),
        _epoch_seconds(TimeOff.ends_at, dialect),
        literal_column("0"),
    ).where(
        TimeOff.therapist_id.in_(ids),
        overlap_clause(TimeOff.starts_at, TimeOff.ends_at, bindparam("range_start"), bindparam("range_end")),
    )
    return {
        "service_all_hours": service_with(therapists),
        "service_one_hours": service_with(therapists.where(Therapist.id == bindparam("therapist_id"))),
        "obstacles": union_all(busy, time_off),
        "obstacles_ignoring": union_all(busy.where(Appointment.id != bindparam("ignore_id")), time_off),
    }



def schedule_problem(
    therapist_id: int,
    service: Service,
    start: datetime,
    *,
    ignore_appointment_id: int | None = None,
    not_before: datetime | None = None,
    last_day: date | None = None,
) -> str | None:
    """None when staff could book `start` for this therapist and service, else the reason.

    Staff rules: on the grid, inside working hours, outside time off, and no overlap with
    a non-cancelled appointment, keeping the larger of the two buffers between them.
    `not_before` and `last_day` add the client's minimum notice and booking horizon.
    """
    if not dates.in_calendar(start.date()):
        return "That date is outside the calendar."
    end = start + timedelta(minutes=service.duration_minutes)
    hours = _weekly_hours([therapist_id]).get(therapist_id, [])
    time_off = _time_off([therapist_id], start, end).get(therapist_id, [])
    busy = _busy([therapist_id], start, end, ignore_appointment_id).get(therapist_id, [])
    return slots.start_problem(
        start,
        hours=hours,
        zone=clock.clinic_zone(),
        duration_minutes=service.duration_minutes,
        buffer_minutes=service.buffer_minutes,
        busy=busy,
        time_off=time_off,
        not_before=not_before,
        last_day=last_day,
    )


def free_starts(
    therapist_id: int, service: Service, first: date, last: date, *, after: datetime
) -> list[datetime]:
    """Every start in clinic days first..last, later than `after`, that schedule_problem would
    accept: its rules for a whole range at once, in three queries however long the range."""
    range_start, range_end = clock.day_range(first, last)
    hours = _weekly_hours([therapist_id]).get(therapist_id)
    if not hours:
        return []
    time_off = _time_off([therapist_id], range_start, range_end).get(therapist_id, ())
    busy = _busy([therapist_id], range_start, range_end).get(therapist_id, ())
    starts = slots.open_slots(
        hours=hours,
        first_day=first,
        last_day=last,
        zone=clock.clinic_zone(),
        duration_minutes=service.duration_minutes,
        buffer_minutes=service.buffer_minutes,
        busy=busy,
        time_off=time_off,
    )
    return [s for s in starts if s > after]


# What a page shows of an appointment, loaded with it in one query instead of one per row.
SHOWN_WITH = (
    joinedload(Appointment.client),
    joinedload(Appointment.service),
    joinedload(Appointment.therapist).joinedload(Therapist.user),
)


def visible_appointments_query(actor: User):
    return select(Appointment).where(access.appointment_scope(actor))


def appointment_for(actor: User, appointment_id: int) -> Appointment:
    """The appointment if the actor may see it (clinic.access.appointment_for), else 404."""
    return access.appointment_for(actor, appointment_id)


def list_appointments(
    actor: User,
    first: date | None = None,
    last: date | None = None,
    therapist_id: int | None = None,
    *,
    shown: bool = False,
) -> list[Appointment]:
    """The actor's appointments (owner, front desk: all) starting in the local date range, in time
    order; `shown` loads what a page shows of each (client, service, therapist) in the same query."""
    refuse(dates.range_problems(first, last))
    query = visible_appointments_query(actor)
    if shown:
        query = query.options(*SHOWN_WITH)
    if first is not None:
        query = query.where(Appointment.starts_at >= clock.local_midnight(first))
    if last is not None:
        query = query.where(Appointment.starts_at < clock.local_midnight(last + timedelta(days=1)))
    if therapist_id is not None:
        query = query.where(Appointment.therapist_id == therapist_id)
    return list(db.session.scalars(query.order_by(Appointment.starts_at, Appointment.id)))


# -- setup ---------------------------------------------------------------------------------


def _check_service_fields(
    name: str,
    duration_minutes: int,
    price_cents: int,
    buffer_minutes: int,
    *,
    description: str = "",
    exclude_id: int | None = None,
) -> str:
    fields: dict[str, list[str]] = {}
    name = (name or "").strip()
    if len(description or "") > MAX_DESCRIPTION_LENGTH:
        fields["description"] = [f"Use at most {MAX_DESCRIPTION_LENGTH} characters."]
    same_name = select(func.count(Service.id)).where(func.lower(Service.name) == name.lower())
    if exclude_id is not None:
        same_name = same_name.where(Service.id != exclude_id)
    if not name:
        fields["name"] = ["Enter a name."]
    elif len(name) > 120:
        fields["name"] = ["Use at most 120 characters."]
    elif db.session.scalar(same_name):
        fields["name"] = ["A service with this name already exists."]
    if not 5 <= duration_minutes <= MAX_DURATION_MINUTES:
        fields["duration_minutes"] = [f"Must be between 5 and {MAX_DURATION_MINUTES} minutes."]
    if price_cents < 0:
        fields["price_cents"] = ["Must not be negative."]
    if not 0 <= buffer_minutes <= MAX_BUFFER_MINUTES:
        fields["buffer_minutes"] = [f"Must be between 0 and {MAX_BUFFER_MINUTES} minutes."]
    if fields:
        raise ValidationFailed(fields=fields)
    return name


def create_service(
    actor: User,
    *,
    name: str,
    duration_minutes: int,
    price_cents: int,
    buffer_minutes: int = 0,
    description: str = "",
) -> Service:
    require_owner(actor)
    description = (description or "").strip()
    name = _check_service_fields(name, duration_minutes, price_cents, buffer_minutes, description=description)
    service = Service(
        name=name, duration_minutes=duration_minutes, price_cents=price_cents, buffer_minutes=buffer_minutes,
        description=description,
    )
    db.session.add(service)
    db.session.flush()
    return service


def update_service(
    actor: User,
    service_id: int,
    *,
    name: str,
    duration_minutes: int,
    price_cents: int,
    buffer_minutes: int,
    is_active: bool = True,
    description: str | None = None,
) -> Service:
    """Change a service for future bookings; booked appointments keep their times, buffers
    and prices."""
    require_owner(actor)
    service = get_service(service_id, active_only=False)
    description = service.description if description is None else description.strip()
    service.name = _check_service_fields(
        name, duration_minutes, price_cents, buffer_minutes, description=description, exclude_id=service.id
    )
    service.description = description
    service.duration_minutes = duration_minutes
    service.price_cents = price_cents
    service.buffer_minutes = buffer_minutes
    service.is_active = is_active
    db.session.flush()
    return service


def all_services() -> list[Service]:
    return list(db.session.scalars(select(Service).order_by(Service.is_active.desc(), Service.name)))


def _require_schedule_editor(actor: User, therapist_id: int) -> Therapist:
    therapist = get_therapist(therapist_id)
    access.require_schedule_editor(actor, therapist.id)
    return therapist


def set_working_hours(
    actor: User, therapist_id: int, intervals: list[tuple[int, time, time]]
) -> list[WorkingHours]:
    """Replace the therapist's week with `intervals` (weekday, start, end), wall-clock time."""
    therapist = _require_schedule_editor(actor, therapist_id)
    hours = [slots.WeeklyHours(w, s, e) for w, s, e in intervals]
    problems = slots.weekly_hours_problems(hours)
    if problems:
        raise ValidationFailed(
            "Working hours must not overlap and must end after they start.",
            fields={f"[{i}]": [problem] for i, problem in sorted(problems.items())},
        )
    lock_therapist_schedule(therapist.id)
    therapist.working_hours.clear()
    db.session.flush()
    for h in sorted(hours, key=lambda h: (h.weekday, h.start)):
        therapist.working_hours.append(
            WorkingHours(therapist_id=therapist.id, weekday=h.weekday, starts_at=h.start, ends_at=h.end)
        )
    db.session.flush()
    return list(therapist.working_hours)


def add_time_off(
    actor: User, therapist_id: int, *, start: datetime, end: datetime, reason: str | None = None
) -> TimeOff:
    therapist = _require_schedule_editor(actor, therapist_id)
    check_instants(start=start, end=end)
    if end <= start:
        raise ValidationFailed(fields={"end": ["Must be after start."]})
    if reason is not None and len(reason) > 200:
        raise ValidationFailed(fields={"reason": ["Use at most 200 characters."]})
    lock_therapist_schedule(therapist.id)
    row = TimeOff(
        therapist_id=therapist.id, starts_at=start, ends_at=end, reason=(reason or "").strip() or None
    )
    db.session.add(row)
    db.session.flush()
    return row


def time_off_between(therapist_ids, start: datetime, end: datetime) -> list[TimeOff]:
    """Time off of these therapists overlapping [start, end), for the calendars."""
    return list(
        db.session.scalars(
            select(TimeOff)
            .where(
                TimeOff.therapist_id.in_(therapist_ids),
                overlap_clause(TimeOff.starts_at, TimeOff.ends_at, start, end),
            )
            .order_by(TimeOff.starts_at)
        )
    )


def booked_during(rows: list[TimeOff]) -> dict[int, list[Appointment]]:
    """Booked appointments inside each time off, by time off id, in one query.

    Time off may be taken over booked visits (a therapist can fall ill); these are the
    visits someone now has to move or cancel.
    """
    if not rows:
        return {}
    inside = overlap_clause(Appointment.starts_at, Appointment.ends_at, TimeOff.starts_at, TimeOff.ends_at)
    query = (
        select(TimeOff.id, Appointment)
        .select_from(Appointment)
        .join(TimeOff, and_(TimeOff.therapist_id == Appointment.therapist_id, inside))
        .options(joinedload(Appointment.client), joinedload(Appointment.service))
        .where(TimeOff.id.in_([row.id for row in rows]), Appointment.status == AppointmentStatus.BOOKED)
        .order_by(Appointment.starts_at)
    )
    found: dict[int, list[Appointment]] = {row.id: [] for row in rows}
    for time_off_id, appointment in db.session.execute(query):
        found[time_off_id].append(appointment)
    return found


def delete_time_off(actor: User, time_off_id: int) -> None:
    row = db.session.get(TimeOff, time_off_id)
    if row is None:
        raise NotFound("No such time off.")
    _require_schedule_editor(actor, row.therapist_id)
    db.session.delete(row)
    db.session.flush()


# -- appointments --------------------------------------------------------------------------


# PostgreSQL checks an exclusion constraint after inserting the row, so two transactions
# writing clashing rows can each wait for the other; one of them is then aborted as a deadlock.
DEADLOCK_DETECTED = "40P01"


def _write_guarded(change) -> None:
    """Apply `change()` and flush inside a SAVEPOINT, turning the database's no-overlap
    guarantee into a BookingConflict while the outer transaction stays usable.

    A deadlock inside the constraint check means a clashing row is being written at the
    same moment, and PostgreSQL lets one of the writers go on: the others have lost the
    slot. Trying again would only put a clashing row back and prolong the pile-up.
    begin_nested() flushes what is already pending first, so the change must happen inside.
    """
    try:
        with db.session.begin_nested():
            change()
            db.session.flush()
    except IntegrityError as error:
        if NO_OVERLAP_CONSTRAINT in str(error.orig):
            raise BookingConflict("That time was just taken. Please choose another.") from None
        raise
    except OperationalError as error:
        if getattr(error.orig, "pgcode", None) == DEADLOCK_DETECTED:
            raise BookingConflict("That time was just taken. Please choose another.") from None
        raise


def _client_for_booking(actor: User, client_id: int | None) -> Client:
    client = access.client_for_booking(actor, client_id)
    if client is None:
        raise ValidationFailed(fields={"client_id": ["Staff must name the client."]})
    return client


def open_online_bookings(actor: User, client: Client) -> int:
    """Future booked visits the client booked themselves online (staff bookings and care-plan
    sessions are not theirs to count)."""
    return db.session.scalar(
        select(func.count(Appointment.id)).where(
            Appointment.client_id == client.id,
            Appointment.booked_by_id == actor.id,
            Appointment.care_plan_id.is_(None),
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.starts_at > clock.now(),
        )
    )


def _check_booking_limit(actor: User, client: Client) -> None:
    """CLIENT_MAX_OPEN_BOOKINGS, counted under the client's lock so parallel tabs cannot pass."""
    limit = int(current_app.config.get("CLIENT_MAX_OPEN_BOOKINGS", 6))
    if slots.over_booking_limit(open_online_bookings(actor, client), limit):
        raise BookingLimitReached(
            f"You already hold {limit} upcoming bookings made online, the most we take. "
            "Please call the clinic to book more."
        )


def client_visit_times(
    client_id: int, start: datetime, end: datetime, *, ignore_appointment_id: int | None = None
) -> list[tuple[datetime, datetime]]:
    """The client's own non-cancelled visits overlapping [start, end): a client is in one room at once."""
    query = select(Appointment.starts_at, Appointment.ends_at).where(
        Appointment.client_id == client_id,
        Appointment.status != AppointmentStatus.CANCELLED,
        Appointment.starts_at < end,
        Appointment.ends_at > start,
    )
    if ignore_appointment_id is not None:
        query = query.where(Appointment.id != ignore_appointment_id)
    return [(row.starts_at, row.ends_at) for row in db.session.execute(query)]


def _check_client_may_book(
    client: Client, start: datetime, end: datetime, *, ignore_appointment_id: int | None = None
) -> None:
    """Rules for a client booking or moving their own visit: not while held for clearance
    (moving is booking again), and not in two rooms at once.

    Staff are trusted to know better (a four-hands massage books two therapists at once).
    The client's lock comes before any therapist's, so two tabs cannot both pass.
    """
    if clearance_status(client, clock.today()) == REQUIRED:
        raise BookingClearanceRequired()
    lock_client_schedule(client.id)
    clash = select(Appointment.id).where(
        Appointment.client_id == client.id,
        Appointment.status != AppointmentStatus.CANCELLED,
        Appointment.starts_at < end,
        Appointment.ends_at > start,
    )
    if ignore_appointment_id is not None:
        clash = clash.where(Appointment.id != ignore_appointment_id)
    if db.session.scalar(clash.limit(1)) is not None:
        raise BookingConflict("You already have an appointment at that time.")


def book_appointment(
    actor: User,
    *,
    service_id: int,
    therapist_id: int,
    start: datetime,
    client_id: int | None = None,
    care_plan_id: int | None = None,
    announce: bool = True,
) -> Appointment:
    """Book a start for a client. Clients: only an offered slot; staff: any free grid start.

    `announce=False` (sent along with the signal) asks receivers not to message the client
    about this one appointment: care plans tell the client about the whole batch at once.
    """
    check_instants(start=start)
    service = get_service(service_id, active_only=actor.is_client)
    therapist = get_therapist(therapist_id)
    client = _client_for_booking(actor, client_id)
    if not actor.is_client:
        access.require_calendar(actor, therapist.id)
    if actor.is_client:
        _check_client_may_book(client, start, start + timedelta(minutes=service.duration_minutes))
        if care_plan_id is None:
            _check_booking_limit(actor, client)
    lock_therapist_schedule(therapist.id)
    problem = schedule_problem(therapist.id, service, start, **_client_limits(actor))
    if problem:
        raise BookingConflict(problem)
    appointment = Appointment(
        client_id=client.id,
        therapist_id=therapist.id,
        service_id=service.id,
        care_plan_id=care_plan_id,
        starts_at=start,
        ends_at=start + timedelta(minutes=service.duration_minutes),
        buffer_minutes=service.buffer_minutes,
        price_cents=service.price_cents,
        status=AppointmentStatus.BOOKED,
        booked_by_id=actor.id,
    )
    _write_guarded(lambda: db.session.add(appointment))
    signals.appointment_booked.send(appointment, actor=actor, announce=announce)
    return appointment


def _client_limits(actor: User) -> dict:
    """The notice and horizon a client booking online keeps to; staff book any free start."""
    if not actor.is_client:
        return {}
    return {"not_before": booking_not_before(), "last_day": booking_last_day()}


def inside_cancellation_notice(appointment: Appointment) -> bool:
    """True when the appointment starts within the clinic's cancellation notice from now."""
    notice = timedelta(hours=clinic_profile().cancellation_notice_hours)
    return appointment.starts_at < clock.now() + notice


def _require_booked(appointment: Appointment) -> None:
    if appointment.status != AppointmentStatus.BOOKED:
        raise AppointmentNotBooked(f"This appointment is {appointment.status.replace('_', ' ')}.")


def reschedule_appointment(actor: User, appointment_id: int, start: datetime) -> Appointment:
    """Move a booked appointment; clients only outside the notice window, to an offered slot."""
    check_instants(start=start)
    appointment = appointment_for(actor, appointment_id)
    _require_booked(appointment)
    if actor.is_client and inside_cancellation_notice(appointment):
        raise TooLateToCancel()
    service = db.session.get(Service, appointment.service_id)
    if actor.is_client:
        _check_client_may_book(
            appointment.client,
            start,
            start + timedelta(minutes=service.duration_minutes),
            ignore_appointment_id=appointment.id,
        )
    lock_therapist_schedule(appointment.therapist_id)
    problem = schedule_problem(
        appointment.therapist_id, service, start,
        ignore_appointment_id=appointment.id, **_client_limits(actor),
    )
    if problem:
        raise BookingConflict(problem)
    previous_start = appointment.starts_at

    def move() -> None:
        appointment.starts_at = start
        appointment.ends_at = start + timedelta(minutes=service.duration_minutes)
        appointment.buffer_minutes = service.buffer_minutes
        appointment.reminder_sent_at = None

    _write_guarded(move)
    signals.appointment_rescheduled.send(appointment, actor=actor, previous_start=previous_start)
    return appointment


def cancel_appointment(
    actor: User, appointment_id: int, reason: str | None = None, *, announce: bool = True
) -> Appointment:
    """Cancel; clients only outside the notice window, staff always (flagged when late)."""
    appointment = appointment_for(actor, appointment_id)
    _require_booked(appointment)
    late = inside_cancellation_notice(appointment)
    if actor.is_client and late:
        raise TooLateToCancel()
    if reason is not None and len(reason) > 500:
        raise ValidationFailed(fields={"reason": ["Use at most 500 characters."]})
    lock_therapist_schedule(appointment.therapist_id)
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_at = clock.now()
    appointment.cancel_reason = (reason or "").strip() or None
    appointment.late_cancellation = bool(late and actor.is_staff)
    db.session.flush()
    signals.appointment_cancelled.send(appointment, actor=actor, announce=announce)
    return appointment


def mark_no_show(actor: User, appointment_id: int) -> Appointment:
    appointment = appointment_for(actor, appointment_id)
    access.require_scheduler(actor)
    _require_booked(appointment)
    lock_therapist_schedule(appointment.therapist_id)
    appointment.status = AppointmentStatus.NO_SHOW
    db.session.flush()
    return appointment


def upcoming_for_client(client: Client, limit: int = 20) -> list[Appointment]:
    return list(
        db.session.scalars(
            select(Appointment)
            .options(*SHOWN_WITH)
            .where(
                Appointment.client_id == client.id,
                Appointment.status == AppointmentStatus.BOOKED,
                Appointment.ends_at > clock.now(),
            )
            .order_by(Appointment.starts_at)
            .limit(limit)
        )
    )


def appointments_between(therapist_ids, start: datetime, end: datetime) -> list[Appointment]:
    """Appointments (cancelled included) of these therapists starting in [start, end), with
    client, service and therapist loaded in the same query (calendar pages)."""
    return list(
        db.session.scalars(
            select(Appointment)
            .options(*SHOWN_WITH)
            .where(
                Appointment.therapist_id.in_(therapist_ids),
                Appointment.starts_at >= start,
                Appointment.starts_at < end,
            )
            .order_by(Appointment.starts_at)
        )
    )


def visits_with_disabled_therapists() -> list[Appointment]:
    """Booked visits ahead whose therapist's account is disabled.

    Clients still see these as booked, so the owner has to move or cancel each one.
    """
    return list(
        db.session.scalars(
            select(Appointment)
            .join(Appointment.therapist)
            .join(Therapist.user)
            .options(
                contains_eager(Appointment.therapist).contains_eager(Therapist.user),
                joinedload(Appointment.client),
                joinedload(Appointment.service),
            )
            .where(
                User.is_disabled.is_(True),
                Appointment.status == AppointmentStatus.BOOKED,
                Appointment.ends_at > clock.now(),
            )
            .order_by(User.name, Appointment.starts_at)
        )
    )


def feed_therapist(actor: User | None, therapist_id: int, token: str | None) -> Therapist:
    """The therapist whose calendar feed is asked for: by its secret address (no login), or
    by the therapist themself, the owner or the front desk. A disabled therapist has none."""
    therapist = db.session.get(Therapist, therapist_id)
    if token is not None:
        allowed = therapist is not None and secrets.compare_digest(
            token.encode("utf-8"), therapist.calendar_token.encode("utf-8")
        )
    else:
        allowed = therapist is not None and actor is not None and access.may_see_calendar(actor, therapist.id)
    if not allowed or therapist.user.is_disabled:
        raise NotFound("No such calendar.")
    return therapist


def renew_calendar_feed(actor: User) -> Therapist:
    """A new secret feed address for the therapist; the old one stops working at once
    (for a feed address that was shared by mistake)."""
    if not actor.is_therapist or actor.therapist is None:
        raise Forbidden("Only therapists have a calendar feed.")
    actor.therapist.calendar_token = secrets.token_urlsafe(32)
    db.session.flush()
    return actor.therapist


def feed_appointments(therapist_id: int) -> list[Appointment]:
    """Every non-cancelled appointment of a therapist, for the calendar feed."""
    return list(
        db.session.scalars(
            select(Appointment)
            .options(joinedload(Appointment.client), joinedload(Appointment.service))
            .where(
                Appointment.therapist_id == therapist_id,
                Appointment.status != AppointmentStatus.CANCELLED,
            )
            .order_by(Appointment.starts_at)
        )
    )
