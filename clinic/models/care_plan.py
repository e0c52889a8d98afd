"""A course of care: weekly sessions, then monthly maintenance."""

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.extensions import db
from clinic.models.client import Client
from clinic.models.service import Service
from clinic.models.therapist import Therapist
from clinic.models.types import UTCDateTime, utcnow


class CarePlan(db.Model):
    __tablename__ = "care_plans"
    __table_args__ = (
        CheckConstraint("weekly_sessions >= 0", name="weekly_not_negative"),
        CheckConstraint("maintenance_sessions >= 0", name="maintenance_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    weekly_sessions: Mapped[int]
    maintenance_sessions: Mapped[int]
    first_start: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    ended_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    client: Mapped[Client] = relationship()
    therapist: Mapped[Therapist] = relationship()
    service: Mapped[Service] = relationship()
    appointments: Mapped[list["Appointment"]] = relationship(  # noqa: F821
        order_by="Appointment.starts_at", viewonly=True
    )

    def __repr__(self) -> str:
        return f"<CarePlan {self.id} client={self.client_id}>"
