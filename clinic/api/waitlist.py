"""API routes: the waitlist and its offers."""

from datetime import time

from flask import jsonify

from clinic.api.blueprint import bp, current_actor, roles_required
from clinic.api.openapi import operation
from clinic.api.parsing import ID_SCHEMA, Reader, json_object, optional_json_object, query_day, query_reader
from clinic.api.scheduling import APPOINTMENT_SCHEMA, appointment_json
from clinic.extensions import db
from clinic.models import WaitlistEntry
from clinic.waitlist import figures, offers, services

CLOCK = {"type": ["string", "null"], "pattern": "^[0-2][0-9]:[0-5][0-9]$"}
ENTRY_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "client_id": {"type": "integer"},
        "service_id": {"type": "integer"},
        "therapist_id": {"type": ["integer", "null"]},
        "from": {"type": "string", "format": "date"},
        "to": {"type": "string", "format": "date"},
        "earliest": CLOCK,
        "latest": CLOCK,
    },
}


def entry_json(entry: WaitlistEntry) -> dict:
    return {
        "id": entry.id,
        "client_id": entry.client_id,
        "service_id": entry.service_id,
        "therapist_id": entry.therapist_id,
        "from": entry.first_day.isoformat(),
        "to": entry.last_day.isoformat(),
        "earliest": entry.earliest.strftime("%H:%M") if entry.earliest else None,
        "latest": entry.latest.strftime("%H:%M") if entry.latest else None,
    }


def _clock(reader: Reader, name: str) -> time | None:
    raw = reader.text(name, required=False, max_length=5)
    if raw is None:
        return None
    try:
        if len(raw) != 5 or raw[2] != ":" or not (raw[:2] + raw[3:]).isdigit():
            raise ValueError
        return time(int(raw[:2]), int(raw[3:]))
    except ValueError:
        reader.problem(name, "Must be a time as HH:MM (00:00-23:59).")
        return None


@bp.post("/waitlist")
@operation(
    "Join the waitlist (a client for themself; staff with client_id)",
    tag="waitlist",
    body={
        "type": "object",
        "required": ["service_id", "from", "to"],
        "properties": {
            "service_id": ID_SCHEMA,
            "therapist_id": ID_SCHEMA,
            "client_id": ID_SCHEMA,
            "from": {"type": "string", "format": "date"},
            "to": {"type": "string", "format": "date"},
            "earliest": CLOCK,
            "latest": CLOCK,
        },
    },
    response=ENTRY_SCHEMA,
    statuses=(201, 400, 401, 403, 404, 409, 422),
)
def post_waitlist():
    actor = current_actor()
    reader = Reader(json_object())
    service_id = reader.record_id("service_id")
    therapist_id = reader.record_id("therapist_id", required=False)
    client_id = reader.record_id("client_id", required=False)
    first = reader.day("from")
    last = reader.day("to")
    earliest = _clock(reader, "earliest")
    latest = _clock(reader, "latest")
    reader.check()
    entry = services.join_waitlist(
        actor, service_id=service_id, first_day=first, last_day=last, therapist_id=therapist_id,
        earliest=earliest, latest=latest, client_id=client_id,
    )
    db.session.commit()
    return jsonify(entry_json(entry)), 201


@bp.get("/waitlist")
@operation(
    "Open waitlist entries: own for clients; staff: all, or their clients'",
    tag="waitlist",
    response={"type": "array", "items": ENTRY_SCHEMA},
    statuses=(401, 403),
)
def get_waitlist():
    rows = services.open_entries(current_actor(), limit=5000)
    rows.sort(key=lambda e: (e.first_day, e.id))
    return jsonify([entry_json(e) for e in rows])


@bp.delete("/waitlist/<int:entry_id>")
@operation("Leave the waitlist (or take a client off it)", tag="waitlist", statuses=(204, 401, 403, 404))
def delete_waitlist(entry_id: int):
    services.leave_waitlist(current_actor(), entry_id)
    db.session.commit()
    return "", 204


@bp.post("/waitlist/offers/<token>/claim")
@operation(
    "Claim a waitlist offer: book the offered start (the first claim wins)",
    tag="waitlist",
    response=APPOINTMENT_SCHEMA,
    statuses=(201, 400, 401, 403, 404, 409),
)
def claim_offer(token: str):
    actor = current_actor()
    optional_json_object()
    appointment = offers.claim_offer(actor, token)
    db.session.commit()
    return jsonify(appointment_json(appointment)), 201


@bp.get("/reports/waitlist")
@operation(
    "Waitlist and recall figures for a date range (owner): entries made, offers emailed, freed times "
    "filled from the waitlist, recall emails, and recalls followed by a booking within 14 days",
    tag="reports",
    response={
        "type": "object",
        "properties": {
            "waitlist": {
                "type": "object",
                "properties": {k: {"type": "integer"} for k in ("entries", "offers_sent", "slots_filled")},
            },
            "recall": {
                "type": "object",
                "properties": {k: {"type": "integer"} for k in ("emails", "bookings_within_14_days")},
            },
        },
    },
    statuses=(401, 403, 422),
    query={
        "from": {"type": "string", "format": "date", "required": True},
        "to": {"type": "string", "format": "date", "required": True},
    },
)
@roles_required("owner")
def waitlist_figures():
    reader = query_reader()
    first = query_day(reader, "from")
    last = query_day(reader, "to")
    reader.check()
    return jsonify(figures.figures_json(figures.waitlist_report(current_actor(), first, last)))
