"""Waitlist use cases: join, list, leave; offer freed time; claim an offer; recall.

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
from datetime import date, datetime, time, timedelta

from flask import current_app, has_request_context, url_for
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased, joinedload

from clinic import access, clock, dates
from clinic.access import require_owner, require_staff
from clinic.care_plans import cadence
from clinic.clinic_settings.services import clinic_profile
from clinic.errors import BookingConflict, DomainError, NotFound, ValidationFailed, refuse
from clinic.extensions import db
from clinic.formatting import spelled_date, spelled_datetime
from clinic.models import (
    Appointment,
    AppointmentStatus,
    CarePlan,
    Client,
    OutboundEmail,
    RecallNotice,
    Service,
    Therapist,
    User,
    WaitlistEntry,
    WaitlistOffer,
)
from clinic.scheduling import services as scheduling
from clinic.waitlist import matching, recall

OFFER_KIND = "waitlist_offer"
RECALL_KIND = "recall"
BOOKED = "booked"
LEFT = "left"
# Open entries a client may hold at once (staff adding for them count too).
MAX_OPEN_ENTRIES = 20
DEFAULT_HEAD_START_MINUTES = 30
DEFAULT_RECALL_LEAD_DAYS = 7


class WaitlistFull(DomainError):
    code = "waitlist_full"
    message = f"A client can wait for at most {MAX_OPEN_ENTRIES} times at once."


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


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


# -- offers when time frees up -------------------------------------------------------------


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


def _link(endpoint: str, **values) -> str:
    """An absolute link for an email: from the request when there is one, else CLINIC_URL."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    base = (current_app.config.get("CLINIC_URL") or "http://127.0.0.1:5000").rstrip("/")
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)


def queue_email(kind: str, recipient: str, subject: str, body: str, dedupe_key: str) -> None:
    """Queue an email that concerns no one appointment of its recipient (the outbox row has
    no appointment), in the caller's transaction; delivery is the outbox's business."""
    db.session.add(
        OutboundEmail(
            kind=kind, appointment_id=None, dedupe_key=dedupe_key[:64], recipient=recipient,
            subject=subject[:200], body=body,
        )
    )


