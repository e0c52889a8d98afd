"""Care plans: a course of weekly sessions, then monthly maintenance, booked all at once.

Creating or extending a plan is all or nothing: every session is checked against the
therapist's calendar under the schedule lock, every clash is reported, and only when
none is found are the sessions booked, inside one SAVEPOINT, so a failure part-way
leaves no trace. Cancelling goes through scheduling's cancel_appointment, so the
cancellation notice applies to each session.

Reading plans, their sessions and phases is in reading.py.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from clinic import access, clock, signals
from clinic.audit import record_audit
from clinic.care_plans import cadence
from clinic.care_plans.cadence import Phase
from clinic.care_plans.reading import plan_appointments, plan_for, session_phase_of
from clinic.database import lock_therapist_schedule
from clinic.errors import (
    BookingConflict,
    DomainError,
    ScheduleConflict,
    TooLateToCancel,
    ValidationFailed,
)
from clinic.extensions import db
from clinic.models import (
    Appointment,
    AppointmentStatus,
    CarePlan,
    Client,
    Service,
    Therapist,
    TimeOff,
    User,
)
from clinic.scheduling import services as scheduling

ALTERNATIVES_OFFERED = 3


class PlanEnded(DomainError):
    code = "plan_ended"
    message = "This care plan has already ended."


class PlanNotExtendable(DomainError):
    code = "plan_not_extendable"
    message = "This care plan's weekly phase cannot be extended."


class NotAPlanSession(DomainError):
    status = 404
    code = "not_found"
    message = "No such session in this care plan."


@dataclass(frozen=True)
class CancelResult:
    cancelled: list[Appointment]
    too_late: list[Appointment]
    alternatives: list[datetime] = field(default_factory=list)


# -- access ----------------------------------------------------------------------------------


def _plan_for_staff(actor: User, plan_id: int) -> CarePlan:
    return access.plan_to_change(actor, plan_id)


def _plan_to_change(actor: User, plan_id: int) -> CarePlan:
    """Its client, its therapist or the owner may cancel sessions of a plan."""
    return _plan_for_staff(actor, plan_id) if actor.is_staff else plan_for(actor, plan_id)


# -- creating and extending ------------------------------------------------------------------


def _check_counts(weekly: int, maintenance: int) -> None:
    fields: dict[str, list[str]] = {}
    if not 0 <= weekly <= cadence.MAX_WEEKLY_SESSIONS:
        fields["weekly_sessions"] = [f"Must be from 0 to {cadence.MAX_WEEKLY_SESSIONS}."]
    if not 0 <= maintenance <= cadence.MAX_MAINTENANCE_SESSIONS:
        fields["maintenance_sessions"] = [f"Must be from 0 to {cadence.MAX_MAINTENANCE_SESSIONS}."]
    if not fields and weekly + maintenance == 0:
        fields["weekly_sessions"] = ["A plan needs at least one session."]
    if fields:
        raise ValidationFailed(fields=fields)


def schedule_conflicts(therapist_id: int, service, starts: list[datetime]) -> list[tuple[datetime, str]]:
    found = []
    for start in starts:
        problem = scheduling.schedule_problem(therapist_id, service, start)
        if problem:
            found.append((start, problem))
    return found


def _raise_conflicts(conflicts: list[tuple[datetime, str]]) -> None:
    n = len(conflicts)
    raise ScheduleConflict(
        f"{n} session{'s' if n != 1 else ''} of the plan {'clash' if n != 1 else 'clashes'} "
        "with the schedule; nothing was booked.",
        conflicts=[clock.iso(start) for start, _ in conflicts],
        details=[{"start": clock.iso(start), "reason": reason} for start, reason in conflicts],
    )


def _book_session(actor: User, plan: CarePlan, start: datetime, *, announce: bool = True) -> Appointment:
    """Book one session of the plan at `start`, under scheduling's booking rules."""
    return scheduling.book_appointment(
        actor,
        service_id=plan.service_id,
        therapist_id=plan.therapist_id,
        start=start,
        client_id=plan.client_id,
        care_plan_id=plan.id,
        announce=announce,
    )


def _book_all(actor: User, plan: CarePlan, starts: list[datetime]) -> list[Appointment]:
    """Book every start (already checked), or none: the caller runs this inside a SAVEPOINT."""
    booked = []
    for start in starts:
        try:
            booked.append(_book_session(actor, plan, start, announce=False))
        except BookingConflict as error:
            # Only a writer that ignores the schedule lock could get here; report it the same way.
            _raise_conflicts([(start, error.message)])
    return booked


@dataclass(frozen=True)
class PreviewSession:
    """One session a plan would book, and why it cannot be (None when it can)."""

    start: datetime
    phase: Phase
    problem: str | None = None
    booking: Appointment | None = None
    time_off: TimeOff | None = None


