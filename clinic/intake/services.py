"""Use cases of health screening: intakes and pre-visit check-ins (clearances: clearances.py).

The hold rule (see clinic/intake/status.py): a screening that raises a red flag sets
`Client.flagged_since` to its submission instant; a clearance granted at or after that
instant, still valid today, lifts the hold. A clear *intake* is a full new health history
and, being the latest, it is the one that counts: it resets `flagged_since` to None.
A clear *check-in* does not: it asks only four questions (nothing about mobility or
chronic pain), so it cannot stand in for the physician's opinion an earlier flag called for.
"""

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from clinic import access, clock
from clinic.audit import record_audit
from clinic.errors import DomainError, ValidationFailed
from clinic.extensions import db
from clinic.formatting import local_datetime
from clinic.intake.questions import CHECK_IN, INTAKE, YES_NO, keys
from clinic.intake.screening import (
    CheckInAnswers,
    IntakeAnswers,
    answers_from_mapping,
    check_in_problems,
    intake_problems,
    screen_check_in,
    screen_intake,
)
from clinic.intake.status import REQUIRED, clearance_status
from clinic.models import (
    Appointment,
    AppointmentStatus,
    CheckIn,
    Client,
    Intake,
    User,
)
from clinic.notifications import outbox
from clinic.notifications.messages import HELD, compose_held

CHECK_IN_OPENS_BEFORE = timedelta(hours=48)
class CheckInNotOpen(DomainError):
    code = "check_in_not_open"
    message = "The pre-visit check-in opens 48 hours before the appointment."


class CheckInClosed(DomainError):
    code = "check_in_closed"
    message = "This appointment is over; its check-in is closed."


class AppointmentCancelled(DomainError):
    code = "appointment_cancelled"
    message = "This appointment was cancelled."


def _surgery_window() -> int:
    return int(current_app.config["SURGERY_CLEARANCE_DAYS"])


def _answers(cls, answers):
    if isinstance(answers, cls):
        return answers
    if not isinstance(answers, Mapping):
        raise ValidationFailed("The answers must be an object.")
    built, problems = answers_from_mapping(cls, answers)
    if problems:
        raise ValidationFailed(fields=problems)
    return built


def _screened(cls, answers, problems_of, screen) -> tuple:
    """Build and check the answers, then screen them: (answers, red flags as dicts)."""
    answers = _answers(cls, answers)
    today = clock.today()
    if problems := problems_of(answers, today):
        raise ValidationFailed(fields=problems)
    if not answers.recent_surgery:
        # A date without the box ticked means nothing; don't keep it.
        answers = replace(answers, surgery_date=None)
    flags = [flag.as_dict() for flag in screen(answers, today, _surgery_window())]
    return answers, flags


def clean_text(value: str | None) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _flag_detail(flags: list[dict]) -> str:
    return "flags: " + (", ".join(f["code"] for f in flags) if flags else "none")


def _tell_held(client: Client, flags: list[dict], source: str, was_held: bool) -> None:
    """Email the client what to do when a screening newly holds them (once per hold: a second
    flagged answer while they already wait for a clearance adds nothing they can act on)."""
    if flags and not was_held and client.email:
        outbox.enqueue(HELD, None, compose_held(client, flags, source), client=client)


# --- Intakes -----------------------------------------------------------------------------------

def submit_intake(actor: User, client_id: int, answers: IntakeAnswers | Mapping) -> Intake:
    """Record an intake by the client themself or their staff, screen it, and set the hold.

    Any red flag ("When to see a doctor") puts the client in `required` until a physician
    clears them; a clear intake releases an earlier hold, as the latest intake counts.
    """
    client = access.clinical_client(actor, client_id)
    answers, flags = _screened(IntakeAnswers, answers, intake_problems, screen_intake)
    now = clock.now()
    intake = Intake(
        client_id=client.id,
        submitted_by_id=actor.id,
        submitted_at=now,
        consent=True,
        pain_level=answers.pain_level,
        conditions=list(dict.fromkeys(answers.conditions)),
        **{key: getattr(answers, key) for key in keys(INTAKE, YES_NO)},
        surgery_date=answers.surgery_date,
        medications=clean_text(answers.medications),
        notes=clean_text(answers.notes),
        flags=flags,
    )
    db.session.add(intake)
    was_held = clearance_status(client, clock.today()) == REQUIRED
    client.flagged_since = now if flags else None
    db.session.flush()
    record_audit(actor, "intake.submitted", "intake", intake.id, client_id=client.id,
                 detail=_flag_detail(flags))
    _tell_held(client, flags, "intake", was_held)
    return intake


def get_intake(actor: User, intake_id: int) -> Intake:
    """One intake, for the client themself, their therapists (or any therapist, for a new
    client) or the owner (else 404); audited."""
    intake = access.intake_for(actor, intake_id)
    record_audit(actor, "intake.viewed", "intake", intake.id, client_id=intake.client_id)
    return intake


