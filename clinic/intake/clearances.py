"""Use cases of physician clearances: the client's letter, recording a clearance, and the
clearance queue (the hold rule itself: clinic/intake/status.py; screenings: services.py).
Services flush, never commit.
"""

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from clinic import access, clock
from clinic.audit import record_audit
from clinic.errors import DomainError, NotFound, ValidationFailed
from clinic.extensions import db
from clinic.intake.services import clean_text
from clinic.intake.status import REQUIRED, clearance_status_expression
from clinic.models import CheckIn, Clearance, ClearanceLetter, Client, Intake, User
from clinic.notifications import outbox
from clinic.notifications.messages import CLEARED, compose_cleared

MAX_LETTER_BYTES = 4 * 1024 * 1024  # the default of MAX_UPLOAD_BYTES
MAX_PHYSICIAN_NAME = 200
MAX_CLEARANCE_TEXT = 2000
# Magic bytes, extensions and the type we serve the file back as.
LETTER_KINDS = (
    (b"%PDF-", (".pdf",), "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", (".png",), "image/png"),
    (b"\xff\xd8\xff", (".jpg", ".jpeg"), "image/jpeg"),
)



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
        restrictions=clean_text(restrictions),
        valid_until=valid_until,
        granted_by_id=actor.id,
        granted_at=clock.now(),
        evidence=clean_text(evidence),
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
