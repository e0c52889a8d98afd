"""Offering freed time to the waitlist, and claiming an offer.

Offers are made inside the transaction that freed the time (a receiver of the cancel and
move signals, see subscribers.py), so they exist exactly when the cancellation commits.
An offer's email carries a random token; only its SHA-256 is kept. A claim books through
scheduling.services.book_appointment with the client as the actor, so every client rule
applies and the database's no-double-booking guarantee decides who wins a race.

Head start: when some matching clients are on a care plan whose session that same week
was cancelled (and not yet replaced), their offers go out at once and everyone else's
wait WAITLIST_HEAD_START_MINUTES. Waiting offers are rows with a `send_after`;
`send_due_offers()` (the `send-waitlist-offers` command, run by cron every few minutes)
emails those whose time has come, if the start is still bookable for them.
Services flush, never commit.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import aliased, joinedload

from clinic import clock
from clinic.errors import BookingConflict, NotFound
from clinic.extensions import db
from clinic.formatting import spelled_datetime
from clinic.models import (
    Appointment,
    AppointmentStatus,
    CarePlan,
    Therapist,
    User,
    WaitlistEntry,
    WaitlistOffer,
)
from clinic.scheduling import services as scheduling
from clinic.waitlist import matching
from clinic.waitlist.emails import link, queue_email, render
from clinic.waitlist.services import BOOKED

OFFER_KIND = "waitlist_offer"
DEFAULT_HEAD_START_MINUTES = 30


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _head_start_clients(client_ids: set[int], start: datetime) -> set[int]:
    """Clients whose care-plan session in the week of `start` was cancelled and not replaced:
    a course of weekly care keeps its rhythm when they get the week's freed time first."""
    if not client_ids:
        return set()
    monday, sunday = matching.week_of(clock.to_local(start).date())
    week_start, week_end = clock.day_range(monday, sunday)
    in_week = and_(Appointment.starts_at >= week_start, Appointment.starts_at < week_end)
    kept = aliased(Appointment)
    replaced = exists().where(
        kept.care_plan_id == CarePlan.id,
        kept.status != AppointmentStatus.CANCELLED,
        kept.starts_at >= week_start,
        kept.starts_at < week_end,
    )
    rows = db.session.scalars(
        select(Appointment.client_id)
        .join(CarePlan, CarePlan.id == Appointment.care_plan_id)
        .where(
            Appointment.client_id.in_(client_ids),
            Appointment.status == AppointmentStatus.CANCELLED,
            in_week,
            CarePlan.ended_at.is_(None),
            ~replaced,
        )
    )
    return set(rows)


def _busy_clients(client_ids: set[int], start: datetime, end: datetime) -> set[int]:
    """Clients already elsewhere at that time: an offer they could not claim is noise."""
    if not client_ids:
        return set()
    return set(
        db.session.scalars(
            select(Appointment.client_id).where(
                Appointment.client_id.in_(client_ids),
                Appointment.status != AppointmentStatus.CANCELLED,
                scheduling.overlap_clause(Appointment.starts_at, Appointment.ends_at, start, end),
            )
        )
    )


def offer_freed_start(freed: Appointment, start: datetime) -> list[WaitlistOffer]:
    """Offer `start` with the freed appointment's therapist and service to every open entry
    for that service that it fits and that could book it now (the contract's "fits": same
    service, the therapist asked for or any, the days and the hours), except the client who
    freed it. Adds to the caller's transaction."""
    now = clock.now()
    not_before = scheduling.booking_not_before()
    therapist = db.session.get(Therapist, freed.therapist_id)
    if start < not_before or therapist is None or therapist.user.is_disabled:
        return []
    zone = clock.clinic_zone()
    local_day = clock.to_local(start).date()
    candidates = db.session.scalars(
        select(WaitlistEntry)
        .options(joinedload(WaitlistEntry.client), joinedload(WaitlistEntry.service))
        .where(
            WaitlistEntry.ended_at.is_(None),
            WaitlistEntry.service_id == freed.service_id,
            WaitlistEntry.first_day <= local_day,
            WaitlistEntry.last_day >= local_day,
            or_(WaitlistEntry.therapist_id.is_(None), WaitlistEntry.therapist_id == therapist.id),
            WaitlistEntry.client_id != freed.client_id,
        )
        .order_by(WaitlistEntry.id)
    ).all()
    fitting = [e for e in candidates if matching.fits(_window(e), therapist.id, start, zone)]
    bookable_services: dict[int, bool] = {}
    wanted = []
    for entry in fitting:
        service = entry.service
        if service.id not in bookable_services:
            bookable_services[service.id] = service.is_active and (
                scheduling.schedule_problem(therapist.id, service, start, not_before=not_before) is None
            )
        if bookable_services[service.id]:
            wanted.append(entry)
    longest = max((e.service.duration_minutes for e in wanted), default=0)
    busy = _busy_clients({e.client_id for e in wanted}, start, start + timedelta(minutes=longest))
    wanted = [e for e in wanted if e.client_id not in busy]
    first_in_line = _head_start_clients({e.client_id for e in wanted}, start)
    head_start = timedelta(
        minutes=current_app.config.get("WAITLIST_HEAD_START_MINUTES", DEFAULT_HEAD_START_MINUTES)
    )
    offers = []
    for entry in wanted:
        ahead = entry.client_id in first_in_line
        offer = WaitlistOffer(
            entry=entry,
            therapist_id=therapist.id,
            starts_at=start,
            freed_appointment_id=freed.id,
            head_start=ahead,
            send_after=matching.send_after(
                now, first_in_line=ahead, anyone_first=bool(first_in_line), head_start=head_start
            ),
        )
        db.session.add(offer)
        offers.append(offer)
    db.session.flush()
    for offer in offers:
        if offer.send_after <= now:
            _send_offer(offer, now)
    db.session.flush()
    return offers


