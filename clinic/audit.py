"""The audit trail for clinical records: who read or wrote what, and when."""

from clinic.extensions import db
from clinic.models import AuditEntry, User


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
