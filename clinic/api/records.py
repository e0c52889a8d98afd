"""API routes: a client's whole record (the right of access) and closing a client's account."""

from flask import jsonify

from clinic.api.accounts import CLIENT_SCHEMA, client_json
from clinic.api.blueprint import bp, current_actor
from clinic.api.openapi import operation
from clinic.api.parsing import optional_json_object
from clinic.extensions import db
from clinic.records import services

LIST = {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "integer"}}}}
RECORD_SCHEMA = {
    "type": "object",
    "required": ["profile", "appointments", "intakes", "check_ins", "clearances", "care_plans", "notes"],
    "properties": {
        "profile": {"type": "object", "properties": {"id": {"type": "integer"}}},
        "appointments": LIST,
        "intakes": LIST,
        "check_ins": LIST,
        "clearances": LIST,
        "care_plans": LIST,
        "notes": {
            "type": "array",
            "items": {"type": "object", "properties": {"id": {"type": "integer"}, "amendments": LIST}},
        },
    },
}


@bp.get("/clients/<int:client_id>/export")
@operation(
    "Everything the clinic holds on a client, in one document (that client themself, or the owner; "
    "others 404): the right of access. Each list is oldest first; notes carry their amendments",
    tag="accounts",
    response=RECORD_SCHEMA,
    statuses=(401, 404),
)
def export_client_record(client_id: int):
    record = services.client_record(current_actor(), client_id)
    db.session.commit()  # the export's audit entry
    return jsonify(record)


@bp.post("/clients/<int:client_id>/close")
@operation(
    "Close a client's online account (owner): no more logins, its tokens stop working; contact "
    "details and every record are kept. A walk-in without a login → 409 no_login",
    tag="accounts",
    response=CLIENT_SCHEMA,
    statuses=(401, 403, 404, 409),
)
def close_client_account(client_id: int):
    optional_json_object()  # no members, but a malformed or oversized body is still refused
    client = services.close_client_account(current_actor(), client_id)
    db.session.commit()
    return jsonify(client_json(client))
