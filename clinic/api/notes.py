"""Session notes in the API: record (signs and completes), read, amend; never edit."""

from flask import jsonify

from clinic import clock
from clinic.api.blueprint import bp, current_actor
from clinic.api.bodies import Body, Codes, Strings, Text, Whole, read_body
from clinic.api.openapi import operation
from clinic.extensions import db
from clinic.models import NoteAmendment, SessionNote
from clinic.notes import services
from clinic.notes.services import (
    MAX_AREA_LENGTH,
    MAX_AREAS,
    MAX_TEXT,
    SOAP_FIELDS,
    TECHNIQUES,
    NoteInput,
    NoteReadOnly,
)

AMENDMENT_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "note_id": {"type": "integer"},
        "author_id": {"type": "integer"},
        "author_name": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "text": {"type": "string"},
    },
}
SoapText = Text(MAX_TEXT, blank="keep")


class NewNote(Body):
    """What the therapist records after a session; signing makes it permanent."""

    techniques: Codes(tuple(TECHNIQUES), allow_empty=False)
    areas: Strings(max_items=MAX_AREAS, max_length=MAX_AREA_LENGTH)
    pain_before: Whole(0, 10)
    pain_after: Whole(0, 10)
    subjective: SoapText | None = None
    objective: SoapText | None = None
    assessment: SoapText | None = None
    plan: SoapText | None = None
    adverse_reaction: SoapText | None = None


class Amendment(Body):
    text: Text(MAX_TEXT)


NOTE_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "appointment_id": {"type": "integer"},
        "client_id": {"type": "integer"},
        "author_id": {"type": "integer"},
        "author_name": {"type": "string"},
        "signed_at": {"type": "string", "format": "date-time"},
        **NewNote.model_json_schema()["properties"],
        "amendments": {"type": "array", "items": AMENDMENT_SCHEMA},
    },
}
PROGRESS_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "appointment_id": {"type": "integer"},
            "date": {"type": "string", "format": "date"},
            "pain_before": {"type": "integer"},
            "pain_after": {"type": "integer"},
            "techniques": {"type": "array", "items": {"type": "string"}},
        },
    },
}


def amendment_json(amendment: NoteAmendment) -> dict:
    return {
        "id": amendment.id,
        "note_id": amendment.note_id,
        "author_id": amendment.author_id,
        "author_name": amendment.author.name,
        "created_at": clock.iso(amendment.created_at),
        "text": amendment.text,
    }


def note_json(note: SessionNote) -> dict:
    return {
        "id": note.id,
        "appointment_id": note.appointment_id,
        "client_id": note.appointment.client_id,
        "author_id": note.author_id,
        "author_name": note.author.name,
        "signed_at": clock.iso(note.signed_at),
        "techniques": note.technique_codes,
        "areas": list(note.areas or []),
        "pain_before": note.pain_before,
        "pain_after": note.pain_after,
        **{name: getattr(note, name) for name in SOAP_FIELDS},
        "amendments": [amendment_json(a) for a in note.amendments],
    }


@bp.post("/appointments/<int:appointment_id>/notes")
@operation(
    "Record and sign the session note of an appointment (its therapist); completes it",
    tag="notes",
    body=NewNote,
    response=NOTE_SCHEMA,
    statuses=(201, 400, 401, 403, 404, 409, 422),
)
def create_note(appointment_id: int):
    actor = current_actor()
    data = NoteInput(**dict(read_body(NewNote)))
    note = services.record_note(actor, appointment_id, data)
    db.session.commit()
    return jsonify(note_json(note)), 201


@bp.get("/notes/<int:note_id>")
@operation(
    "A signed note with its amendments (the author, the owner, the client)",
    tag="notes",
    response=NOTE_SCHEMA,
    statuses=(401, 404),
)
def get_note(note_id: int):
    note = services.get_note(current_actor(), note_id)
    body = note_json(note)
    db.session.commit()  # the read's audit entry
    return jsonify(body)


@bp.route("/notes/<int:note_id>", methods=["PUT", "PATCH", "DELETE"])
@operation("Signed notes are never edited or deleted: always 405", tag="notes", statuses=(405,))
def change_note(note_id: int):
    # The same answer for every caller and id, so it reveals nothing about which notes exist.
    error = NoteReadOnly()
    return jsonify(error.to_dict()), error.status, {"Allow": "GET, HEAD, OPTIONS"}


@bp.post("/notes/<int:note_id>/amendments")
@operation(
    "Add an amendment to a signed note (its author)",
    tag="notes",
    body=Amendment,
    response=AMENDMENT_SCHEMA,
    statuses=(201, 400, 401, 403, 404, 422),
)
def create_amendment(note_id: int):
    actor = current_actor()
    amendment = services.amend_note(actor, note_id, read_body(Amendment).text)
    db.session.commit()
    return jsonify(amendment_json(amendment)), 201


@bp.get("/clients/<int:client_id>/progress")
@operation(
    "Pain before and after each noted session, oldest first (the client, their therapists, owner)",
    tag="notes",
    response=PROGRESS_SCHEMA,
    statuses=(401, 404),
)
def client_progress(client_id: int):
    points = services.client_progress(current_actor(), client_id)
    body = [
        {
            "appointment_id": p.appointment_id,
            "date": p.day.isoformat(),
            "pain_before": p.pain_before,
            "pain_after": p.pain_after,
            "techniques": list(p.techniques),
        }
        for p in points
    ]
    db.session.commit()  # the read's audit entry
    return jsonify(body)
