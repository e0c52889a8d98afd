"""Who read or wrote a clinical record, and when: an append-only, hash-chained log.

Each entry's `hash` is the SHA-256 of its own content and the previous entry's hash
(`entry_hash`), in `seq` order, so an entry changed, removed or slipped in afterwards breaks
the chain from there on (`flask audit-verify` finds it). `seq` and `hash` are filled in when
the entry is flushed, under a lock that serialises appends (clinic/audit.py).
"""

import hashlib
import json
from datetime import UTC, datetime
from typing import Optional

from sqlalchemy import BigInteger, ForeignKey, Index, String, event, inspect, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from clinic.extensions import db
from clinic.models.types import UTCDateTime, utcnow
from clinic.models.user import User

# The "previous hash" of the first entry.
GENESIS_HASH = "0" * 64


def entry_hash(
    previous_hash: str,
    *,
    seq: int,
    created_at: datetime,
    actor_id: int | None,
    action: str,
    subject_type: str,
    subject_id: int | None,
    client_id: int | None,
    detail: str | None,
) -> str:
    """SHA-256 (hex) over an entry's content and the hash before it, as canonical JSON.

    The instant is written in UTC to the microsecond, which both databases store exactly.
    The migration that chained the existing entries keeps a frozen copy of this: change both
    or neither.
    """
    at = created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    content = [seq, at, actor_id, action, subject_type, subject_id, client_id, detail, previous_hash]
    canonical = json.dumps(content, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The entry's place in the chain: 1, 2, 3... without gaps.
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[Optional[int]]
    client_id: Mapped[Optional[int]] = mapped_column(ForeignKey("clients.id"), index=True)
    detail: Mapped[Optional[str]] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    hash: Mapped[str] = mapped_column(String(64))

    actor: Mapped[Optional[User]] = relationship()

    def computed_hash(self, previous_hash: str) -> str:
        return entry_hash(
            previous_hash,
            seq=self.seq,
            created_at=self.created_at,
            actor_id=self.actor_id,
            action=self.action,
            subject_type=self.subject_type,
            subject_id=self.subject_id,
            client_id=self.client_id,
            detail=self.detail,
        )

    def __repr__(self) -> str:
        return f"<AuditEntry {self.seq} {self.action} {self.subject_type}:{self.subject_id}>"


# Appends take this transaction-level advisory lock on PostgreSQL, so two writers never read
# the same chain head; SQLite writers already hold the database's write lock (BEGIN IMMEDIATE).
AUDIT_CHAIN_LOCK = (3, 0)


@event.listens_for(Session, "before_flush")
def chain_new_entries(session: Session, _flush_context, _instances) -> None:
    """Give the entries about to be inserted their `seq` and `hash`, in the order they were added.

    Runs in every flush, whoever built the entries (record_audit or a test), so no entry can
    reach the table unchained. The lock is held until the transaction ends.
    """
    new = [obj for obj in session.new if isinstance(obj, AuditEntry)]
    if not new:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:a, :b)"),
                           {"a": AUDIT_CHAIN_LOCK[0], "b": AUDIT_CHAIN_LOCK[1]})
    head = connection.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    seq, previous = (head[0], head[1]) if head else (0, GENESIS_HASH)
    for entry in sorted(new, key=lambda obj: inspect(obj).insert_order):
        seq += 1
        entry.seq = seq
        if entry.created_at is None:
            entry.created_at = utcnow()
        entry.hash = previous = entry.computed_hash(previous)
