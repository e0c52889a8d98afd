"""Session notes: recorded and signed by the appointment's therapist, then append-only.

Saving a note signs it and completes the appointment. Signed notes are never edited or
deleted; their author corrects them with amendments. Every read and write of a note
leaves an audit entry. Treatment is gated on the intake: no intake on file, or a red flag
without a valid physician's clearance, and no note can be recorded.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from clinic import access, clock
from clinic.audit import record_audit
from clinic.care_plans.progress import PainPoint
from clinic.errors import ClearanceRequired, DomainError, Forbidden, ValidationFailed
from clinic.extensions import db
from clinic.intake.services import has_intake
from clinic.intake.status import REQUIRED, clearance_status
from clinic.models import (
    Appointment,
    AppointmentStatus,
    NoteAmendment,
    NoteTechnique,
    SessionNote,
    Therapist,
    User,
)

# The techniques the seed article names ("Techniques for Hip Joint Massage").
TECHNIQUES = {
    "swedish": "Swedish massage",
    "deep_tissue": "Deep tissue",
    "myofascial_release": "Myofascial release",
    "trigger_point": "Trigger point therapy",
    "stretching": "Stretching",
    "heat_therapy": "Heat",
    "cold_therapy": "Cold",
}
SOAP_FIELDS = ("subjective", "objective", "assessment", "plan", "adverse_reaction")
MAX_AREAS = 20
MAX_AREA_LENGTH = 100
MAX_TEXT = 5000
SESSIONS_LISTED = 20


class AppointmentNotStarted(DomainError):
    code = "appointment_not_started"
    message = "A note can be written once the appointment has started."


class AppointmentCancelled(DomainError):
    code = "appointment_cancelled"
    message = "This appointment was cancelled, so there is no session to note."


class AppointmentNoShow(DomainError):
    code = "appointment_no_show"
    message = "The client did not show up for this appointment, so there is no session to note."


class NoteExists(DomainError):
    code = "note_exists"
    message = "This appointment already has a signed note. Add an amendment instead."


class IntakeRequired(DomainError):
    code = "intake_required"
    message = "The client has no health intake on file. Ask them to fill it in before treatment."


class NoteReadOnly(DomainError):
    """Signed notes are never edited or deleted (PUT/PATCH/DELETE): 405."""

    status = 405
    code = "method_not_allowed"
    message = "Signed notes cannot be edited or deleted. Add an amendment instead."


@dataclass(frozen=True)
class NoteInput:
    techniques: list[str]
    areas: list[str]
    pain_before: int
    pain_after: int
    subjective: str | None = None
    objective: str | None = None
    assessment: str | None = None
    plan: str | None = None
    adverse_reaction: str | None = None


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def note_problems(data: NoteInput) -> dict[str, list[str]]:
    """Shape checks shared by the API and the form (the API's body model does most of them)."""
    fields: dict[str, list[str]] = {}
    if not data.techniques:
        fields["techniques"] = ["Choose at least one technique."]
    elif unknown := [t for t in data.techniques if t not in TECHNIQUES]:
        fields["techniques"] = [f"Unknown codes: {', '.join(unknown)}."]
    if len(data.areas) > MAX_AREAS or any(len(a) > MAX_AREA_LENGTH for a in data.areas):
        fields["areas"] = [f"At most {MAX_AREAS} areas of at most {MAX_AREA_LENGTH} characters each."]
    for name in ("pain_before", "pain_after"):
        value = getattr(data, name)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
            fields[name] = ["Must be a whole number from 0 to 10."]
    for name in ("subjective", "objective", "assessment", "plan", "adverse_reaction"):
        value = getattr(data, name)
        if value is not None and len(value) > MAX_TEXT:
            fields[name] = [f"Must be at most {MAX_TEXT} characters."]
    return fields


def appointment_for_note(actor: User, appointment_id: int) -> Appointment:
    """The appointment whose note `actor` wants to write: 404 if hidden, 403 if not theirs."""
    return access.appointment_for_note(actor, appointment_id)


def note_blocker(appointment: Appointment, today: date | None = None) -> DomainError | None:
    """Why no note can be written for this appointment now, or None when one can."""
    if appointment.status == AppointmentStatus.CANCELLED:
        return AppointmentCancelled()
    if note_for_appointment(appointment.id) is not None:
        return NoteExists()
    if appointment.status == AppointmentStatus.NO_SHOW:
        return AppointmentNoShow()
    if appointment.starts_at > clock.now():
        return AppointmentNotStarted(
            f"A note can be written once the appointment has started ({clock.iso(appointment.starts_at)})."
        )
    if not has_intake(appointment.client_id):
        return IntakeRequired()
    if clearance_status(appointment.client, today or clock.today()) == REQUIRED:
        return ClearanceRequired(
            "The client's intake raised a red flag: record a physician's clearance before treatment."
        )
    return None


def note_for_appointment(appointment_id: int) -> SessionNote | None:
    return db.session.scalar(select(SessionNote).where(SessionNote.appointment_id == appointment_id))


def note_is_due(actor: User, appointment: Appointment) -> bool:
    """Whether to offer `actor` the note form: their session, started, still booked (so no note).

    An intake or clearance still missing does not hide the offer: the form says what to do.
    """
    return (
        access.may_write_note(actor, appointment)
        and appointment.status == AppointmentStatus.BOOKED
        and appointment.starts_at <= clock.now()
    )


def session_history(
    actor: User, client_id: int, limit: int = SESSIONS_LISTED
) -> list[tuple[Appointment, SessionNote | None]]:
    """The client's sessions that have started (not cancelled), newest first, each with its note.

    One query for the whole list. A therapist sees the sessions they gave; the owner and the
    client see all of them. Only dates and links: reading a note itself is audited by get_note.
    """
    client = access.clinical_client(actor, client_id)
    query = (
        select(Appointment, SessionNote)
        .outerjoin(SessionNote, SessionNote.appointment_id == Appointment.id)
        .options(
            joinedload(Appointment.service),
            joinedload(Appointment.therapist).joinedload(Therapist.user),
        )
        .where(
            Appointment.client_id == client.id,
            Appointment.starts_at <= clock.now(),
            Appointment.status != AppointmentStatus.CANCELLED,
            access.session_history_scope(actor),
        )
        .order_by(Appointment.starts_at.desc(), Appointment.id.desc())
        .limit(limit)
    )
    return [(appointment, note) for appointment, note in db.session.execute(query)]


def record_note(actor: User, appointment_id: int, data: NoteInput) -> SessionNote:
    """Record and sign the session note of an appointment that has started; complete it.

    Only the appointment's therapist; 409 when the appointment is cancelled, not started,
    already noted, or the client has no intake or is held for clearance.
    """
    appointment = appointment_for_note(actor, appointment_id)
    if problems := note_problems(data):
        raise ValidationFailed(fields=problems)
    if blocker := note_blocker(appointment):
        raise blocker
    note = SessionNote(
        appointment_id=appointment.id,
        author_id=actor.id,
        signed_at=clock.now(),
        areas=[a.strip() for a in data.areas if a.strip()],
        pain_before=data.pain_before,
        pain_after=data.pain_after,
        subjective=_clean(data.subjective),
        objective=_clean(data.objective),
        assessment=_clean(data.assessment),
        plan=_clean(data.plan),
        adverse_reaction=_clean(data.adverse_reaction),
    )
    note.techniques = NoteTechnique.for_note(
        data.techniques,
        session_start=appointment.starts_at,
        pain_before=data.pain_before,
        pain_after=data.pain_after,
    )
    db.session.flush()  # begin_nested() flushes pending work first: keep only the note inside it
    try:
        # One note per appointment is a unique constraint: a concurrent second note fails here,
        # and rolling back the SAVEPOINT discards the note, leaving the session usable.
        with db.session.begin_nested():
            db.session.add(note)
            db.session.flush()
    except IntegrityError:
        raise NoteExists() from None
    appointment.status = AppointmentStatus.COMPLETED
    db.session.flush()
    record_audit(actor, "note.signed", "session_note", note.id, client_id=appointment.client_id)
    return note


def _load_note(note_id: int) -> SessionNote | None:
    return db.session.scalar(
        select(SessionNote)
        .options(selectinload(SessionNote.techniques), selectinload(SessionNote.amendments))
        .where(SessionNote.id == note_id)
    )


def get_note(actor: User, note_id: int) -> SessionNote:
    """A note with its amendments, for its author, the owner and its client (others 404)."""
    note = access.note_for(actor, _load_note(note_id), note_id)
    record_audit(actor, "note.viewed", "session_note", note.id, client_id=note.appointment.client_id)
    return note


def amend_note(actor: User, note_id: int, text: str) -> NoteAmendment:
    """Append a correction to a signed note (its author only; the note itself never changes)."""
    note = access.note_for(actor, _load_note(note_id), note_id)
    if not access.may_amend_note(actor, note):
        raise Forbidden("Only the note's author can amend it.")
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(fields={"text": ["Write the amendment."]})
    if len(text) > MAX_TEXT:
        raise ValidationFailed(fields={"text": [f"Must be at most {MAX_TEXT} characters."]})
    amendment = NoteAmendment(note_id=note.id, author_id=actor.id, created_at=clock.now(), text=text)
    db.session.add(amendment)
    db.session.flush()
    note.amendments.append(amendment)
    record_audit(actor, "note.amended", "session_note", note.id, client_id=note.appointment.client_id)
    return amendment


def pain_points(client_id: int) -> list[PainPoint]:
    """The client's signed notes as pain scores, in the order of the sessions."""
    rows = db.session.execute(
        select(SessionNote, Appointment.starts_at)
        .join(Appointment, Appointment.id == SessionNote.appointment_id)
        .options(selectinload(SessionNote.techniques))
        .where(Appointment.client_id == client_id)
        .order_by(Appointment.starts_at, Appointment.id)
    ).all()
    return [
        PainPoint(
            appointment_id=note.appointment_id,
            day=clock.to_local(starts_at).date(),
            pain_before=note.pain_before,
            pain_after=note.pain_after,
            techniques=tuple(note.technique_codes),
        )
        for note, starts_at in rows
    ]


def client_progress(actor: User, client_id: int) -> list[PainPoint]:
    """Pain before and after each noted session, for the client, their therapists, the owner."""
    client = access.clinical_client(actor, client_id)
    points = pain_points(client.id)
    record_audit(actor, "progress.viewed", "client", client.id, client_id=client.id)
    return points


def notes_waiting(actor: User, limit: int = 20) -> list[Appointment]:
    """The therapist's appointments that have started, are still booked, and have no note."""
    if not actor.is_therapist:  # only therapists write notes
        return []
    return list(
        db.session.scalars(
            select(Appointment)
            .options(joinedload(Appointment.client), joinedload(Appointment.service))
            .where(
                Appointment.therapist_id == actor.id,
                Appointment.status == AppointmentStatus.BOOKED,
                Appointment.starts_at <= clock.now(),
                ~exists().where(SessionNote.appointment_id == Appointment.id),
            )
            .order_by(Appointment.starts_at.desc())
            .limit(limit)
        )
    )
