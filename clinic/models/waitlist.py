"""The waitlist (clients waiting for a time to free up), the offers it sends, and recalls."""

from datetime import date, datetime, time
from typing import Optional

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.extensions import db
from clinic.models.client import Client
from clinic.models.service import Service
from clinic.models.therapist import Therapist
from clinic.models.types import UTCDateTime, utcnow


class WaitlistEntry(db.Model):
    """A client's wish: this service, with this therapist (or any), on these days and hours.

    Kept after it ends (booked through, left, or past its last day) for the owner's reports.
    """

    __tablename__ = "waitlist_entries"
    __table_args__ = (
        CheckConstraint("last_day >= first_day", name="days_in_order"),
        CheckConstraint("end_reason IN ('booked', 'left')", name="end_reason_known"),
        Index("ix_waitlist_entries_open", "ended_at", "last_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    therapist_id: Mapped[Optional[int]] = mapped_column(ForeignKey("therapists.id"))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    earliest: Mapped[Optional[time]] = mapped_column(Time)
    latest: Mapped[Optional[time]] = mapped_column(Time)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    ended_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    end_reason: Mapped[Optional[str]] = mapped_column(String(16))

    client: Mapped[Client] = relationship()
    service: Mapped[Service] = relationship()
    therapist: Mapped[Optional[Therapist]] = relationship()

    def __repr__(self) -> str:
        return f"<WaitlistEntry {self.id} client={self.client_id} {self.first_day}..{self.last_day}>"


class WaitlistOffer(db.Model):
    """One freed start offered to one entry. The email's token is stored only as a hash.

    A start freed again later (booked through the waitlist, then cancelled) is a new offer.

    `send_after` holds back everyone's offer but the care-plan clients' during their head
    start; `offered_at` is set when the email is queued (and the token made).
    """

    __tablename__ = "waitlist_offers"
    __table_args__ = (Index("ix_waitlist_offers_pending", "offered_at", "send_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("waitlist_entries.id"), index=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    freed_appointment_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("appointments.id", ondelete="SET NULL")
    )
    head_start: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    send_after: Mapped[datetime] = mapped_column(UTCDateTime)
    offered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # Set when the offer will never be sent (the time went, or the entry ended, first).
    dropped_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    token_hash: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    claimed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    appointment_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("appointments.id", ondelete="SET NULL")
    )

    entry: Mapped[WaitlistEntry] = relationship()
    therapist: Mapped[Therapist] = relationship()

    def __repr__(self) -> str:
        return f"<WaitlistOffer {self.id} entry={self.entry_id} {self.starts_at}>"


class RecallNotice(db.Model):
    """One friendly 'time to book your maintenance session' email per client and expected date."""

    __tablename__ = "recall_notices"
    __table_args__ = (UniqueConstraint("client_id", "expected_on", name="one_per_client_and_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    care_plan_id: Mapped[Optional[int]] = mapped_column(ForeignKey("care_plans.id", ondelete="SET NULL"))
    expected_on: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    client: Mapped[Client] = relationship()

    def __repr__(self) -> str:
        return f"<RecallNotice client={self.client_id} {self.expected_on}>"
