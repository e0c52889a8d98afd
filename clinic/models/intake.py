"""Health screening: intake forms, pre-visit check-ins and physician clearances."""

from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.extensions import db
from clinic.models.client import Client
from clinic.models.types import UTCDateTime, utcnow
from clinic.models.user import User


class Intake(db.Model):
    """A health history as the client gave it; the latest one is the one that counts."""

    __tablename__ = "intakes"
    __table_args__ = (
        CheckConstraint("pain_level BETWEEN 0 AND 10", name="pain_level_range"),
        CheckConstraint("consent", name="consent_given"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    submitted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    consent: Mapped[bool]
    pain_level: Mapped[int]
    conditions: Mapped[list[str]] = mapped_column(JSON, default=list)
    recent_surgery: Mapped[bool] = mapped_column(default=False)
    surgery_date: Mapped[Optional[date]] = mapped_column(Date)
    fever_or_chills: Mapped[bool] = mapped_column(default=False)
    redness_or_warmth: Mapped[bool] = mapped_column(default=False)
    sudden_swelling: Mapped[bool] = mapped_column(default=False)
    loss_of_mobility: Mapped[bool] = mapped_column(default=False)
    chronic_pain_unimproved: Mapped[bool] = mapped_column(default=False)
    medications: Mapped[Optional[str]] = mapped_column(Text)
    notes: Mapped[Optional[str]] = mapped_column(Text)
    # Red flags as screened at submission: [{"code": ..., "reason": ...}].
    flags: Mapped[list[dict]] = mapped_column(JSON, default=list)

    client: Mapped[Client] = relationship()
    submitted_by: Mapped[Optional[User]] = relationship()

    def __repr__(self) -> str:
        return f"<Intake {self.id} client={self.client_id} flags={len(self.flags or [])}>"


class CheckIn(db.Model):
    """The short re-screen before a visit ("since your last visit ...")."""

    __tablename__ = "check_ins"
    __table_args__ = (CheckConstraint("pain_level BETWEEN 0 AND 10", name="pain_level_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    appointment_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("appointments.id", ondelete="SET NULL"), index=True
    )
    submitted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fever_or_chills: Mapped[bool] = mapped_column(default=False)
    redness_or_warmth: Mapped[bool] = mapped_column(default=False)
    new_swelling: Mapped[bool] = mapped_column(default=False)
    recent_surgery: Mapped[bool] = mapped_column(default=False)
    surgery_date: Mapped[Optional[date]] = mapped_column(Date)
    pain_level: Mapped[int]
    flags: Mapped[list[dict]] = mapped_column(JSON, default=list)

    client: Mapped[Client] = relationship()

    def __repr__(self) -> str:
        return f"<CheckIn {self.id} client={self.client_id}>"


class Clearance(db.Model):
    """A physician's clearance for treatment, with who recorded it and on what evidence."""

    __tablename__ = "clearances"
    __table_args__ = (
        CheckConstraint("valid_until IS NULL OR valid_until >= cleared_on", name="valid_after_cleared"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    physician_name: Mapped[str] = mapped_column(String(200))
    cleared_on: Mapped[date] = mapped_column(Date)
    restrictions: Mapped[Optional[str]] = mapped_column(Text)
    valid_until: Mapped[Optional[date]] = mapped_column(Date)
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    evidence: Mapped[Optional[str]] = mapped_column(Text)
    # The physician's letter lives outside the web root; only its stored name is kept here.
    letter_filename: Mapped[Optional[str]] = mapped_column(String(255))
    letter_stored_name: Mapped[Optional[str]] = mapped_column(String(255))
    letter_content_type: Mapped[Optional[str]] = mapped_column(String(100))

    client: Mapped[Client] = relationship()
    granted_by: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Clearance {self.id} client={self.client_id} until={self.valid_until}>"


class ClearanceLetter(db.Model):
    """A physician's letter the client uploaded themself, waiting for staff to review it.

    Staff who record the clearance from it attach it (`clearance_id`); until then it is
    "received, waiting for review" in the clearance queue.
    """

    __tablename__ = "clearance_letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    clearance_id: Mapped[Optional[int]] = mapped_column(ForeignKey("clearances.id"))

    client: Mapped[Client] = relationship()

    @property
    def reviewed(self) -> bool:
        return self.clearance_id is not None

    def __repr__(self) -> str:
        return f"<ClearanceLetter {self.id} client={self.client_id}>"
