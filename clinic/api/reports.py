"""API routes: reports (owner only)."""

from flask import jsonify

from clinic.api.blueprint import bp, current_actor, roles_required
from clinic.api.openapi import operation
from clinic.api.parsing import query_day, query_reader
from clinic.reports.services import summary_report

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
