"""API routes: reports (owner only)."""

from flask import jsonify

from clinic import clock
from clinic.api.blueprint import bp, current_actor, roles_required
from clinic.api.openapi import operation
from clinic.api.parsing import ID_SCHEMA, query_day, query_id, query_reader
from clinic.extensions import db
from clinic.models import AuditEntry
from clinic.reports.services import AuditFilter, audit_entries_chronological, summary_report

SUMMARY_SCHEMA = {
    "type": "object",
    "properties": {
        "appointments": {
            "type": "object",
            "properties": {s: {"type": "integer"} for s in ("booked", "completed", "cancelled", "no_show")},
        },
        "revenue_cents": {"type": "integer"},
        "utilisation": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "therapist_id": {"type": "integer"},
                    "booked_minutes": {"type": "integer"},
                    "available_minutes": {"type": "integer"},
                },
            },
        },
        "pain_change_by_technique": {"type": "object", "additionalProperties": {"type": "number"}},
        "clients_awaiting_clearance": {"type": "integer"},
    },
}


@bp.get("/reports/summary")
@operation(
    "Bookings, revenue, utilisation, pain change by technique and the clearance queue for a date range",
    tag="reports",
    response=SUMMARY_SCHEMA,
    statuses=(401, 403, 422),
    query={
        "from": {"type": "string", "format": "date", "required": True},
        "to": {"type": "string", "format": "date", "required": True},
    },
)
@roles_required("owner")
def report_summary():
    reader = query_reader()
    first = query_day(reader, "from")
    last = query_day(reader, "to")
    reader.check()
    return jsonify(summary_report(current_actor(), first, last).to_json())


AUDIT_ENTRY_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "at": {"type": "string", "format": "date-time"},
        "actor_id": {"type": ["integer", "null"]},
        "action": {"type": "string"},
        "record_type": {"type": "string"},
        "record_id": {"type": ["integer", "null"]},
        "client_id": {"type": ["integer", "null"]},
        "detail": {"type": ["string", "null"]},
        "seq": {"type": "integer"},
        "hash": {"type": "string"},
    },
}


def audit_entry_json(entry: AuditEntry) -> dict:
    return {
        "id": entry.id,
        "at": clock.iso(entry.created_at),
        "actor_id": entry.actor_id,
        "action": entry.action,
        "record_type": entry.subject_type,
        "record_id": entry.subject_id,
        "client_id": entry.client_id,
        "detail": entry.detail,
        "seq": entry.seq,
        "hash": entry.hash,
    }


@bp.get("/audit")
@operation(
    "The audit log for a date range (optionally one client's entries), oldest first, ties by id. "
    "`seq` is the entry's place in the hash chain and `hash` its SHA-256 over its content and the "
    "previous entry's hash",
    tag="reports",
    response={"type": "array", "items": AUDIT_ENTRY_SCHEMA},
    statuses=(401, 403, 422),
    query={
        "from": {"type": "string", "format": "date", "required": True},
        "to": {"type": "string", "format": "date", "required": True},
        "client_id": ID_SCHEMA,
    },
)
@roles_required("owner")
def audit_log():
    reader = query_reader()
    first = query_day(reader, "from")
    last = query_day(reader, "to")
    client_id = query_id(reader, "client_id", required=False)
    reader.check()
    entries = audit_entries_chronological(
        current_actor(), AuditFilter(client_id=client_id, first=first, last=last)
    )
    body = [audit_entry_json(entry) for entry in entries]
    db.session.commit()  # the read's own audit entry
    return jsonify(body)