def _window(entry: WaitlistEntry) -> matching.Window:
    return matching.Window(entry.therapist_id, entry.first_day, entry.last_day, entry.earliest, entry.latest)


def _send_offer(offer: WaitlistOffer, now: datetime) -> bool:
    """Make the offer's token and queue its email. A client without an address, or without a
    login to claim with (a walk-in), is skipped: staff see them on the waitlist page."""

    entry = offer.entry
    client = entry.client
    if not client.email or client.user_id is None:
        offer.dropped_at = now
        return False
    token = secrets.token_urlsafe(32)
    offer.token_hash = hash_token(token)
    offer.offered_at = now
    when = spelled_datetime(offer.starts_at)
    body = render(
        "notifications/waitlist_offer.txt",
        client_name=client.name,
        service_name=entry.service.name,
        therapist_name=offer.therapist.user.name,
        when=when,
        link=link("waitlist.offer", offer=token),
    )
    queue_email(OFFER_KIND, client.email, f"A time has opened up: {when}", body, f"offer-{offer.id}")
    return True


def _still_wanted(offer: WaitlistOffer, today: date) -> bool:
    """A held-back offer goes out only if its entry is open and the start is still bookable
    for that client's service (the head-start client may have taken it meanwhile)."""
    entry = offer.entry
    if entry.ended_at is not None or entry.last_day < today or not entry.service.is_active:
        return False
    problem = scheduling.schedule_problem(
        offer.therapist_id, entry.service, offer.starts_at, not_before=scheduling.booking_not_before()
    )
    return problem is None


def send_due_offers(now: datetime | None = None) -> int:
    """Queue the emails of held-back offers whose head start is over; drop those whose time
    went meanwhile. Returns how many were queued. Adds to the caller's transaction."""
    now = now or clock.now()
    due = db.session.scalars(
        select(WaitlistOffer)
        .options(joinedload(WaitlistOffer.entry).joinedload(WaitlistEntry.service))
        .where(
            WaitlistOffer.offered_at.is_(None),
            WaitlistOffer.dropped_at.is_(None),
            WaitlistOffer.send_after <= now,
        )
        .order_by(WaitlistOffer.id)
        .with_for_update(skip_locked=True, of=WaitlistOffer)
    ).all()
    today = clock.today()
    queued = 0
    for offer in due:
        if _still_wanted(offer, today) and _send_offer(offer, now):
            queued += 1
        elif offer.offered_at is None:
            offer.dropped_at = now
    db.session.flush()
    return queued


@dataclass(frozen=True)
class OfferView:
    """What the offer page shows: the offer, and whether it can still be claimed."""

    offer: WaitlistOffer
    available: bool


def _offer_for(actor: User, token: str) -> WaitlistOffer:
    """The actor's own offer for this token; anyone else's (or none) is a 404."""
    if not token or len(token) > 200 or not actor.is_client or actor.client is None:
        raise NotFound("No such offer.")
    offer = db.session.scalar(
        select(WaitlistOffer)
        .join(WaitlistOffer.entry)
        .where(WaitlistOffer.token_hash == hash_token(token), WaitlistEntry.client_id == actor.client.id)
    )
    if offer is None:
        raise NotFound("No such offer.")
    return offer


def offer_view(actor: User, token: str) -> OfferView:
    offer = _offer_for(actor, token)
    entry = offer.entry
    available = (
        offer.claimed_at is None
        and entry.ended_at is None
        and entry.service.is_active
        and scheduling.schedule_problem(
            offer.therapist_id, entry.service, offer.starts_at, not_before=scheduling.booking_not_before()
        )
        is None
    )
    return OfferView(offer, available)


def claim_offer(actor: User, token: str) -> Appointment:
    """Book the offered start for the offer's client; the first claim wins, the others get
    BookingConflict (409 slot_unavailable) and keep their place on the waitlist."""
    offer = _offer_for(actor, token)
    entry = offer.entry
    if entry.ended_at is not None or offer.claimed_at is not None:
        raise BookingConflict("This offer has ended. Please choose another time.")
    appointment = scheduling.book_appointment(
        actor, service_id=entry.service_id, therapist_id=offer.therapist_id, start=offer.starts_at
    )
    now = clock.now()
    offer.claimed_at = now
    offer.appointment_id = appointment.id
    entry.ended_at = now
    entry.end_reason = BOOKED
    db.session.flush()
    return appointment
