"""select() builders for the owner's reports: every figure is an SQL aggregate.

Each builder takes UTC bounds of a half-open range [start, end) (see clock.day_range), so
an appointment belongs to the clinic-local day on which it starts.
"""

import sqlite3
from datetime import date, datetime

from sqlalchemy import Integer, and_, case, cast, exists, func, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, Select

from clinic.intake.status import REQUIRED, clearance_status_expression
from clinic.models import (
    Appointment,
    AppointmentStatus,
    AuditEntry,
    CarePlan,
    Client,
    NoteTechnique,
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


def _seconds(dialect: str) -> ColumnElement:
    """Each appointment's length in seconds (an interval on PostgreSQL, summed as such)."""
    if dialect == "sqlite":
        # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC. unixepoch() (SQLite 3.38+) is
        # strftime('%s') without the round trip through text: same whole seconds.
        epoch = func.unixepoch if sqlite_has_unixepoch() else lambda v: cast(func.strftime("%s", v), Integer)
        return epoch(Appointment.ends_at) - epoch(Appointment.starts_at)
    return Appointment.ends_at - Appointment.starts_at


def sqlite_has_unixepoch() -> bool:
    return sqlite3.sqlite_version_info >= (3, 38, 0)


def appointment_figures(start: datetime, end: datetime, dialect: str) -> Select:
    """One pass over the range's appointments: (therapist_id, booked, completed, cancelled,
    no_show, late cancellations, seconds booked (not cancelled), revenue in cents).

    The statuses are counted with conditional aggregates, so one statement grouped by
    therapist gives everything (on SQLite, ix_appointments_therapist_starts hands the rows over
    in group order, so nothing is sorted). Revenue is each completed appointment's price at
    booking time, so a later price-list change does not rewrite it.
    """
    status = Appointment.status

    def count_where(condition) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    not_cancelled = status != CANCELLED
    seconds = func.sum(case((not_cancelled, _seconds(dialect)), else_=None))
    if dialect != "sqlite":
        seconds = func.extract("epoch", seconds)
    counts = [count_where(status == s.value) for s in AppointmentStatus]
    late = count_where(Appointment.late_cancellation.is_(True))
    revenue = func.coalesce(func.sum(case((status == COMPLETED, Appointment.price_cents), else_=0)), 0)
    return (
        select(Appointment.therapist_id, *counts, late, seconds, revenue)
        .where(_in_range(start, end))
        .group_by(Appointment.therapist_id)
    )


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
    each of them. Integer sums: PostgreSQL's AVG would do numeric arithmetic on every row.

    Reads note_techniques alone: each row carries its appointment's start and its note's
    pain change (see NoteTechnique), and its covering indexes answer it, so neither the notes
    nor the appointments are read.
    """
    return (
        select(NoteTechnique.technique, func.sum(NoteTechnique.pain_change), func.count())
        .where(NoteTechnique.session_start >= start, NoteTechnique.session_start < end)
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


def audit_conditions(
    *,
    client_id: int | None = None,
    actor_id: int | None = None,
    action: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[ColumnElement[bool]]:
    """The audit filter as WHERE clauses; `start`/`end` bound a half-open UTC range."""
    conditions = []
    if client_id is not None:
        conditions.append(AuditEntry.client_id == client_id)
    if actor_id is not None:
        conditions.append(AuditEntry.actor_id == actor_id)
    if action is not None:
        conditions.append(AuditEntry.action == action)
    if start is not None:
        conditions.append(AuditEntry.created_at >= start)
    if end is not None:
        conditions.append(AuditEntry.created_at < end)
    return conditions


def audit_entries(conditions: list[ColumnElement[bool]]) -> Select:
    """Audit entries, newest first, with the names to show beside them, in one statement.

    Rows: (entry, actor name, actor role, client name, name and role of the account or name
    of the client the entry is about).
    """
    actor, subject_user, subject_client = aliased(User), aliased(User), aliased(Client)
    return (
        select(
            AuditEntry, actor.name, actor.role, Client.name,
            subject_user.name, subject_user.role, subject_client.name,
        )
        .outerjoin(actor, actor.id == AuditEntry.actor_id)
        .outerjoin(Client, Client.id == AuditEntry.client_id)
        .outerjoin(
            subject_user, and_(AuditEntry.subject_type == "user", subject_user.id == AuditEntry.subject_id)
        )
        .outerjoin(
            subject_client,
            and_(AuditEntry.subject_type == "client", subject_client.id == AuditEntry.subject_id),
        )
        .where(*conditions)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )


def audit_count(conditions: list[ColumnElement[bool]]) -> Select:
    return select(func.count(AuditEntry.id)).where(*conditions)


def audit_actors() -> Select:
    """(user id, name, role) of everyone who appears in the audit trail as its actor, by name."""
    return (
        select(User.id, User.name, User.role)
        .where(exists().where(AuditEntry.actor_id == User.id))
        .order_by(User.name, User.id)
    )


def audit_clients() -> Select:
    """(client id, name) of every client that appears in the audit trail, by name."""
    return (
        select(Client.id, Client.name)
        .where(Client.id.in_(select(AuditEntry.client_id).where(AuditEntry.client_id.is_not(None))))
        .order_by(Client.name, Client.id)
    )
