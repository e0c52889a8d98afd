"""API routes: the clinic's own details and policies (read by anyone, changed by the owner)."""

from flask import jsonify

from clinic.api.blueprint import bp, current_actor, roles_required
from clinic.api.openapi import operation
from clinic.api.parsing import json_object
from clinic.clinic_settings.rules import MAX_NOTICE_HOURS
from clinic.clinic_settings.services import clinic_profile, update_clinic_settings
from clinic.extensions import db

_EDITABLE_PROPERTIES = {
    "name": {"type": "string", "minLength": 1, "maxLength": 120},
    "address": {"type": "string", "maxLength": 500},
    "phone": {"type": "string", "maxLength": 40},
    "email": {"type": "string", "maxLength": 254, "description": "Empty, or an email address"},
    "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 code, e.g. EUR"},
    "cancellation_notice_hours": {"type": "integer", "minimum": 0, "maximum": MAX_NOTICE_HOURS},
    "require_staff_two_factor": {"type": "boolean"},
}
CLINIC_SCHEMA = {
    "type": "object",
    "required": ["name", "address", "phone", "email", "time_zone", "currency",
                 "cancellation_notice_hours", "require_staff_two_factor"],
    "properties": {
        **_EDITABLE_PROPERTIES,
        "time_zone": {"type": "string", "description": "IANA zone (CLINIC_TIMEZONE); read-only"},
    },
}
CLINIC_CHANGES_SCHEMA = {"type": "object", "additionalProperties": False, "properties": _EDITABLE_PROPERTIES}


@bp.get("/clinic")
@operation("The clinic's details and policies", auth=False, tag="setup", response=CLINIC_SCHEMA)
def show_clinic():
    return jsonify(clinic_profile().to_dict())


@bp.patch("/clinic")
@operation(
    "Change the clinic's details and policies (owner); answers the whole object",
    tag="setup",
    body=CLINIC_CHANGES_SCHEMA,
    response=CLINIC_SCHEMA,
    statuses=(400, 401, 403, 422),
)
@roles_required("owner")
def change_clinic():
    profile = update_clinic_settings(current_actor(), json_object())
    db.session.commit()
    return jsonify(profile.to_dict())
