"""The audit trail for clinical records: who read or wrote what, and when.

Entries are hash-chained as they are flushed (clinic/models/audit.py); verify_chain walks
the chain and names the first entry that does not match.
"""

from dataclasses import dataclass

from sqlalchemy import select

from clinic.extensions import db
from clinic.models import AuditEntry, User
from clinic.models.audit import GENESIS_HASH, entry_hash

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
    "access.refused": "Was refused a record that is not theirs to see",
    "login.succeeded": "Logged in",
    "login.failed": "Failed to log in",
    "password.changed": "Changed their password",
    "password.reset": "Reset a password by email",
    "two_factor.enabled": "Turned two-step sign-in on",
    "two_factor.disabled": "Turned two-step sign-in off",
    "two_factor.recovery_codes_renewed": "Got new recovery codes",
    "staff.enabled": "Enabled a staff account",
    "client.viewed": "Read a client's record",
    "care_plan.viewed": "Read a care plan",
    "calendar_feed.read": "Fetched a calendar feed",
    "record.exported": "Exported a client's whole record",
    "account.closed": "Closed a client's online account",
    "audit.read": "Read the audit log through the API",
    "audit.exported": "Downloaded the audit log",
    "staff.disabled": "Disabled a staff account",
    "clinic_settings.updated": "Changed the clinic's settings",
}

SUBJECT_KINDS = {
    "session_note": "session note",
    "care_plan": "care plan",
    "check_in": "check-in",
    "clearance_letter": "physician's letter",
    "user": "account",
    "audit_log": "audit log",
    "therapist": "calendar of therapist",
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
    """Add an entry to the caller's transaction, so it commits or rolls back with the change.

    Its place in the chain and its hash are given when it is flushed, under the chain's lock.
    """
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


@dataclass(frozen=True)
class ChainCheck:
    """The outcome of walking the audit chain: how many entries, and the first that is wrong."""

    entries: int
    first_bad_id: int | None = None
    first_bad_seq: int | None = None
    problem: str | None = None
    last_hash: str | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None

    def describe(self) -> str:
        if self.intact:
            if not self.entries:
                return "Audit log intact: 0 entries."
            return f"Audit log intact: {self.entries} entries (last hash {self.last_hash})."
        where = f"entry #{self.first_bad_id} (sequence {self.first_bad_seq})"
        return f"Audit log broken at {where}: {self.problem}"


def verify_chain() -> ChainCheck:
    """Recompute every entry's hash in chain order; stop at the first that does not match.

    Reads the log in batches, so it works on any size of log in constant memory.
    """
    columns = (
        AuditEntry.id, AuditEntry.seq, AuditEntry.created_at, AuditEntry.actor_id, AuditEntry.action,
        AuditEntry.subject_type, AuditEntry.subject_id, AuditEntry.client_id, AuditEntry.detail,
        AuditEntry.hash,
    )
    rows = db.session.execute(
        select(*columns).order_by(AuditEntry.seq, AuditEntry.id).execution_options(yield_per=1000)
    )
    previous, count = GENESIS_HASH, 0
    for row in rows:
        count += 1
        problem = None
        if row.seq != count:
            problem = (
                f"expected sequence {count}: an entry before it is missing"
                if row.seq is not None and row.seq > count else f"expected sequence {count}"
            )
        else:
            expected = entry_hash(
                previous, seq=row.seq, created_at=row.created_at, actor_id=row.actor_id,
                action=row.action, subject_type=row.subject_type, subject_id=row.subject_id,
                client_id=row.client_id, detail=row.detail,
            )
            if row.hash != expected:
                problem = "its content or the entry before it was changed (the hash does not match)"
        if problem:
            rows.close()
            return ChainCheck(count, row.id, row.seq, problem)
        previous = row.hash
    return ChainCheck(count, last_hash=previous if count else None)
