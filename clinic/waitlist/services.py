"""Waitlist use cases: join, list and leave the waitlist, and the weeks of a care plan a
client may wait to refill. Offering freed time is in offers.py, recalls in recall_emails.py,
the figures in figures.py. Services flush, never commit.
"""

from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from clinic import access, clock, dates
from clinic.access import require_staff
from clinic.errors import DomainError, NotFound, ValidationFailed, refuse
from clinic.extensions import db
from clinic.models import (
    Appointment,
    AppointmentStatus,
    CarePlan,
    Client,
    Service,
    Therapist,
    User,
    WaitlistEntry,
)
from clinic.scheduling import services as scheduling
from clinic.waitlist import matching

BOOKED = "booked"
LEFT = "left"
# Open entries a client may hold at once (staff adding for them count too).
MAX_OPEN_ENTRIES = 20


class WaitlistFull(DomainError):
    code = "waitlist_full"
    message = f"A client can wait for at most {MAX_OPEN_ENTRIES} times at once."


# -- entries -------------------------------------------------------------------------------


def _open_clause(today: date):
    return and_(WaitlistEntry.ended_at.is_(None), WaitlistEntry.last_day >= today)


def _visible_entries(actor: User):
    """Whose entries `actor` may see: the access rule for client records (clinic.access)."""
    return select(WaitlistEntry).join(Client, Client.id == WaitlistEntry.client_id).where(
        access.client_scope(actor)
    )


def _client_for(actor: User, client_id: int | None) -> Client:
    """The client an entry is for: a client for themself; staff name one they may book for."""
    if actor.is_client:
        own = actor.client
        if own is None or (client_id is not None and client_id != own.id):
            raise NotFound("No such client.")
        return own
    require_staff(actor)
    if client_id is None:
        raise ValidationFailed(fields={"client_id": ["Staff must name the client."]})
    found = scheduling.bookable_clients(actor, 1, client_id=client_id)
    if not found:
        raise NotFound("No such client.")
    return found[0]


def join_waitlist(
    actor: User,
    *,
    service_id: int,
    first_day: date,
    last_day: date,
    therapist_id: int | None = None,
    earliest: time | None = None,
    latest: time | None = None,
    client_id: int | None = None,
) -> WaitlistEntry:
    """Put a client on the waitlist for a service, therapist (or any), days and hours."""
    refuse(dates.day_problems(**{"from": first_day, "to": last_day}))
    window = matching.Window(therapist_id, first_day, last_day, earliest, latest)
    problems = matching.window_problems(window, clock.today())
    if problems:
        raise ValidationFailed(fields=problems)
    client = _client_for(actor, client_id)
    service = scheduling.get_service(service_id)
    if therapist_id is not None:
        scheduling.get_therapist(therapist_id)
    open_count = db.session.scalar(
        select(func.count(WaitlistEntry.id)).where(
            WaitlistEntry.client_id == client.id, _open_clause(clock.today())
        )
    )
    if open_count >= MAX_OPEN_ENTRIES:
        raise WaitlistFull()
    entry = WaitlistEntry(
        client_id=client.id,
        service_id=service.id,
        therapist_id=therapist_id,
        first_day=first_day,
        last_day=last_day,
        earliest=earliest,
        latest=latest,
        created_by_id=actor.id,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def open_entries(actor: User, *, client_id: int | None = None, limit: int = 500) -> list[WaitlistEntry]:
    """Entries still waiting that the actor may see, soonest first (ties by id)."""
    query = (
        _visible_entries(actor)
        .options(
            joinedload(WaitlistEntry.client),
            joinedload(WaitlistEntry.service),
            joinedload(WaitlistEntry.therapist).joinedload(Therapist.user),
        )
        .where(_open_clause(clock.today()))
        .order_by(WaitlistEntry.first_day, WaitlistEntry.id)
        .limit(limit)
    )
    if client_id is not None:
        query = query.where(WaitlistEntry.client_id == client_id)
    return list(db.session.scalars(query))


def leave_waitlist(actor: User, entry_id: int) -> WaitlistEntry:
    """End an open entry (the client's own, or staff for their clients); nothing more is offered."""
    entry = db.session.scalar(
        _visible_entries(actor).where(WaitlistEntry.id == entry_id, _open_clause(clock.today()))
    )
    if entry is None:
        raise NotFound("No such waitlist entry.")
    entry.ended_at = clock.now()
    entry.end_reason = LEFT
    db.session.flush()
    return entry


@dataclass(frozen=True)
class WeekToRefill:
    """A week of a care plan whose session was cancelled and not replaced."""

    plan: CarePlan
    first_day: date
    last_day: date


# How far ahead the client page suggests waiting for a replacement session.
REFILL_WEEKS_AHEAD = 8


def weeks_to_refill(client: Client) -> list[WeekToRefill]:
    """Weeks ahead in which a session of the client's open care plan was cancelled and nothing
    replaced it: the client page suggests a waitlist entry for that week (two queries)."""
    now = clock.now()
    cancelled = db.session.execute(
        select(Appointment.starts_at, CarePlan)
        .join(CarePlan, CarePlan.id == Appointment.care_plan_id)
        .where(
            Appointment.client_id == client.id,
            Appointment.status == AppointmentStatus.CANCELLED,
            Appointment.starts_at > now,
            Appointment.starts_at < now + timedelta(weeks=REFILL_WEEKS_AHEAD),
            CarePlan.ended_at.is_(None),
        )
        .order_by(Appointment.starts_at)
    ).all()
    if not cancelled:
        return []
    kept = {
        (plan_id, matching.week_of(clock.to_local(start).date())[0])
        for plan_id, start in db.session.execute(
            select(Appointment.care_plan_id, Appointment.starts_at).where(
                Appointment.client_id == client.id,
                Appointment.care_plan_id.in_({plan.id for _, plan in cancelled}),
                Appointment.status != AppointmentStatus.CANCELLED,
                Appointment.starts_at >= clock.local_midnight(clock.today() - timedelta(days=7)),
            )
        )
    }
    weeks: dict[tuple[int, date], WeekToRefill] = {}
    for start, plan in cancelled:
        monday, sunday = matching.week_of(clock.to_local(start).date())
        if (plan.id, monday) not in kept:
            weeks.setdefault((plan.id, monday), WeekToRefill(plan, max(monday, clock.today()), sunday))
    return list(weeks.values())


def services_and_therapists() -> tuple[list[Service], list[Therapist]]:
    """Choices for the waitlist forms."""
    return scheduling.active_services(), scheduling.active_therapists()
