"""The audit trail for clinical records: who read or wrote what, and when."""

from clinic.extensions import db
from clinic.models import AuditEntry, User

# Every action the code records, in the owner's words (a test keeps this in step with the
# record_audit calls). Entries from before a label existed show their code instead.
ACTION_LABELS = {
    "intake.submitted": "Submitted a health intake",
    "intake.viewed": "Read a health intake",
    "intake.listed": "Read the list of intakes",
    "check_in.submitted": "Submitted a pre-visit check-in",
    "check_in.listed": "Read a visit's check-ins",
    "clearance.granted": "Recorded a physician's clearance",
    "clearance.listed": "Read the list of clearances",
    "clearance.letter_viewed": "Opened a physician's letter",
    "clearance_queue.viewed": "Opened the clearance queue",
    "clearance_letter.uploaded": "Sent a physician's letter for review",
    "clearance_letter.viewed": "Opened a letter a client sent",
    "note.signed": "Signed a session note",
    "note.viewed": "Read a session note",
    "note.amended": "Amended a session note",
    "progress.viewed": "Read the pain trend",
    "care_plan.created": "Started a care plan",
    "care_plan.extended": "Extended a care plan's weekly phase",
    "care_plan.ended": "Ended a care plan early",
    "care_plan.rest_cancelled": "Cancelled the rest of a care plan",
    "staff.enabled": "Enabled a staff account",
    "staff.disabled": "Disabled a staff account",
    "clinic_settings.updated": "Changed the clinic's settings",
}

SUBJECT_KINDS = {
    "session_note": "session note",
    "care_plan": "care plan",
    "check_in": "check-in",
    "clearance_letter": "physician's letter",
    "user": "account",
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action) or action.replace("_", " ")


def subject_kind(subject_type: str) -> str:
    return SUBJECT_KINDS.get(subject_type) or subject_type.replace("_", " ")


def record_audit(
    actor: User | None,
    action: str,
    subject_type: str,
    subject_id: int | None,
    *,
    client_id: int | None = None,
    detail: str | None = None,
) -> AuditEntry:
    """Add an entry to the caller's transaction, so it commits or rolls back with the change."""
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        client_id=client_id,
        detail=detail[:1000] if detail else None,
    )
    db.session.add(entry)
    return entry
