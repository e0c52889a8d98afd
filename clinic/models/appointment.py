"""Appointments on a therapist's calendar."""

from datetime import datetime
from enum import StrEnum
from typing import Optional

from sqlalchemy import DDL, CheckConstraint, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.extensions import db
from clinic.models.client import Client
from clinic.models.service import Service
from clinic.models.therapist import Therapist
from clinic.models.types import UTCDateTime, utcnow


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class Appointment(db.Model):
    __tablename__ = "appointments"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
        CheckConstraint("status IN ('booked', 'completed', 'cancelled', 'no_show')", name="status_known"),
        Index("ix_appointments_therapist_starts", "therapist_id", "starts_at"),
        Index("ix_appointments_client_starts", "client_id", "starts_at"),
        Index("ix_appointments_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    care_plan_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("care_plans.id", ondelete="SET NULL"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The service's buffer and price at booking time, so a later price-list edit neither moves
    # old gaps nor rewrites past revenue.
    buffer_minutes: Mapped[int] = mapped_column(default=0)
    price_cents: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default=AppointmentStatus.BOOKED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    booked_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    cancelled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[Optional[str]] = mapped_column(String(500))
    # Set when the cancellation came from the client inside the notice period (staff only).
    late_cancellation: Mapped[bool] = mapped_column(default=False)
    reminder_sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    client: Mapped[Client] = relationship()
    therapist: Mapped[Therapist] = relationship()
    service: Mapped[Service] = relationship()

    @property
    def is_cancelled(self) -> bool:
        return self.status == AppointmentStatus.CANCELLED

    def __repr__(self) -> str:
        return f"<Appointment {self.id} t={self.therapist_id} {self.starts_at} {self.status}>"


# The database's own guarantee against double booking (PostgreSQL only; SQLite serialises
# writers instead). Alembic cannot autogenerate this, so the migration writes it by hand and
# create_all() (used by the tests) adds it here.
NO_OVERLAP_CONSTRAINT = "appointments_no_overlap"
event.listen(
    Appointment.__table__,
    "after_create",
    DDL(
        "ALTER TABLE appointments ADD CONSTRAINT appointments_no_overlap "
        "EXCLUDE USING gist (therapist_id WITH =, tstzrange(starts_at, ends_at) WITH &&) "
        "WHERE (status <> 'cancelled')"
    ).execute_if(dialect="postgresql"),
)
event.listen(
    Appointment.__table__,
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS btree_gist").execute_if(dialect="postgresql"),
)
