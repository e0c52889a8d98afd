"""The waitlist's emails (offers and recalls): rendered and queued in the caller's
transaction, with absolute links that work from cron as from a request."""

from flask import current_app, has_request_context, url_for

from clinic.clinic_settings.services import clinic_profile
from clinic.notifications import outbox
from clinic.notifications.messages import Message


def link(endpoint: str, **values) -> str:
    """An absolute link for an email: from the request when there is one, else CLINIC_URL."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    base = (current_app.config.get("CLINIC_URL") or "http://127.0.0.1:5000").rstrip("/")
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)


def queue_email(kind: str, recipient: str, subject: str, body: str, dedupe_key: str) -> None:
    """Queue an email that concerns no one appointment of its recipient, through the one outbox
    entry point, in the caller's transaction; delivery is the mail worker's business."""
    outbox.enqueue(kind, None, Message(subject, body), dedupe_key=dedupe_key[:64], recipient=recipient)


def render(template: str, **context) -> str:
    return current_app.jinja_env.get_template(template).render(
        clinic_name=clinic_profile().name, zone=current_app.config["CLINIC_TIMEZONE"], **context
    )
