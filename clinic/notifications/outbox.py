"""The outbox table's operations: queue a row, lease a batch, mark each sent or failed.

Rows are queued inside the transaction that changed the appointment, so an email exists
exactly when the change was committed. Nothing here talks to a mail server: mail workers
(and `send-reminders`) lease rows in a short committed transaction, deliver them, and mark
them. One leasing statement serves both databases: on PostgreSQL its `FOR UPDATE SKIP
LOCKED` lets concurrent workers take different rows without waiting for each other; on
SQLite (which ignores that clause) every transaction holds the write lock from BEGIN
IMMEDIATE, so leases are taken one worker at a time. A worker that dies keeps its rows only
until the lease runs out; then another worker retries them.
"""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from clinic.extensions import db
from clinic.models import Appointment, Client, OutboundEmail
from clinic.notifications.messages import Message

# After this many failed attempts a row stays in the outbox for the owner to see, unsent.
MAX_ATTEMPTS = 20
# A failed row waits FIRST_RETRY, then twice as long after each further failure, at most
# LONGEST_RETRY: 20 attempts span about a day.
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=2)


def enqueue(
    kind: str, appointment: Appointment | None, message: Message, *, dedupe_key: str = "",
    recipient: str | None = None, client: Client | None = None,
) -> bool:
    """Add an email to the caller's transaction; False if this (kind, appointment, key) exists.

    An email about an account rather than a visit (a password reset) has no appointment and
    names its `recipient`; one about the client (held for clearance, cleared) passes `client`.

    INSERT ... ON CONFLICT DO NOTHING, so two transactions queuing the same reminder at once
    end with one row and neither fails. A mail worker delivers it once the caller commits.
    An email about the client rather than a visit (held for clearance, cleared) passes
    `client` and no appointment; such rows are not deduplicated (NULLs never clash).
    """
    recipient = recipient or (client.email if client is not None else appointment.client.email)
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(OutboundEmail)
        .values(
            kind=kind,
            appointment_id=appointment.id if appointment is not None else None,
            dedupe_key=dedupe_key,
            recipient=recipient,
            subject=message.subject[:200],
            body=message.body,
            attachment_name=message.attachment_name,
            attachment=message.attachment,
        )
        .on_conflict_do_nothing(index_elements=["kind", "appointment_id", "dedupe_key"])
    )
    return db.session.execute(statement).rowcount == 1


def unique_suffix() -> str:
    """Makes a dedupe key unique where every event deserves its own email (each reschedule)."""
    return secrets.token_hex(4)


def discard_unsent(appointment_id: int, kind: str) -> None:
    """Drop queued, unsent emails of one kind (a reminder for a time that no longer holds).

    A row a worker holds right now is left alone: it may be on the wire already.
    """
    db.session.execute(
        delete(OutboundEmail).where(
            OutboundEmail.appointment_id == appointment_id,
            OutboundEmail.kind == kind,
            OutboundEmail.sent_at.is_(None),
            OutboundEmail.claimed_by.is_(None),
        )
    )


def retry_delay(attempts: int) -> timedelta:
    """How long a row waits after its `attempts`-th failure."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def _claimable(now: datetime, *, due_only: bool):
    conditions = [
        OutboundEmail.sent_at.is_(None),
        OutboundEmail.attempts < MAX_ATTEMPTS,
        or_(OutboundEmail.claimed_until.is_(None), OutboundEmail.claimed_until < now),
    ]
    if due_only:
        conditions.append(or_(OutboundEmail.next_attempt_at.is_(None), OutboundEmail.next_attempt_at <= now))
    return and_(*conditions)


def lease(worker: str, now: datetime, until: datetime, limit: int, *, due_only: bool = True) -> list[int]:
    """Take up to `limit` unsent rows for `worker` until `until`; the caller commits at once.

    `due_only=False` also takes failed rows still waiting for their retry time (an explicit
    run such as `send-reminders` retries everything pending).
    """
    candidates = (
        select(OutboundEmail.id)
        .where(_claimable(now, due_only=due_only))
        .order_by(OutboundEmail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    statement = (
        update(OutboundEmail)
        .where(OutboundEmail.id.in_(candidates), _claimable(now, due_only=due_only))
        .values(claimed_by=worker, claimed_until=until, attempts=OutboundEmail.attempts + 1)
        .returning(OutboundEmail.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(db.session.scalars(statement))


def _held_by(email_id: int, worker: str):
    return and_(OutboundEmail.id == email_id, OutboundEmail.claimed_by == worker)


def mark_sent(email_id: int, worker: str, now: datetime) -> None:
    db.session.execute(
        update(OutboundEmail)
        .where(_held_by(email_id, worker))
        .values(sent_at=now, claimed_by=None, claimed_until=None, next_attempt_at=None, last_error=None)
        .execution_options(synchronize_session=False)
    )


def mark_failed(email_id: int, worker: str, error: str, retry_at: datetime) -> None:
    """Record the error and release the lease; the row is tried again from `retry_at`."""
    db.session.execute(
        update(OutboundEmail)
        .where(_held_by(email_id, worker))
        .values(claimed_by=None, claimed_until=None, last_error=error[:500], next_attempt_at=retry_at)
        .execution_options(synchronize_session=False)
    )


def release(email_ids: list[int], worker: str) -> None:
    """Hand back rows this worker leased but did not try (stopping, or its lease ran short);
    the attempt they were charged is refunded."""
    if not email_ids:
        return
    db.session.execute(
        update(OutboundEmail)
        .where(OutboundEmail.id.in_(email_ids), OutboundEmail.claimed_by == worker)
        .values(claimed_by=None, claimed_until=None, attempts=OutboundEmail.attempts - 1)
        .execution_options(synchronize_session=False)
    )
