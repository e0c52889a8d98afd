"""Booking, moving, cancelling and no-shows, and the checks they make: schedule_problem (the
staff rules for one start; what_clashes names what a refused start meets), the client's
clearance, overlap and online-booking limit.

Every write takes the therapist's schedule lock before it re-checks the calendar, so two
requests cannot both pass the check; on PostgreSQL the exclusion constraint
`appointments_no_overlap` is the final guarantee and its violation becomes BookingConflict.
Services flush but never commit; the caller commits once per request.
"""

from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import joinedload

from clinic import access, clock, dates, signals
from clinic.clinic_settings.services import clinic_profile
from clinic.database import lock_client_schedule, lock_therapist_schedule
from clinic.errors import (
    BookingClearanceRequired,
    BookingConflict,
    DomainError,
    TooLateToCancel,
    ValidationFailed,
)
from clinic.extensions import db
from clinic.intake.status import REQUIRED, clearance_status
from clinic.models import (
    NO_OVERLAP_CONSTRAINT,
    Appointment,
    AppointmentStatus,
    Client,
    Service,
    TimeOff,
    User,
)
from clinic.scheduling import slots
from clinic.scheduling.availability import booking_last_day, booking_not_before
from clinic.scheduling.common import (
    MAX_BUFFER_MINUTES,
    check_instants,
    overlap_clause,
)
from clinic.scheduling.queries import appointment_for
from clinic.scheduling.schedule_reads import _busy, _time_off, _weekly_hours
from clinic.scheduling.setup import get_service, get_therapist


class BookingLimitReached(DomainError):
    code = "booking_limit"
    message = (
        "You already hold as many upcoming bookings as can be made online. "
        "Please call the clinic to book more."
    )


class AppointmentNotBooked(DomainError):
    code = "appointment_not_booked"
    message = "Only a booked appointment can be changed."


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


def what_clashes(
    therapist_id: int, service: Service, starts: list[datetime]
) -> dict[datetime, tuple[Appointment | None, TimeOff | None]]:
    """For starts schedule_problem refused: the booking each comes too close to (within the
    larger of the two buffers) and the time off it meets, so a page can name them.

    Two queries however many starts; the rule itself stays schedule_problem's.
    """
    if not starts:
        return {}
    duration, reach = timedelta(minutes=service.duration_minutes), timedelta(minutes=MAX_BUFFER_MINUTES)
    near = or_(*[overlap_clause(Appointment.starts_at, Appointment.ends_at, s - reach, s + duration + reach)
                 for s in starts])
    bookings = db.session.scalars(
        select(Appointment)
        .options(joinedload(Appointment.client), joinedload(Appointment.service))
        .where(Appointment.therapist_id == therapist_id, Appointment.status != AppointmentStatus.CANCELLED)
        .where(near)
        .order_by(Appointment.starts_at)
    ).all()
    away = db.session.scalars(
        select(TimeOff).where(
            TimeOff.therapist_id == therapist_id,
            or_(*[overlap_clause(TimeOff.starts_at, TimeOff.ends_at, s, s + duration) for s in starts]),
        )
    ).all()
    found = {}

    def too_close(start: datetime, a: Appointment) -> bool:
        gap = timedelta(minutes=max(service.buffer_minutes, a.buffer_minutes))
        return slots.overlaps(start - gap, start + duration + gap, a.starts_at, a.ends_at)

    for start in starts:
        end = start + duration
        booking = next((a for a in bookings if too_close(start, a)), None)
        off = next((o for o in away if slots.overlaps(start, end, o.starts_at, o.ends_at)), None)
        found[start] = (booking, off)
    return found
