"""Builders for intake tests: answers with sensible defaults, and a flagged client."""

from datetime import date

from clinic.intake import clearances, services
from clinic.models import Client, User

CLEAR = {"consent": True, "pain_level": 3, "conditions": ["osteoarthritis"]}
FLAGGED = {**CLEAR, "pain_level": 9}
# The JSON body of a clear intake, as the API takes it.
CLEAR_JSON = {
    "consent": True, "pain_level": 3, "conditions": ["osteoarthritis"], "recent_surgery": False,
    "fever_or_chills": False, "redness_or_warmth": False, "sudden_swelling": False,
    "loss_of_mobility": False, "chronic_pain_unimproved": False,
}


def intake_answers(**kw) -> dict:
    return {**CLEAR, **kw}


def flag_client(actor: User, client: Client, **kw):
    """Submit a flagged intake (severe pain unless told otherwise) for `client`."""
    return services.submit_intake(actor, client.id, {**FLAGGED, **kw})


def clear_client(actor: User, client: Client, **kw):
    return services.submit_intake(actor, client.id, {**CLEAR, **kw})


def grant(actor: User, client: Client, **kw):
    kw.setdefault("physician_name", "Dr. Ana Ruiz")
    kw.setdefault("cleared_on", date(2027, 3, 1))
    return clearances.grant_clearance(actor, client.id, **kw)
