"""Use cases of health screening: intakes, pre-visit check-ins, physician clearances.

The hold rule (see clinic/intake/status.py): a screening that raises a red flag sets
`Client.flagged_since` to its submission instant; a clearance granted at or after that
instant, still valid today, lifts the hold. A clear *intake* is a full new health history
and, being the latest, it is the one that counts: it resets `flagged_since` to None.
A clear *check-in* does not: it asks only four questions (nothing about mobility or
chronic pain), so it cannot stand in for the physician's opinion an earlier flag called for.
"""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload

from clinic import access, clock
from clinic.audit import record_audit
from clinic.errors import DomainError, NotFound, ValidationFailed
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
from clinic.intake.status import REQUIRED, clearance_status, clearance_status_expression
from clinic.models import (
    Appointment,
    AppointmentStatus,
    CheckIn,
    Clearance,
    ClearanceLetter,
    Client,
    Intake,
    User,
)
from clinic.notifications import outbox
from clinic.notifications.messages import CLEARED, HELD, compose_cleared, compose_held

CHECK_IN_OPENS_BEFORE = timedelta(hours=48)
MAX_LETTER_BYTES = 4 * 1024 * 1024  # the default of MAX_UPLOAD_BYTES
MAX_PHYSICIAN_NAME = 200
MAX_CLEARANCE_TEXT = 2000
# Magic bytes, extensions and the type we serve the file back as.
LETTER_KINDS = (
    (b"%PDF-", (".pdf",), "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", (".png",), "image/png"),
    (b"\xff\xd8\xff", (".jpg", ".jpeg"), "image/jpeg"),
)


class CheckInNotOpen(DomainError):
    code = "check_in_not_open"
    message = "The pre-visit check-in opens 48 hours before the appointment."


class CheckInClosed(DomainError):
    code = "check_in_closed"
    message = "This appointment is over; its check-in is closed."


class AppointmentCancelled(DomainError):
    code = "appointment_cancelled"
    message = "This appointment was cancelled."


@dataclass(frozen=True)
class Letter:
    """An uploaded physician's letter, as read by the view (size already capped by it)."""

    filename: str
    data: bytes


class NotHeld(DomainError):
    code = "not_held"
    message = "You are not waiting for a clearance, so there is no letter to send."


@dataclass(frozen=True)
class QueueEntry:
    client: Client
    since: datetime
    flags: list[dict]
    # The letter the client uploaded themself, waiting for staff to review it.
    letter: ClearanceLetter | None = None


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


def _clean_text(value: str | None) -> str | None:
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
        medications=_clean_text(answers.medications),
        notes=_clean_text(answers.notes),
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


# --- Physician clearances ----------------------------------------------------------------------

def _letter_kind(letter: Letter) -> tuple[str, str] | None:
    """(extension, content type) when the name and the magic bytes agree on PDF/PNG/JPEG."""
    suffix = Path(letter.filename or "").suffix.lower()
    for magic, suffixes, content_type in LETTER_KINDS:
        if letter.data.startswith(magic) and suffix in suffixes:
            return suffixes[0], content_type
    return None


def max_letter_bytes() -> int:
    """The operator's upload limit (MAX_UPLOAD_BYTES), the one the form states."""
    return int(current_app.config.get("MAX_UPLOAD_BYTES", MAX_LETTER_BYTES))


def letter_limit_text() -> str:
    return f"{max_letter_bytes() / (1024 * 1024):.3g} MB"


def _letter_problem(letter: Letter) -> str | None:
    if not letter.data:
        return "The file is empty."
    if len(letter.data) > max_letter_bytes():
        return f"The letter must be at most {letter_limit_text()}."
    if _letter_kind(letter) is None:
        return "Upload the letter as a PDF, PNG or JPEG file."
    return None


