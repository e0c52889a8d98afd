"""select() builders for the owner's reports: every figure is an SQL aggregate.

Each builder takes UTC bounds of a half-open range [start, end) (see clock.day_range), so
an appointment belongs to the clinic-local day on which it starts.
"""

from datetime import date, datetime

from sqlalchemy import Integer, and_, case, cast, exists, func, select
from sqlalchemy.sql import ColumnElement, Select

from clinic.intake.status import REQUIRED, clearance_status_expression
from clinic.models import (
    Appointment,
    AppointmentStatus,
    AuditEntry,
    CarePlan,
    Client,
    NoteTechnique,
    Service,
    SessionNote,
    Therapist,
    TimeOff,
    User,
    WorkingHours,
)

CANCELLED = AppointmentStatus.CANCELLED.value
COMPLETED = AppointmentStatus.COMPLETED.value
BOOKED = AppointmentStatus.BOOKED.value


def _in_range(start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(Appointment.starts_at >= start, Appointment.starts_at < end)


def total_minutes(dialect: str) -> ColumnElement[int]:
    """SUM of the appointments' lengths in whole minutes, from their own starts and ends."""
    if dialect == "sqlite":
        # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC; strftime('%s') gives epoch seconds.
        seconds = func.strftime("%s", Appointment.ends_at) - func.strftime("%s", Appointment.starts_at)
        return cast(func.round(func.sum(seconds) / 60.0), Integer)
    # PostgreSQL: add the intervals, then convert once per group rather than once per row.
    length = func.sum(Appointment.ends_at - Appointment.starts_at)
    return cast(func.round(func.extract("epoch", length) / 60), Integer)


def appointment_figures(start: datetime, end: datetime, dialect: str) -> Select:
    """One pass over the range's appointments, grouped by therapist, status and service:
    (therapist_id, status, appointments, late cancellations, minutes, revenue in cents).

    At most therapists x 4 x services rows come back; the caller adds them up per status
    and per therapist. Prices join after grouping, so each group is priced once.
    """
    late = func.sum(case((Appointment.late_cancellation.is_(True), 1), else_=0))
    groups = (
        select(
            Appointment.therapist_id.label("therapist_id"),
            Appointment.status.label("status"),
            Appointment.service_id.label("service_id"),
            func.count().label("appointments"),
            late.label("late"),
            total_minutes(dialect).label("minutes"),
        )
        .where(_in_range(start, end))
        .group_by(Appointment.therapist_id, Appointment.status, Appointment.service_id)
        .subquery()
    )
    return select(
        groups.c.therapist_id,
        groups.c.status,
        groups.c.appointments,
        groups.c.late,
        groups.c.minutes,
        groups.c.appointments * Service.price_cents,
    ).join(Service, Service.id == groups.c.service_id)


def therapists() -> Select:
    """(therapist_id, name) of every therapist, by id."""
    return select(Therapist.id, User.name).join(User, User.id == Therapist.id).order_by(Therapist.id)


def working_hours() -> Select:
    return select(
        WorkingHours.therapist_id, WorkingHours.weekday, WorkingHours.starts_at, WorkingHours.ends_at
    )


def time_off_overlapping(start: datetime, end: datetime) -> Select:
    return select(TimeOff.therapist_id, TimeOff.starts_at, TimeOff.ends_at).where(
        TimeOff.starts_at < end, TimeOff.ends_at > start
    )


def pain_change_by_technique(start: datetime, end: datetime) -> Select:
    """(technique, sum of pain_after - pain_before, number of notes) over notes on appointments
    starting in the range; mean = sum / notes. A note using three techniques counts once for
    each of them. Integer sums: PostgreSQL's AVG would do numeric arithmetic on every row."""
    change = SessionNote.pain_after - SessionNote.pain_before
    return (
        select(NoteTechnique.technique, func.sum(change), func.count(SessionNote.id))
        .join(SessionNote, SessionNote.id == NoteTechnique.note_id)
        .join(Appointment, Appointment.id == SessionNote.appointment_id)
        .where(_in_range(start, end))
        .group_by(NoteTechnique.technique)
        .order_by(NoteTechnique.technique)
    )


def clients_awaiting_clearance(today: date) -> Select:
    """How many clients are held for a physician's clearance today."""
    return select(func.count(Client.id)).where(
        Client.flagged_since.is_not(None), clearance_status_expression(today) == REQUIRED
    )


def maintenance_candidates(now: datetime, last_visit_before: datetime) -> Select:
    """Open care plans with maintenance sessions whose client has nothing booked ahead and whose
    last non-cancelled visit (on any plan or none) began before `last_visit_before`.

    Rows: (plan id, client id, client name, therapist name, first_start, weekly_sessions,
    last visit). Whether the weekly course is over is checked on these few rows.
    """
    last_visit = (
        select(Appointment.client_id, func.max(Appointment.starts_at).label("last_visit"))
        .where(Appointment.status != CANCELLED, Appointment.starts_at <= now)
        .group_by(Appointment.client_id)
        .subquery()
    )
    ahead = exists().where(
        Appointment.client_id == CarePlan.client_id,
        Appointment.status == BOOKED,
        Appointment.starts_at > now,
    )
    return (
        select(
            CarePlan.id,
            Client.id,
            Client.name,
            User.name,
            CarePlan.first_start,
            CarePlan.weekly_sessions,
            last_visit.c.last_visit,
        )
        .join(Client, Client.id == CarePlan.client_id)
        .join(User, User.id == CarePlan.therapist_id)
        .join(last_visit, last_visit.c.client_id == CarePlan.client_id)
        .where(
            CarePlan.ended_at.is_(None),
            CarePlan.maintenance_sessions > 0,
            last_visit.c.last_visit < last_visit_before,
            ~ahead,
        )
        .order_by(last_visit.c.last_visit, CarePlan.id)
    )


def audit_entries(client_id: int | None) -> Select:
    """Audit entries with their actor's and client's names, newest first."""
    query = (
        select(AuditEntry, User.name, Client.name)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .outerjoin(Client, Client.id == AuditEntry.client_id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )
    if client_id is not None:
        query = query.where(AuditEntry.client_id == client_id)
    return query


def audit_count(client_id: int | None) -> Select:
    query = select(func.count(AuditEntry.id))
    if client_id is not None:
        query = query.where(AuditEntry.client_id == client_id)
    return query


def audit_clients() -> Select:
    """(client id, name) of every client that appears in the audit trail, by name."""
    return (
        select(Client.id, Client.name)
        .where(Client.id.in_(select(AuditEntry.client_id).where(AuditEntry.client_id.is_not(None))))
        .order_by(Client.name, Client.id)
    )