def _course(actor: User, *, client_id, therapist_id, service_id, first_start, weekly_sessions,
            maintenance_sessions) -> tuple[Service, Therapist, Client, list[cadence.PlannedSession]]:
    """The checks and the cadence that creating and previewing a plan share."""
    access.require_scheduler(actor)
    _check_counts(weekly_sessions, maintenance_sessions)
    # Before the cadence: a course laid out from a year-9999 start overflows the calendar.
    scheduling.check_instants(first_start=first_start)
    service = scheduling.get_service(service_id)
    therapist = scheduling.get_therapist(therapist_id)
    access.require_calendar(actor, therapist.id)
    client = access.client_for_booking(actor, client_id)
    planned = cadence.plan_sessions(first_start, weekly_sessions, maintenance_sessions, clock.clinic_zone())
    return service, therapist, client, planned


def preview_care_plan(actor: User, **course) -> list[PreviewSession]:
    """Every session create_care_plan would book with these arguments, each with its clash
    (the same checks, cadence and schedule rule), naming the booking or time off it meets.

    Saves nothing and takes no lock: the calendar may change before the plan is created,
    which is why creating checks again.
    """
    service, therapist, _client, planned = _course(actor, **course)
    problems = dict(schedule_conflicts(therapist.id, service, [s.start for s in planned]))
    named = scheduling.what_clashes(therapist.id, service, list(problems))
    return [
        PreviewSession(s.start, s.phase, problems.get(s.start), *named.get(s.start, (None, None)))
        for s in planned
    ]


def create_care_plan(
    actor: User,
    *,
    client_id: int,
    therapist_id: int,
    service_id: int,
    first_start: datetime,
    weekly_sessions: int,
    maintenance_sessions: int,
) -> CarePlan:
    """Book a whole course of care for a client, or nothing.

    Staff only (the client must be theirs to book for); a therapist plans on their own
    calendar. Every session that would collide
    with an appointment, fall outside working hours or inside time off is listed in one
    409 schedule_conflict (error.conflicts: the clashing ISO starts).
    """
    service, therapist, client, planned = _course(
        actor, client_id=client_id, therapist_id=therapist_id, service_id=service_id, first_start=first_start,
        weekly_sessions=weekly_sessions, maintenance_sessions=maintenance_sessions,
    )
    starts = [s.start for s in planned]
    lock_therapist_schedule(therapist.id)
    if conflicts := schedule_conflicts(therapist.id, service, starts):
        _raise_conflicts(conflicts)
    with db.session.begin_nested():
        plan = CarePlan(
            client_id=client.id,
            therapist_id=therapist.id,
            service_id=service.id,
            weekly_sessions=weekly_sessions,
            maintenance_sessions=maintenance_sessions,
            first_start=starts[0],
            created_by_id=actor.id,
        )
        db.session.add(plan)
        db.session.flush()
        booked = _book_all(actor, plan, starts)
    # One message for the whole course, not one per session.
    signals.care_plan_booked.send(plan, actor=actor, appointments=booked)
    record_audit(
        actor,
        "care_plan.created",
        "care_plan",
        plan.id,
        client_id=client.id,
        detail=f"{weekly_sessions} weekly + {maintenance_sessions} maintenance from {clock.iso(starts[0])}",
    )
    return plan


def extend_care_plan(actor: User, plan_id: int, weeks: int) -> CarePlan:
    """Add `weeks` weekly sessions after the last weekly one; maintenance moves after them.

    All or nothing, like creation. Refused (409 plan_not_extendable) when the plan has no
    weekly phase, maintenance has begun, or the next weekly session would already be past.
    The plan's booked maintenance sessions are cancelled and booked again four weeks
    after the new last weekly session (still the same weekday and time).
    """
    plan = _plan_for_staff(actor, plan_id)
    if not 1 <= weeks <= cadence.MAX_WEEKLY_SESSIONS:
        raise ValidationFailed(fields={"weeks": [f"Must be from 1 to {cadence.MAX_WEEKLY_SESSIONS}."]})
    if plan.ended_at is not None:
        raise PlanEnded()
    if plan.weekly_sessions + weeks > cadence.MAX_WEEKLY_SESSIONS:
        raise ValidationFailed(
            fields={"weeks": [f"A plan has at most {cadence.MAX_WEEKLY_SESSIONS} weekly sessions."]}
        )
    if plan.weekly_sessions == 0:
        raise PlanNotExtendable("This plan has no weekly phase to extend.")
    now = clock.now()
    appointments = plan_appointments(plan)
    maintenance = [a for a in appointments if session_phase_of(plan, a) == Phase.MAINTENANCE]
    if any(a.status != AppointmentStatus.CANCELLED and a.starts_at <= now for a in maintenance):
        raise PlanNotExtendable("Maintenance has already begun; start a new plan for more weekly care.")
    zone = clock.clinic_zone()
    planned = cadence.plan_sessions(
        plan.first_start, plan.weekly_sessions + weeks, plan.maintenance_sessions, zone
    )
    new_sessions = planned[plan.weekly_sessions :]
    if new_sessions[0].start <= now:
        raise PlanNotExtendable("The weekly phase ended too long ago to extend; start a new plan instead.")
    service = scheduling.get_service(plan.service_id, active_only=False)
    lock_therapist_schedule(plan.therapist_id)
    with db.session.begin_nested():
        for appointment in maintenance:
            if appointment.status == AppointmentStatus.BOOKED:
                scheduling.cancel_appointment(
                    actor, appointment.id, "Moved: the weekly phase was extended.", announce=False
                )
        starts = [s.start for s in new_sessions]
        if conflicts := schedule_conflicts(plan.therapist_id, service, starts):
            _raise_conflicts(conflicts)  # leaving the SAVEPOINT undoes the cancellations
        booked = _book_all(actor, plan, starts)
        plan.weekly_sessions += weeks
        db.session.flush()
    signals.care_plan_booked.send(plan, actor=actor, appointments=booked)
    record_audit(
        actor,
        "care_plan.extended",
        "care_plan",
        plan.id,
        client_id=plan.client_id,
        detail=f"+{weeks} weekly sessions",
    )
    return plan


