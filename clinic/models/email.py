"""An outbox of emails, so a failing mail server never breaks a booking."""

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clinic.extensions import db
from clinic.models.types import UTCDateTime, utcnow


class OutboundEmail(db.Model):
    __tablename__ = "outbound_emails"
    __table_args__ = (
        # One reminder per appointment, however many senders run at once.
        UniqueConstraint("kind", "appointment_id", "dedupe_key", name="one_per_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    appointment_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("appointments.id", ondelete="SET NULL"), index=True
    )
    # Distinguishes repeat sends of one kind for one appointment (e.g. each reschedule).
    dedupe_key: Mapped[str] = mapped_column(String(64), default="")
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    attachment_name: Mapped[Optional[str]] = mapped_column(String(100))
    attachment: Mapped[Optional[bytes]] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[Optional[str]] = mapped_column(String(500))
    # A failed email waits until then before it is tried again (growing with each attempt).
    next_attempt_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # A sender leases a row before talking to SMTP, so two senders never send it twice; a
    # lease that runs out (its sender died) lets another sender retry the row.
    claimed_by: Mapped[Optional[str]] = mapped_column(String(64))
    claimed_until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<OutboundEmail {self.id} {self.kind} to={self.recipient}>"