def _clearance_problems(physician_name, cleared_on, valid_until, restrictions, evidence, letter, today):
    problems: dict[str, list[str]] = {}
    if not isinstance(physician_name, str) or not physician_name.strip():
        problems["physician_name"] = ["Give the name of the physician who cleared the client."]
    elif len(physician_name) > MAX_PHYSICIAN_NAME:
        problems["physician_name"] = [f"At most {MAX_PHYSICIAN_NAME} characters."]
    if isinstance(cleared_on, datetime) or not isinstance(cleared_on, date):
        problems["cleared_on"] = ["Give the date of the physician's clearance as YYYY-MM-DD."]
    elif cleared_on > today:
        problems["cleared_on"] = ["The clearance date cannot be in the future."]
    if valid_until is not None:
        if isinstance(valid_until, datetime) or not isinstance(valid_until, date):
            problems["valid_until"] = ["Must be a date as YYYY-MM-DD."]
        elif "cleared_on" not in problems and valid_until < cleared_on:
            problems["valid_until"] = ["The clearance cannot end before the physician gave it."]
    for name, value in (("restrictions", restrictions), ("evidence", evidence)):
        if value is not None and not isinstance(value, str):
            problems[name] = ["Must be text."]
        elif value is not None and len(value) > MAX_CLEARANCE_TEXT:
            problems[name] = [f"At most {MAX_CLEARANCE_TEXT} characters."]
    if letter is not None and (problem := _letter_problem(letter)):
        problems["letter"] = [problem]
    return problems


def uploaded_letter(storage) -> Letter | None:
    """The letter in an uploaded file (a werkzeug FileStorage), or None when no file was chosen."""
    if not storage or not getattr(storage, "filename", ""):
        return None
    # Read one byte past the limit, so an oversized file is refused without reading it all.
    return Letter(storage.filename, storage.stream.read(max_letter_bytes() + 1))


def _letters_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "letters"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _store_letter(letter: Letter) -> tuple[Path, str]:
    """Write a checked letter under a random name outside the web root: (path, content type)."""
    extension, content_type = _letter_kind(letter)
    stored = _letters_folder() / f"{secrets.token_hex(16)}{extension}"
    stored.write_bytes(letter.data)
    return stored, content_type


def upload_clearance_letter(actor: User, client_id: int, letter: Letter | None) -> ClearanceLetter:
    """The client sends their physician's letter themself, from their own record.

    Only the client (staff record the clearance with the letter directly), only while a
    screening's flag is on record, and with the same checks and storage as the staff upload.
    The letter waits in the clearance queue until staff review it.
    """
    client = access.own_client(actor, client_id)
    if client.flagged_since is None:
        raise NotHeld()
    if letter is None:
        raise ValidationFailed(fields={"letter": ["Choose the letter's file (a PDF, or a photo of it)."]})
    if problem := _letter_problem(letter):
        raise ValidationFailed(fields={"letter": [problem]})
    stored, content_type = _store_letter(letter)
    uploaded = ClearanceLetter(
        client_id=client.id, uploaded_by_id=actor.id, uploaded_at=clock.now(),
        filename=Path(letter.filename).name[-255:], stored_name=stored.name, content_type=content_type,
    )
    db.session.add(uploaded)
    try:
        db.session.flush()
    except Exception:
        stored.unlink(missing_ok=True)
        raise
    record_audit(actor, "clearance_letter.uploaded", "clearance_letter", uploaded.id, client_id=client.id,
                 detail=f"letter: {uploaded.filename}")
    return uploaded


def letters_waiting(client_ids) -> dict[int, list[ClearanceLetter]]:
    """Letters clients uploaded that no clearance has reviewed yet, newest first, by client."""
    ids = set(client_ids)
    if not ids:
        return {}
    waiting: dict[int, list[ClearanceLetter]] = {}
    for uploaded in db.session.scalars(
        select(ClearanceLetter)
        .where(ClearanceLetter.client_id.in_(ids), ClearanceLetter.clearance_id.is_(None))
        .order_by(ClearanceLetter.uploaded_at.desc(), ClearanceLetter.id.desc())
    ):
        waiting.setdefault(uploaded.client_id, []).append(uploaded)
    return waiting


