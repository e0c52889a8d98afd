"""What availability and schedule_problem read of a calendar: weekly hours, time off and
busy appointments, and the statements bookable_starts runs on a read-only connection.

Package-private: availability and booking import these helpers; nothing else should.
"""

import sqlite3
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from sqlalchemy import BigInteger, Integer, bindparam, cast, func, literal_column, select, true, union_all

from clinic.errors import NotFound
from clinic.extensions import db
from clinic.models import Appointment, AppointmentStatus, Service, Therapist, TimeOff, User, WorkingHours
from clinic.scheduling import slots
from clinic.scheduling.common import overlap_clause

# Busy appointments this far outside a range can still push slots inside it (buffers are
# capped at MAX_BUFFER_MINUTES, appointments at MAX_DURATION_MINUTES).
_REACH = timedelta(hours=24)
# A lower bound on starts_at lets the (therapist_id, starts_at) index narrow the scan; no
# appointment is longer than this.
_LONGEST = timedelta(hours=24)


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