# -- ending and cancelling -------------------------------------------------------------------


def _future_booked(plan: CarePlan) -> list[Appointment]:
    now = clock.now()
    return [a for a in plan_appointments(plan) if a.status == AppointmentStatus.BOOKED and a.starts_at > now]


def end_care_plan(actor: User, plan_id: int, reason: str | None = None) -> list[Appointment]:
    """End a plan early (its therapist or the owner): every future session is cancelled."""
    plan = _plan_for_staff(actor, plan_id)
    if plan.ended_at is not None:
        raise PlanEnded()
    reason = (reason or "").strip()[:400] or "The care plan was ended early."
    cancelled = [scheduling.cancel_appointment(actor, a.id, reason) for a in _future_booked(plan)]
    plan.ended_at = clock.now()
    db.session.flush()
    record_audit(
        actor,
        "care_plan.ended",
        "care_plan",
        plan.id,
        client_id=plan.client_id,
        detail=f"{len(cancelled)} future sessions cancelled",
    )
    return cancelled


def _plan_session(plan: CarePlan, appointment_id: int) -> Appointment:
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None or appointment.care_plan_id != plan.id:
        raise NotAPlanSession()
    return appointment


def cancel_plan_session(
    actor: User, plan_id: int, appointment_id: int, reason: str | None = None
) -> CancelResult:
    """Cancel one session (the client, or staff), and offer the nearest free times that week.

    The notice policy is scheduling's: a client inside the clinic's notice hours gets 409
    too_late_to_cancel. The offers are starts the actor could book right now, for the same
    therapist and service, in the same Monday-Sunday week, nearest to the cancelled start.
    """
    plan = _plan_to_change(actor, plan_id)
    appointment = _plan_session(plan, appointment_id)
    scheduling.cancel_appointment(actor, appointment.id, reason)
    return CancelResult([appointment], [], nearest_free_times(actor, plan, appointment.starts_at))


def nearest_free_times(
    actor: User, plan: CarePlan, around: datetime, limit: int = ALTERNATIVES_OFFERED
) -> list[datetime]:
    """Bookable starts in `around`'s clinic week (Monday-Sunday), nearest to it first.

    Starts overlapping the session at `around` are left out: the client wants another time.
    """
    day = clock.to_local(around).date()
    monday = day - timedelta(days=day.weekday())
    if actor.is_client:
        slots = scheduling.availability(
            plan.service_id, monday, monday + timedelta(days=6), plan.therapist_id
        )
        starts = [s.start for s in slots]
    else:
        service = scheduling.get_service(plan.service_id, active_only=False)
        starts = scheduling.free_starts(
            plan.therapist_id, service, monday, monday + timedelta(days=6), after=clock.now()
        )
    # "Another time": nothing overlapping the cancelled session itself.
    duration = timedelta(minutes=scheduling.get_service(plan.service_id, active_only=False).duration_minutes)
    starts = [s for s in starts if not (around - duration < s < around + duration)]
    return sorted(starts, key=lambda s: (abs((s - around).total_seconds()), s))[:limit]


def cancel_rest_of_plan(actor: User, plan_id: int, reason: str | None = None) -> CancelResult:
    """Cancel every future session of the plan that the notice policy allows.

    Sessions a client may no longer cancel online (inside the notice period) stay booked
    and are listed in `too_late`; once nothing is left booked ahead, the plan has ended.
    """
    plan = _plan_to_change(actor, plan_id)
    if plan.ended_at is not None:
        raise PlanEnded()
    cancelled, too_late = [], []
    for appointment in _future_booked(plan):
        try:
            with db.session.begin_nested():
                cancelled.append(scheduling.cancel_appointment(actor, appointment.id, reason))
        except TooLateToCancel:
            too_late.append(appointment)
    if not too_late:
        plan.ended_at = clock.now()
    db.session.flush()
    record_audit(
        actor,
        "care_plan.rest_cancelled",
        "care_plan",
        plan.id,
        client_id=plan.client_id,
        detail=f"{len(cancelled)} cancelled, {len(too_late)} inside the notice period",
    )
    return CancelResult(cancelled, too_late)


def rebook_plan_session(actor: User, plan_id: int, start: datetime) -> Appointment:
    """Book one more session of the plan at `start` (e.g. an offered time after cancelling)."""
    plan = _plan_to_change(actor, plan_id)
    if plan.ended_at is not None:
        raise PlanEnded()
    return _book_session(actor, plan, start)