def letters_sent(client_id: int) -> list[ClearanceLetter]:
    """Every letter a client uploaded, newest first (no access check: for their own page)."""
    return list(db.session.scalars(
        select(ClearanceLetter).where(ClearanceLetter.client_id == client_id)
        .order_by(ClearanceLetter.uploaded_at.desc(), ClearanceLetter.id.desc())
    ))


def uploaded_letter_file(actor: User, letter_id: int) -> tuple[ClearanceLetter, Path]:
    """A letter a client uploaded: for that client and the staff who may see them; audited."""
    uploaded = db.session.get(ClearanceLetter, letter_id)
    if uploaded is None:
        raise NotFound("No such letter.")
    access.clinical_client(actor, uploaded.client_id)  # a letter is clinical: not the front desk
    path = _letters_folder() / uploaded.stored_name
    if not path.is_file():
        raise NotFound("The letter file is missing.")
    record_audit(actor, "clearance_letter.viewed", "clearance_letter", uploaded.id,
                 client_id=uploaded.client_id)
    return uploaded, path


def grant_clearance(
    actor: User,
    client_id: int,
    physician_name: str,
    cleared_on: date,
    restrictions: str | None = None,
    valid_until: date | None = None,
    evidence: str | None = None,
    letter: Letter | None = None,
    uploaded_letter_id: int | None = None,
) -> Clearance:
    """Record a physician's clearance (the owner, or a therapist of the client or of a new
    client), with who, when and on what evidence, plus the letter if given. It lifts a hold
    raised before now, until valid_until.

    `uploaded_letter_id` attaches the letter the client uploaded (when no file is given
    here); every letter the client sent that was waiting counts as reviewed by it. The client
    is emailed that they are cleared, with the restrictions, when a hold was on record.
    """
    client = access.client_for_clearance(actor, client_id)
    if problems := _clearance_problems(physician_name, cleared_on, valid_until, restrictions,
                                       evidence, letter, clock.today()):
        raise ValidationFailed(fields=problems)
    waiting = letters_waiting([client.id]).get(client.id, [])
    chosen = None
    if uploaded_letter_id is not None:
        chosen = next((w for w in waiting if w.id == uploaded_letter_id), None)
        if chosen is None:
            raise ValidationFailed(fields={"letter": ["That uploaded letter is not waiting for review."]})
    clearance = Clearance(
        client_id=client.id,
        physician_name=physician_name.strip(),
        cleared_on=cleared_on,
        restrictions=_clean_text(restrictions),
        valid_until=valid_until,
        granted_by_id=actor.id,
        granted_at=clock.now(),
        evidence=_clean_text(evidence),
    )
    stored: Path | None = None
    if letter is not None:
        stored, content_type = _store_letter(letter)
        clearance.letter_filename = Path(letter.filename).name[-255:]
        clearance.letter_stored_name = stored.name
        clearance.letter_content_type = content_type
    elif chosen is not None:
        clearance.letter_filename = chosen.filename
        clearance.letter_stored_name = chosen.stored_name
        clearance.letter_content_type = chosen.content_type
    db.session.add(clearance)
    try:
        db.session.flush()
        for uploaded in waiting:
            uploaded.clearance_id = clearance.id
        db.session.flush()
    except Exception:
        if stored is not None:
            stored.unlink(missing_ok=True)
        raise
    record_audit(
        actor, "clearance.granted", "clearance", clearance.id, client_id=client.id,
        detail=(f"physician {clearance.physician_name}, cleared on {cleared_on.isoformat()}"
                f"{f', valid until {valid_until.isoformat()}' if valid_until else ''}; "
                f"evidence: {clearance.evidence or 'none given'}; "
                f"letter: {clearance.letter_filename or 'none'}"
                f"{' (uploaded by the client)' if chosen is not None and letter is None else ''}"),
    )
    if client.flagged_since is not None and client.email:
        outbox.enqueue(CLEARED, None, compose_cleared(clearance), client=client)
    return clearance


