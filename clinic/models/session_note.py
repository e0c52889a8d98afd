"""Signed session notes: append-only, corrected by amendments."""

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
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
    """One technique used in a session: a row each, so reports can aggregate in SQL.

    Each row also carries copies of its note's figures for the pain report, which then reads
    this table alone (by its covering indexes) instead of joining the notes and their
    appointments: `session_start` = the appointment's starts_at, `pain_change` =
    pain_after - pain_before. The copies never go stale: a signed note is append-only (its
    pains are never edited), and a note exists only on an appointment that has started and
    is completed, whose start no longer changes (reschedule, cancel and no-show all refuse an
    appointment that is not booked: `_require_booked` in clinic/scheduling/services.py).
    Build rows with `copied_values` so the rule lives in one place.
    """

    __tablename__ = "note_techniques"
    __table_args__ = (
        # Both cover the pain report's columns, so it never reads the table's rows.
        # A short range: one range scan by start (both databases).
        Index("ix_note_techniques_session_start", "session_start", "technique", "pain_change"),
        # A long range: SQLite (once ANALYZEd) skip-scans this one a technique at a time and
        # groups without sorting (year 125 -> 50 ms on the bench data); PostgreSQL scans the
        # table in parallel for long ranges either way.
        Index("ix_note_techniques_technique_session_start", "technique", "session_start", "pain_change"),
    )

    note_id: Mapped[int] = mapped_column(ForeignKey("session_notes.id", ondelete="CASCADE"), primary_key=True)
    technique: Mapped[str] = mapped_column(String(32), primary_key=True)
    session_start: Mapped[datetime] = mapped_column(UTCDateTime)
    pain_change: Mapped[int]

    @staticmethod
    def copied_values(technique: str, *, session_start: datetime, pain_before: int, pain_after: int) -> dict:
        """The column values of a technique row (without note_id) for a note with these pains
        on an appointment starting at `session_start`."""
        return {
            "technique": technique,
            "session_start": session_start,
            "pain_change": pain_after - pain_before,
        }

    @classmethod
    def for_note(
        cls, codes, *, session_start: datetime, pain_before: int, pain_after: int
    ) -> list["NoteTechnique"]:
        """One row per distinct code (first occurrence order), to assign to note.techniques."""
        return [
            cls(**cls.copied_values(
                code, session_start=session_start, pain_before=pain_before, pain_after=pain_after
            ))
            for code in dict.fromkeys(codes)
        ]


class NoteAmendment(db.Model):
    __tablename__ = "note_amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("session_notes.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    text: Mapped[str] = mapped_column(Text)

    author: Mapped[User] = relationship()
