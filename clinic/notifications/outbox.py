"""The outbox table's operations: queue a row, claim it, mark it sent or failed.

Rows are queued inside the transaction that changed the appointment, so an email exists
exactly when the change was committed. Senders claim a row with a conditional UPDATE
before talking to SMTP: on PostgreSQL a second sender's UPDATE waits for the first to
commit and then matches nothing; on SQLite writers are serialised (BEGIN IMMEDIATE).
"""

import secrets
from datetime import datetime, timedelta

from flask import g, has_request_context
from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from clinic.extensions import db
from clinic.models import Appointment, OutboundEmail
from clinic.notifications.messages import Message

# A claim older than this is presumed to belong to a sender that died; the row is retried.
CLAIM_TIMEOUT = timedelta(minutes=15)
# After this many failed attempts a row stays in the outbox for the owner to see, unsent.
MAX_ATTEMPTS = 20


def enqueue(
    kind: str, appointment: Appointment | None, message: Message, *, dedupe_key: str = "",
    recipient: str | None = None,
) -> bool:
    """Add an email to the caller's transaction; False if this (kind, appointment, key) exists.

    An email about an account rather than a visit (a password reset) has no appointment and
    names its `recipient`.

    INSERT ... ON CONFLICT DO NOTHING, so two transactions queuing the same reminder at once
    end with one row and neither fails.
    """
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(OutboundEmail)
        .values(
            kind=kind,
            appointment_id=appointment.id if appointment else None,
            dedupe_key=dedupe_key,
            recipient=recipient or appointment.client.email,
            subject=message.subject[:200],
            body=message.body,
            attachment_name=message.attachment_name,
            attachment=message.attachment,
        )
        .on_conflict_do_nothing(index_elements=["kind", "appointment_id", "dedupe_key"])
    )
    inserted = db.session.execute(statement).rowcount == 1
    if inserted and appointment is not None and has_request_context():
        # Remembered so the request can try to deliver it once its transaction commits.
        g.setdefault("outbox_uncommitted", set()).add(appointment.id)
    return inserted


def unique_suffix() -> str:
    """Makes a dedupe key unique where every event deserves its own email (each reschedule)."""
    return secrets.token_hex(4)


def discard_unsent(appointment_id: int, kind: str) -> None:
    """Drop queued, unsent emails of one kind (a reminder for a time that no longer holds)."""
    db.session.execute(
        delete(OutboundEmail).where(
            OutboundEmail.appointment_id == appointment_id,
            OutboundEmail.kind == kind,
            OutboundEmail.sent_at.is_(None),
            OutboundEmail.claimed_at.is_(None),
        )
    )


def claimable_ids(now: datetime, limit: int, appointment_ids=None) -> list[int]:
    query = (
        select(OutboundEmail.id)
        .where(
            OutboundEmail.sent_at.is_(None),
            OutboundEmail.attempts < MAX_ATTEMPTS,
            or_(OutboundEmail.claimed_at.is_(None), OutboundEmail.claimed_at < now - CLAIM_TIMEOUT),
        )
        .order_by(OutboundEmail.id)
        .limit(limit)
    )
    if appointment_ids is not None:
        query = query.where(OutboundEmail.appointment_id.in_(appointment_ids))
    return list(db.session.scalars(query))


def claim(email_id: int, now: datetime) -> bool:
    """Take one row for this sender; False when someone else has it or it is sent."""
    result = db.session.execute(
        update(OutboundEmail)
        .where(
            OutboundEmail.id == email_id,
            OutboundEmail.sent_at.is_(None),
            or_(OutboundEmail.claimed_at.is_(None), OutboundEmail.claimed_at < now - CLAIM_TIMEOUT),
        )
        .values(claimed_at=now, attempts=OutboundEmail.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def mark_sent(email_id: int, now: datetime) -> None:
    db.session.execute(
        update(OutboundEmail)
        .where(OutboundEmail.id == email_id)
        .values(sent_at=now, claimed_at=None, last_error=None)
        .execution_options(synchronize_session=False)
    )


def mark_failed(email_id: int, error: str) -> None:
    """Record the error and release the claim, so the next run retries the row."""
    db.session.execute(
        update(OutboundEmail)
        .where(OutboundEmail.id == email_id)
        .values(claimed_at=None, last_error=error[:500])
        .execution_options(synchronize_session=False)
    )