def list_intakes(actor: User, client_id: int) -> list[Intake]:
    """A client's intakes, oldest first; the same privacy as get_intake; audited."""
    client = access.clinical_client(actor, client_id)
    intakes = list(db.session.scalars(
        select(Intake).options(joinedload(Intake.submitted_by))
        .where(Intake.client_id == client.id).order_by(Intake.submitted_at, Intake.id)
    ))
    record_audit(actor, "intake.listed", "client", client.id, client_id=client.id,
                 detail=f"{len(intakes)} intakes")
    return intakes


def latest_intake(client_id: int) -> Intake | None:
    """The intake that counts (no access check: for callers that have already checked)."""
    return db.session.scalar(
        select(Intake).where(Intake.client_id == client_id)
        .order_by(Intake.submitted_at.desc(), Intake.id.desc()).limit(1)
    )


def has_intake(client_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(Intake.client_id == client_id))))


# --- Pre-visit check-ins -----------------------------------------------------------------------

def check_in_appointment(actor: User, appointment_id: int) -> Appointment:
    """The appointment, if `actor` is its client, its therapist or the owner (else 404)."""
    return access.check_in_appointment(actor, appointment_id)


def check_in_window(appointment: Appointment, actor: User) -> tuple[datetime, datetime]:
    """When `actor` may check in: from 48 hours before; clients until the visit ends,
    staff (asking at the session) until the end of the appointment's day."""
    opens = appointment.starts_at - CHECK_IN_OPENS_BEFORE
    if actor.is_client:
        return opens, appointment.ends_at
    day = clock.to_local(appointment.starts_at).date()
    return opens, clock.local_midnight(day + timedelta(days=1))


def submit_check_in(actor: User, appointment_id: int, answers: CheckInAnswers | Mapping) -> CheckIn:
    """Record the "since your last visit" re-screen; a red flag holds the client like an intake's.

    A clear check-in leaves an existing hold in place (see the module docstring).
    """
    appointment = check_in_appointment(actor, appointment_id)
    if appointment.status == AppointmentStatus.CANCELLED:
        raise AppointmentCancelled()
    now = clock.now()
    opens, closes = check_in_window(appointment, actor)
    if now < opens:
        raise CheckInNotOpen(
            f"The check-in opens 48 hours before the appointment, at {local_datetime(opens)}."
        )
    if now >= closes or appointment.status != AppointmentStatus.BOOKED:
        raise CheckInClosed()
    answers, flags = _screened(CheckInAnswers, answers, check_in_problems, screen_check_in)
    check_in = CheckIn(
        client_id=appointment.client_id,
        appointment_id=appointment.id,
        submitted_by_id=actor.id,
        submitted_at=now,
        **{key: getattr(answers, key) for key in keys(CHECK_IN, YES_NO)},
        surgery_date=answers.surgery_date,
        pain_level=answers.pain_level,
        flags=flags,
    )
    db.session.add(check_in)
    was_held = clearance_status(appointment.client, clock.today()) == REQUIRED
    if flags:
        appointment.client.flagged_since = now
    db.session.flush()
    record_audit(actor, "check_in.submitted", "check_in", check_in.id, client_id=appointment.client_id,
                 detail=f"appointment {appointment.id}; {_flag_detail(flags)}")
    _tell_held(appointment.client, flags, "check-in", was_held)
    return check_in


def check_in_for_appointment(appointment_id: int) -> CheckIn | None:
    """The latest check-in for an appointment (no access check: the caller's page has done it)."""
    return db.session.scalar(
        select(CheckIn).where(CheckIn.appointment_id == appointment_id)
        .order_by(CheckIn.submitted_at.desc(), CheckIn.id.desc()).limit(1)
    )


def list_check_ins(actor: User, appointment_id: int) -> list[CheckIn]:
    """An appointment's check-ins, oldest first, for its client, its therapist or the owner."""
    appointment = check_in_appointment(actor, appointment_id)
    check_ins = list(db.session.scalars(
        select(CheckIn).where(CheckIn.appointment_id == appointment.id)
        .order_by(CheckIn.submitted_at, CheckIn.id)
    ))
    record_audit(actor, "check_in.listed", "appointment", appointment.id, client_id=appointment.client_id,
                 detail=f"{len(check_ins)} check-ins")
    return check_ins


def check_ins_due(client: Client) -> list[Appointment]:
    """The client's booked appointments whose check-in is open and not yet answered."""
    now = clock.now()
    answered = select(CheckIn.appointment_id).where(CheckIn.client_id == client.id,
                                                    CheckIn.appointment_id.is_not(None))
    return list(db.session.scalars(
        select(Appointment).where(
            Appointment.client_id == client.id,
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.starts_at <= now + CHECK_IN_OPENS_BEFORE,
            Appointment.ends_at > now,
            Appointment.id.not_in(answered),
        ).order_by(Appointment.starts_at)
    ))


def check_ins_to_ask(therapist: User) -> list[Appointment]:
    """A therapist's booked visits today with no check-in yet: ask at the start of the session."""
    today = clock.today()
    start, end = clock.day_range(today, today)
    answered = select(CheckIn.appointment_id).where(CheckIn.appointment_id.is_not(None))
    return list(db.session.scalars(
        select(Appointment).options(joinedload(Appointment.client)).where(
            Appointment.therapist_id == therapist.id,
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
            Appointment.id.not_in(answered),
        ).order_by(Appointment.starts_at)
    ))
