"""Signed session notes: append-only, corrected by amendments."""

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.extensions import db
from clinic.models.appointment import Appointment
from clinic.models.types import UTCDateTime, utcnow
from clinic.models.user import User


class SessionNote(db.Model):
    __tablename__ = "session_notes"
    __table_args__ = (
        CheckConstraint("pain_before BETWEEN 0 AND 10", name="pain_before_range"),
        CheckConstraint("pain_after BETWEEN 0 AND 10", name="pain_after_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"), unique=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    pain_before: Mapped[int]
    pain_after: Mapped[int]
    subjective: Mapped[Optional[str]] = mapped_column(Text)
    objective: Mapped[Optional[str]] = mapped_column(Text)
    assessment: Mapped[Optional[str]] = mapped_column(Text)
    plan: Mapped[Optional[str]] = mapped_column(Text)
    adverse_reaction: Mapped[Optional[str]] = mapped_column(Text)

    appointment: Mapped[Appointment] = relationship()
    author: Mapped[User] = relationship()
    techniques: Mapped[list["NoteTechnique"]] = relationship(
        cascade="all, delete-orphan", order_by="NoteTechnique.technique"
    )
    amendments: Mapped[list["NoteAmendment"]] = relationship(
        cascade="all, delete-orphan", order_by="NoteAmendment.created_at"
    )

    @property
    def technique_codes(self) -> list[str]:
        return [t.technique for t in self.techniques]

    def __repr__(self) -> str:
        return f"<SessionNote {self.id} appointment={self.appointment_id}>"


class NoteTechnique(db.Model):
    """One technique used in a session: a row each, so reports can aggregate in SQL."""

    __tablename__ = "note_techniques"

    note_id: Mapped[int] = mapped_column(ForeignKey("session_notes.id", ondelete="CASCADE"), primary_key=True)
    technique: Mapped[str] = mapped_column(String(32), primary_key=True)


class NoteAmendment(db.Model):
    __tablename__ = "note_amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("session_notes.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    text: Mapped[str] = mapped_column(Text)

    author: Mapped[User] = relationship()
