"""API routes: health intakes, pre-visit check-ins, physician clearances and the queue."""

from flask import jsonify, request, send_file
from pydantic import Field

from clinic import clock
from clinic.api.blueprint import bp, current_actor
from clinic.api.bodies import Body, Codes, Day, MustBeTrue, Text, Whole, checked, read_body
from clinic.api.openapi import operation
from clinic.api.parsing import json_object
from clinic.extensions import db
from clinic.intake import clearances, questions, services
from clinic.intake.questions import CONDITIONS
from clinic.intake.screening import FLAG_CODES, MAX_TEXT, CheckInAnswers, IntakeAnswers
from clinic.intake.status import clearance_status
from clinic.models import CheckIn, Clearance, Intake, User

BOOLEANS = questions.keys(questions.INTAKE, questions.YES_NO)
CHECK_IN_BOOLEANS = questions.keys(questions.CHECK_IN, questions.YES_NO)
DATE = {"type": "string", "format": "date"}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
FLAG_SCHEMA = {
    "type": "object",
    "properties": {"code": {"enum": list(FLAG_CODES)}, "reason": {"type": "string"}},
}
PERSON_SCHEMA = {
    "type": ["object", "null"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
}


class HealthIntake(Body):
    """The intake form's answers; red flags among them hold the client for clearance."""

    consent: MustBeTrue("Consent is required: it must be true.")
    pain_level: Whole(0, 10)
    conditions: Codes(tuple(CONDITIONS)) = Field(default_factory=list)
    recent_surgery: bool = False
    fever_or_chills: bool = False
    redness_or_warmth: bool = False
    sudden_swelling: bool = False
    loss_of_mobility: bool = False
    chronic_pain_unimproved: bool = False
    surgery_date: Day | None = None
    medications: Text(MAX_TEXT, blank="keep") | None = None
    notes: Text(MAX_TEXT, blank="keep") | None = None


class PreVisitCheckIn(Body):
    """Since the last visit: pain now, and any new red flag."""

    pain_level: Whole(0, 10)
    fever_or_chills: bool = False
    redness_or_warmth: bool = False
    new_swelling: bool = False
    recent_surgery: bool = False
    surgery_date: Day | None = None


class PhysicianClearance(Body):
    """Also sent as multipart/form-data, the same fields plus a `letter` file."""

    physician_name: Text(clearances.MAX_PHYSICIAN_NAME)
    cleared_on: Day
    restrictions: Text(clearances.MAX_CLEARANCE_TEXT, blank="absent") | None = None
    valid_until: Day | None = None
    evidence: Text(clearances.MAX_CLEARANCE_TEXT, blank="absent") | None = Field(
        None, description="What the clearance rests on (letter seen, call...)"
    )


INTAKE_BODY = HealthIntake.model_json_schema()
INTAKE_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "client_id": {"type": "integer"},
        "submitted_at": {"type": "string", "format": "date-time"},
        "submitted_by": PERSON_SCHEMA,
        "flags": {"type": "array", "items": FLAG_SCHEMA},
        "requires_clearance": {"type": "boolean"},
        **{k: v for k, v in INTAKE_BODY["properties"].items() if k != "surgery_date"},
        "surgery_date": NULLABLE_DATE,
    },
}
CHECK_IN_BODY = PreVisitCheckIn.model_json_schema()
CHECK_IN_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "appointment_id": {"type": "integer"},
        "client_id": {"type": "integer"},
        "submitted_at": {"type": "string", "format": "date-time"},
        "flags": {"type": "array", "items": FLAG_SCHEMA},
        "requires_clearance": {"type": "boolean"},
        **CHECK_IN_BODY["properties"],
    },
}
CLEARANCE_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "client_id": {"type": "integer"},
        "physician_name": {"type": "string"},
        "cleared_on": DATE,
        "restrictions": {"type": ["string", "null"]},
        "valid_until": NULLABLE_DATE,
        "evidence": {"type": ["string", "null"]},
        "granted_by": PERSON_SCHEMA,
        "granted_at": {"type": "string", "format": "date-time"},
        "letter": {"type": ["object", "null"]},
        "clearance_status": {"enum": ["not_required", "required", "granted"]},
    },
}
QUEUE_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "client_id": {"type": "integer"},
            "name": {"type": "string"},
            "since": {"type": "string", "format": "date-time"},
            "flags": {"type": "array", "items": FLAG_SCHEMA},
        },
    },
}


def _person(user: User | None) -> dict | None:
    return None if user is None else {"id": user.id, "name": user.name}


def _day(value) -> str | None:
    return None if value is None else value.isoformat()


def intake_json(intake: Intake) -> dict:
    return {
        "id": intake.id,
        "client_id": intake.client_id,
        "submitted_at": clock.iso(intake.submitted_at),
        "submitted_by": _person(intake.submitted_by),
        "flags": intake.flags or [],
        "requires_clearance": bool(intake.flags),
        "consent": intake.consent,
        "pain_level": intake.pain_level,
        "conditions": intake.conditions or [],
        **{name: getattr(intake, name) for name in BOOLEANS},
        "surgery_date": _day(intake.surgery_date),
        "medications": intake.medications,
        "notes": intake.notes,
    }


def check_in_json(check_in: CheckIn) -> dict:
    return {
        "id": check_in.id,
        "appointment_id": check_in.appointment_id,
        "client_id": check_in.client_id,
        "submitted_at": clock.iso(check_in.submitted_at),
        "flags": check_in.flags or [],
        "requires_clearance": bool(check_in.flags),
        "pain_level": check_in.pain_level,
        **{name: getattr(check_in, name) for name in CHECK_IN_BOOLEANS},
        "surgery_date": _day(check_in.surgery_date),
    }


