"""Read queries for pages and the API: lists of appointments (with what a page shows of each
loaded in the same query), time off on the calendars, clients a staff member may book for,
the calendar feed. Nothing here writes.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from clinic import access, clock
from clinic.extensions import db
from clinic.models import Appointment, AppointmentStatus, Client, Therapist, TimeOff, User
from clinic.scheduling.common import check_range_order, overlap_clause


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
    check_range_order(first, last)
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