def list_clearances(actor: User, client_id: int) -> list[Clearance]:
    """A client's clearances, oldest first (the client themself, their staff); audited."""
    client = access.clinical_client(actor, client_id)
    clearances = list(db.session.scalars(
        select(Clearance).options(joinedload(Clearance.granted_by)).where(Clearance.client_id == client.id)
        .order_by(Clearance.granted_at, Clearance.id)
    ))
    record_audit(actor, "clearance.listed", "client", client.id, client_id=client.id,
                 detail=f"{len(clearances)} clearances")
    return clearances


def clearance_letter(actor: User, clearance_id: int) -> tuple[Clearance, Path]:
    """The stored letter of a clearance, for staff who may see the client; audited."""
    clearance = access.clearance_with_letter(actor, clearance_id)
    path = _letters_folder() / clearance.letter_stored_name
    if not path.is_file():
        raise NotFound("The letter file is missing.")
    record_audit(actor, "clearance.letter_viewed", "clearance", clearance.id, client_id=clearance.client_id)
    return clearance, path


# --- The clearance queue -----------------------------------------------------------------------

def open_flags(client_ids: list[int]) -> dict[int, list[dict]]:
    """The flags behind each client's hold: the latest intake's, then those of check-ins since it.

    Deduplicated by reason, in the order they were raised.
    """
    ids = set(client_ids)
    if not ids:
        return {}
    latest: dict[int, Intake] = {}
    for intake in db.session.scalars(
        select(Intake).where(Intake.client_id.in_(ids)).order_by(Intake.submitted_at, Intake.id)
    ):
        latest[intake.client_id] = intake
    result: dict[int, list[dict]] = {cid: list(latest[cid].flags or []) if cid in latest else []
                                     for cid in ids}
    for check_in in db.session.scalars(
        select(CheckIn).where(CheckIn.client_id.in_(ids)).order_by(CheckIn.submitted_at, CheckIn.id)
    ):
        intake = latest.get(check_in.client_id)
        if intake is None or check_in.submitted_at >= intake.submitted_at:
            result[check_in.client_id].extend(check_in.flags or [])
    return {cid: _unique(flags) for cid, flags in result.items()}


def client_open_flags(client: Client) -> list[dict]:
    """open_flags for one client; none to read while the client is not held."""
    return open_flags([client.id])[client.id] if client.flagged_since else []


def _unique(flags: list[dict]) -> list[dict]:
    # The first time each (code, reason) was raised, in order.
    return list({(f["code"], f["reason"]): f for f in flags}.values())


def _held_clients(actor: User):
    return select(Client).where(
        access.clearance_queue_scope(actor), clearance_status_expression(clock.today()) == REQUIRED
    )


def clearance_queue(actor: User) -> list[QueueEntry]:
    """Clients held for clearance, oldest hold first: every client for the owner and the front
    desk; for a therapist their own clients and every new client; clients get 403. Audited
    (it shows the flags)."""
    clients = list(db.session.scalars(_held_clients(actor).order_by(Client.flagged_since, Client.id)))
    flags = open_flags([c.id for c in clients])
    waiting = letters_waiting([c.id for c in clients])
    record_audit(actor, "clearance_queue.viewed", "client", None, detail=f"{len(clients)} clients held")
    return [QueueEntry(c, c.flagged_since, flags[c.id], (waiting.get(c.id) or [None])[0]) for c in clients]


def clearance_queue_size(actor: User) -> int:
    """How many clients the queue would show `actor` (no flags read, so not audited)."""
    return db.session.scalar(select(func.count()).select_from(_held_clients(actor).subquery()))


def may_grant_clearance(actor: User, client: Client) -> bool:
    return access.may_record_clearance(actor, client)