def _render(template: str, **context) -> str:
    return current_app.jinja_env.get_template(template).render(
        clinic_name=clinic_profile().name, zone=current_app.config["CLINIC_TIMEZONE"], **context
    )


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
    body = _render(
        "notifications/waitlist_offer.txt",
        client_name=client.name,
        service_name=entry.service.name,
        therapist_name=offer.therapist.user.name,
        when=when,
        link=_link("waitlist.offer", offer=token),
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


# -- recall --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueRecall:
    client: Client
    plan: CarePlan
    expected_on: date


def due_recalls(now: datetime | None = None) -> list[DueRecall]:
    """Clients of open care plans in monthly maintenance with nothing booked ahead, whose next
    session is expected within RECALL_LEAD_DAYS (or overdue), and not yet recalled for it.

    A plan is in maintenance when it has maintenance sessions and none of its weekly ones
    is still ahead; the expected date is a month after the last visit of the plan.
    A fixed number of queries, however many plans.
    """
    now = now or clock.now()
    today = clock.today()
    zone = clock.clinic_zone()
    lead = current_app.config.get("RECALL_LEAD_DAYS", DEFAULT_RECALL_LEAD_DAYS)
    plans = db.session.scalars(
        select(CarePlan)
        .options(joinedload(CarePlan.client))
        .where(CarePlan.ended_at.is_(None), CarePlan.maintenance_sessions > 0)
        .order_by(CarePlan.id)
    ).all()
    if not plans:
        return []
    sessions: dict[int, list[Appointment]] = {p.id: [] for p in plans}
    for appointment in db.session.scalars(
        select(Appointment).where(
            Appointment.care_plan_id.in_(sessions),
            Appointment.status.in_((AppointmentStatus.BOOKED, AppointmentStatus.COMPLETED)),
        )
    ):
        sessions[appointment.care_plan_id].append(appointment)
    upcoming = set(
        db.session.scalars(
            select(Appointment.client_id).where(
                Appointment.client_id.in_({p.client_id for p in plans}),
                Appointment.status == AppointmentStatus.BOOKED,
                Appointment.starts_at > now,
            )
        )
    )
    recalled = set(
        db.session.execute(
            select(RecallNotice.client_id, RecallNotice.expected_on).where(
                RecallNotice.client_id.in_({p.client_id for p in plans})
            )
        ).tuples()
    )
    best: dict[int, DueRecall] = {}
    for plan in plans:
        if not plan.client.email:
            continue
        visits = [a for a in sessions[plan.id] if a.starts_at <= now]
        weekly_ahead = any(
            a.starts_at > now
            and cadence.session_phase(a.starts_at, plan.first_start, plan.weekly_sessions, zone)
            == cadence.Phase.WEEKLY
            for a in sessions[plan.id]
        )
        if not visits or weekly_ahead:
            continue
        last_visit = max(a.starts_at for a in visits).astimezone(zone).date()
        expected = recall.recall_due(
            last_visit, today, has_upcoming=plan.client_id in upcoming, lead_days=lead
        )
        if expected is None or (plan.client_id, expected) in recalled:
            continue
        current = best.get(plan.client_id)
        if current is None or expected > current.expected_on:
            best[plan.client_id] = DueRecall(plan.client, plan, expected)
    return sorted(best.values(), key=lambda r: r.client.id)


def queue_recalls(now: datetime | None = None) -> int:
    """Record and queue one recall email per due client; INSERT ... ON CONFLICT DO NOTHING on
    (client, expected date), so two runs at once still send one. Returns how many were queued."""
    now = now or clock.now()
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    queued = 0
    for due in due_recalls(now):
        inserted = db.session.execute(
            insert(RecallNotice)
            .values(
                client_id=due.client.id, care_plan_id=due.plan.id, expected_on=due.expected_on, sent_at=now
            )
            .on_conflict_do_nothing(index_elements=["client_id", "expected_on"])
        ).rowcount
        if inserted != 1:
            continue
        plan = due.plan
        day = max(due.expected_on, clock.today())
        body = _render(
            "notifications/recall.txt",
            client_name=due.client.name,
            service_name=plan.service.name,
            therapist_name=plan.therapist.user.name,
            expected=spelled_date(due.expected_on),
            link=_link(
                "scheduling.book", service_id=plan.service_id, therapist_id=plan.therapist_id,
                day=day.isoformat(),
            ),
        )
        queue_email(
            RECALL_KIND, due.client.email, "Time for your next maintenance session", body,
            f"recall-{due.client.id}-{due.expected_on.isoformat()}",
        )
        queued += 1
    db.session.flush()
    return queued


# -- reports -------------------------------------------------------------------------------

# Bookings made within this many days of a recall count as following it.
RECALL_FOLLOW_UP_DAYS = 14


@dataclass(frozen=True)
class WaitlistFigures:
    entries: int
    offers_sent: int
    slots_filled: int
    recall_emails: int
    bookings_after_recall: int


def waitlist_figures(start: datetime, end: datetime) -> WaitlistFigures:
    """Over [start, end): entries made, offers emailed, offers claimed, recalls sent, and
    recalls followed by a booking (any appointment created) within 14 days."""
    entries = db.session.scalar(
        select(func.count(WaitlistEntry.id)).where(
            WaitlistEntry.created_at >= start, WaitlistEntry.created_at < end
        )
    )
    offers_sent, slots_filled = db.session.execute(
        select(
            func.count(WaitlistOffer.id).filter(
                WaitlistOffer.offered_at >= start, WaitlistOffer.offered_at < end
            ),
            func.count(WaitlistOffer.id).filter(
                WaitlistOffer.claimed_at >= start, WaitlistOffer.claimed_at < end
            ),
        )
    ).one()
    recalls = db.session.execute(
        select(RecallNotice.client_id, RecallNotice.sent_at).where(
            RecallNotice.sent_at >= start, RecallNotice.sent_at < end
        )
    ).all()
    followed = 0
    if recalls:
        # Interval arithmetic differs between SQLite and PostgreSQL: compare in Python, after
        # one query for the bookings these clients made in the whole follow-up span.
        window = timedelta(days=RECALL_FOLLOW_UP_DAYS)
        booked: dict[int, list[datetime]] = {}
        for client_id, created in db.session.execute(
            select(Appointment.client_id, Appointment.created_at).where(
                Appointment.client_id.in_({client_id for client_id, _ in recalls}),
                Appointment.created_at >= min(sent for _, sent in recalls),
                Appointment.created_at < max(sent for _, sent in recalls) + window,
            )
        ):
            booked.setdefault(client_id, []).append(created)
        followed = sum(
            any(sent <= created < sent + window for created in booked.get(client_id, ()))
            for client_id, sent in recalls
        )
    return WaitlistFigures(entries, offers_sent, slots_filled, len(recalls), followed)


def waitlist_report(actor: User, first: date | None, last: date | None) -> WaitlistFigures:
    """The owner's waitlist and recall figures for an inclusive range of clinic days."""
    from clinic.reports.services import check_range

    require_owner(actor)
    first, last = check_range(first, last)
    return waitlist_figures(*clock.day_range(first, last))


def figures_json(figures: WaitlistFigures) -> dict:
    """Members added to GET /reports/summary."""
    return {
        "waitlist": {
            "entries": figures.entries,
            "offers_sent": figures.offers_sent,
            "slots_filled": figures.slots_filled,
        },
        "recall": {
            "emails": figures.recall_emails,
            "bookings_within_14_days": figures.bookings_after_recall,
        },
    }


def services_and_therapists() -> tuple[list[Service], list[Therapist]]:
    """Choices for the waitlist forms."""
    return scheduling.active_services(), scheduling.active_therapists()
