"""Reading and saving the clinic's settings.

Environment variables give the first values; once the owner saves, the saved row wins.
Every reader (pages, emails, the cancel and move rules, two-step sign-in) asks here, so a
setting has one home.
"""

from dataclasses import asdict, dataclass

from flask import current_app, g, has_request_context, request

from clinic.access import require_owner
from clinic.audit import record_audit
from clinic.auth.services import normalise_email
from clinic.clinic_settings.rules import FIELD_LENGTHS, MAX_NOTICE_HOURS, format_money, is_currency
from clinic.errors import ValidationFailed
from clinic.extensions import db
from clinic.models import ClinicSettings, User
from clinic.models.clinic_settings import SETTINGS_ROW_ID
from clinic.text import UNSTORABLE_MESSAGE, storable

EDITABLE = ("name", "address", "phone", "email", "currency", "cancellation_notice_hours",
            "require_staff_two_factor")


@dataclass(frozen=True)
class ClinicProfile:
    name: str
    address: str
    phone: str
    email: str
    time_zone: str
    currency: str
    cancellation_notice_hours: int
    require_staff_two_factor: bool

    def to_dict(self) -> dict:
        return asdict(self)

    def money(self, minor_units: int | None) -> str:
        return "" if minor_units is None else format_money(minor_units, self.currency)

    @property
    def has_contact(self) -> bool:
        return bool(self.phone or self.email or self.address)


def _from_environment() -> dict:
    config = current_app.config
    return {
        "name": config.get("CLINIC_NAME") or "",
        "address": config.get("CLINIC_ADDRESS") or "",
        "phone": config.get("CLINIC_PHONE") or "",
        "email": config.get("CLINIC_EMAIL") or "",
        "currency": (config.get("CLINIC_CURRENCY") or "EUR").upper(),
        "cancellation_notice_hours": int(config.get("CANCELLATION_NOTICE_HOURS", 24)),
        "require_staff_two_factor": False,
    }


_CACHE_KEY = "_clinic_profile"


def _cache() -> dict:
    """Where this request's settings are kept: its WSGI environ, or outside a request (CLI,
    mail worker) the app context. Not `g` alone: one app context may serve many requests."""
    return request.environ if has_request_context() else vars(g)


def clinic_profile() -> ClinicProfile:
    """The settings in force, read once per request (or app context)."""
    cached = _cache().get(_CACHE_KEY)
    if cached is not None:
        return cached
    row = db.session.get(ClinicSettings, SETTINGS_ROW_ID)
    values = _from_environment() if row is None else {name: getattr(row, name) for name in EDITABLE}
    profile = ClinicProfile(time_zone=current_app.config["CLINIC_TIMEZONE"], **values)
    _cache()[_CACHE_KEY] = profile
    return profile


def environment_profile() -> ClinicProfile:
    """The environment's values without the database: for an error page when the database failed."""
    return ClinicProfile(time_zone=current_app.config["CLINIC_TIMEZONE"], **_from_environment())


def _clean(changes: dict) -> dict:
    """Check each given field; collect every problem before refusing."""
    fields: dict[str, list[str]] = {}
    cleaned: dict = {}
    for name, value in changes.items():
        if name not in EDITABLE:
            fields[name] = ["This setting cannot be changed."]
            continue
        if isinstance(value, str) and "\x00" in value:
            # PostgreSQL can neither store nor compare text with a NUL in it.
            fields[name] = ["Must not contain NUL characters."]
            continue
        if name in FIELD_LENGTHS:
            if not isinstance(value, str):
                fields[name] = ["Must be text."]
                continue
            if not storable(value):
                fields[name] = [UNSTORABLE_MESSAGE]
                continue
            value = value.strip()
            if name == "name" and not value:
                fields[name] = ["The clinic needs a name."]
            elif len(value) > FIELD_LENGTHS[name]:
                fields[name] = [f"At most {FIELD_LENGTHS[name]} characters."]
            elif name == "email" and value:
                try:
                    value = normalise_email(value)
                except ValidationFailed:
                    fields[name] = ["Enter a valid email address."]
        elif name == "currency":
            if not isinstance(value, str) or not is_currency(value.strip().upper()):
                fields[name] = ["Use an ISO 4217 currency code, e.g. EUR, GBP or USD."]
            else:
                value = value.strip().upper()
        elif name == "cancellation_notice_hours":
            if isinstance(value, bool) or not isinstance(value, int):
                fields[name] = ["Must be a whole number of hours."]
            elif not 0 <= value <= MAX_NOTICE_HOURS:
                fields[name] = [f"Between 0 and {MAX_NOTICE_HOURS} hours."]
        elif name == "require_staff_two_factor" and not isinstance(value, bool):
            fields[name] = ["Must be true or false."]
        cleaned[name] = value
    if fields:
        raise ValidationFailed(fields=fields)
    return cleaned


def update_clinic_settings(actor: User, changes: dict) -> ClinicProfile:
    """Save the owner's changes over the settings in force (flushes; the caller commits)."""
    require_owner(actor)
    cleaned = _clean(changes)
    row = db.session.get(ClinicSettings, SETTINGS_ROW_ID)
    if row is None:
        row = ClinicSettings(id=SETTINGS_ROW_ID, **_from_environment())
        db.session.add(row)
    for name, value in cleaned.items():
        setattr(row, name, value)
    db.session.flush()
    record_audit(actor, "clinic_settings.updated", "clinic_settings", SETTINGS_ROW_ID,
                 detail=", ".join(sorted(cleaned)) or None)
    _cache().pop(_CACHE_KEY, None)
    return clinic_profile()
