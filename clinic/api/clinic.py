"""API routes: the clinic's own details and policies (read by anyone, changed by the owner)."""

from typing import ClassVar

from flask import jsonify
from pydantic import ConfigDict

from clinic.api.blueprint import bp, current_actor, roles_required
from clinic.api.bodies import Body, Text, Whole, read_body, unchanged
from clinic.api.openapi import operation
from clinic.clinic_settings.rules import FIELD_LENGTHS, MAX_NOTICE_HOURS
from clinic.clinic_settings.services import clinic_profile, update_clinic_settings
from clinic.extensions import db


class ClinicChanges(Body):
    """The settings to change; those left out keep their values. The settings' own rules
    (a name, a known currency, a valid email) are checked where they live, on saving."""

    model_config = ConfigDict(extra="forbid")
    null_is_absent: ClassVar[bool] = False
    messages: ClassVar[dict[str, str]] = {
        "extra_forbidden": "This setting cannot be changed.",
        "string_type": "Must be text.",
        "string_too_long": "At most {max_length} characters.",
        "int_type": "Must be a whole number of hours.",
        "greater_than_equal": f"Between 0 and {MAX_NOTICE_HOURS} hours.",
        "less_than_equal": f"Between 0 and {MAX_NOTICE_HOURS} hours.",
    }

    name: Text(FIELD_LENGTHS["name"], blank="keep") = unchanged()
    address: Text(FIELD_LENGTHS["address"], blank="keep") = unchanged()
    phone: Text(FIELD_LENGTHS["phone"], blank="keep") = unchanged()
    email: Text(FIELD_LENGTHS["email"], blank="keep") = unchanged("Empty, or an email address")
    currency: Text(blank="keep") = unchanged("ISO 4217 code, e.g. EUR")
    cancellation_notice_hours: Whole(0, MAX_NOTICE_HOURS) = unchanged()
    require_staff_two_factor: bool = unchanged()


_EDITABLE_PROPERTIES = ClinicChanges.model_json_schema()["properties"]
CLINIC_SCHEMA = {
    "type": "object",
    "required": ["name", "address", "phone", "email", "time_zone", "currency",
                 "cancellation_notice_hours", "require_staff_two_factor"],
    "properties": {
        **_EDITABLE_PROPERTIES,
        "time_zone": {"type": "string", "description": "IANA zone (CLINIC_TIMEZONE); read-only"},
    },
}


@bp.get("/clinic")
@operation("The clinic's details and policies", auth=False, tag="setup", response=CLINIC_SCHEMA)
def show_clinic():
    return jsonify(clinic_profile().to_dict())


@bp.patch("/clinic")
@operation(
    "Change the clinic's details and policies (owner); answers the whole object",
    tag="setup",
    body=ClinicChanges,
    response=CLINIC_SCHEMA,
    statuses=(400, 401, 403, 422),
)
@roles_required("owner")
def change_clinic():
    changes = read_body(ClinicChanges).model_dump(exclude_unset=True)
    profile = update_clinic_settings(current_actor(), changes)
    db.session.commit()
    return jsonify(profile.to_dict())