def clearance_json(clearance: Clearance) -> dict:
    letter = None
    if clearance.letter_stored_name:
        letter = {"filename": clearance.letter_filename, "content_type": clearance.letter_content_type}
    return {
        "id": clearance.id,
        "client_id": clearance.client_id,
        "physician_name": clearance.physician_name,
        "cleared_on": _day(clearance.cleared_on),
        "restrictions": clearance.restrictions,
        "valid_until": _day(clearance.valid_until),
        "evidence": clearance.evidence,
        "granted_by": _person(clearance.granted_by),
        "granted_at": clock.iso(clearance.granted_at),
        "letter": letter,
    }


@bp.post("/clients/<int:client_id>/intakes")
@operation(
    "Submit a health intake (the client, or their staff); red flags hold the client for clearance",
    tag="intake", body=HealthIntake, response=INTAKE_SCHEMA, statuses=(201, 400, 401, 404, 422),
)
def submit_intake(client_id: int):
    actor = current_actor()
    answers = IntakeAnswers(**dict(read_body(HealthIntake)))
    intake = services.submit_intake(actor, client_id, answers)
    db.session.commit()
    return jsonify(intake_json(intake)), 201


@bp.get("/clients/<int:client_id>/intakes")
@operation("A client's intakes, oldest first", tag="intake",
           response={"type": "array", "items": INTAKE_SCHEMA}, statuses=(401, 404))
def list_intakes(client_id: int):
    body = [intake_json(intake) for intake in services.list_intakes(current_actor(), client_id)]
    db.session.commit()  # the read's audit entry; after the body, as commit expires every row
    return jsonify(body)


@bp.get("/intakes/<int:intake_id>")
@operation("One intake", tag="intake", response=INTAKE_SCHEMA, statuses=(401, 404))
def get_intake(intake_id: int):
    intake = services.get_intake(current_actor(), intake_id)
    db.session.commit()
    return jsonify(intake_json(intake))


@bp.post("/appointments/<int:appointment_id>/check-ins")
@operation(
    "Pre-visit check-in (the client from 48 hours before, or the therapist at the session)",
    tag="intake", body=PreVisitCheckIn, response=CHECK_IN_SCHEMA, statuses=(201, 400, 401, 404, 409, 422),
)
def submit_check_in(appointment_id: int):
    actor = current_actor()
    answers = CheckInAnswers(**dict(read_body(PreVisitCheckIn)))
    check_in = services.submit_check_in(actor, appointment_id, answers)
    db.session.commit()
    return jsonify(check_in_json(check_in)), 201


@bp.get("/appointments/<int:appointment_id>/check-ins")
@operation("An appointment's check-ins, oldest first", tag="intake",
           response={"type": "array", "items": CHECK_IN_SCHEMA}, statuses=(401, 404))
def list_check_ins(appointment_id: int):
    body = [check_in_json(c) for c in services.list_check_ins(current_actor(), appointment_id)]
    db.session.commit()  # the read's audit entry; after the body, as commit expires every row
    return jsonify(body)


@bp.post("/clients/<int:client_id>/clearances")
@operation(
    "Record a physician's clearance (staff only); send multipart/form-data to attach a `letter`",
    tag="intake", body=PhysicianClearance, response=CLEARANCE_SCHEMA, statuses=(201, 400, 401, 403, 404, 422),
)
def grant_clearance(client_id: int):
    actor = current_actor()
    # JSON, or multipart/form-data with the same fields plus a `letter` file.
    multipart = request.mimetype == "multipart/form-data"
    fields = dict(checked(PhysicianClearance, request.form.to_dict() if multipart else json_object()))
    letter = clearances.uploaded_letter(request.files.get("letter")) if multipart else None
    if letter is not None:
        fields["letter"] = letter
    clearance = clearances.grant_clearance(actor, client_id, **fields)
    db.session.commit()
    body = clearance_json(clearance)
    body["clearance_status"] = clearance_status(clearance.client, clock.today())
    return jsonify(body), 201


@bp.get("/clients/<int:client_id>/clearances")
@operation("A client's clearances, oldest first", tag="intake",
           response={"type": "array", "items": CLEARANCE_SCHEMA}, statuses=(401, 404))
def list_clearances(client_id: int):
    body = [clearance_json(c) for c in clearances.list_clearances(current_actor(), client_id)]
    db.session.commit()  # the read's audit entry; after the body, as commit expires every row
    return jsonify(body)


@bp.get("/clearances/<int:clearance_id>/letter")
@operation("The physician's letter (staff of the client only)", tag="intake",
           response={"type": "string", "contentMediaType": "application/pdf"}, statuses=(401, 403, 404))
def clearance_letter(clearance_id: int):
    clearance, path = clearances.clearance_letter(current_actor(), clearance_id)
    db.session.commit()
    return send_file(path, mimetype=clearance.letter_content_type, as_attachment=True,
                     download_name=clearance.letter_filename or path.name)


@bp.get("/clearance-queue")
@operation("Clients held for clearance, oldest first (owner: all; therapist: their clients)",
           tag="intake", response=QUEUE_SCHEMA, statuses=(401, 403))
def clearance_queue():
    body = [
        {"client_id": e.client.id, "name": e.client.name, "since": clock.iso(e.since), "flags": e.flags}
        for e in clearances.clearance_queue(current_actor())
    ]
    db.session.commit()  # the read's audit entry; after the body, as commit expires every row
    return jsonify(body)
