"""API routes: the waitlist and its offers."""

from flask import jsonify
from pydantic import Field

from clinic.api.blueprint import bp, current_actor, roles_required
from clinic.api.bodies import Body, Clock, Day, RecordId, blank_is_absent, read_body
from clinic.api.openapi import operation
from clinic.api.parsing import optional_json_object, query_day, query_reader
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


class WaitlistRequest(Body):
    """Days (and optionally a therapist and times of day) a client could come at short notice."""

    service_id: RecordId
    therapist_id: RecordId | None = None
    client_id: RecordId | None = None
    first_day: Day = Field(alias="from")
    last_day: Day = Field(alias="to")
    earliest: blank_is_absent(Clock) = None
    latest: blank_is_absent(Clock) = None


@bp.post("/waitlist")
@operation(
    "Join the waitlist (a client for themself; staff with client_id)",
    tag="waitlist",
    body=WaitlistRequest,
    response=ENTRY_SCHEMA,
    statuses=(201, 400, 401, 403, 404, 409, 422),
)
def post_waitlist():
    actor = current_actor()
    entry = services.join_waitlist(actor, **dict(read_body(WaitlistRequest)))
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
