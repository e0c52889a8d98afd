"""Therapists, their weekly working hours and their time off."""

from datetime import datetime, time
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, SmallInteger, String, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.extensions import db
from clinic.models.types import UTCDateTime, utcnow
from clinic.models.user import User


class Therapist(db.Model):
    """A therapist shares its id with its user account, so either id finds the other."""

    __tablename__ = "therapists"

    id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    calendar_token: Mapped[str] = mapped_column(String(64), unique=True)
    bio: Mapped[Optional[str]] = mapped_column(String(500))

    user: Mapped[User] = relationship(back_populates="therapist")
    working_hours: Mapped[list["WorkingHours"]] = relationship(
        back_populates="therapist",
        cascade="all, delete-orphan",
        order_by="(WorkingHours.weekday, WorkingHours.starts_at)",
    )

    @property
    def name(self) -> str:
        return self.user.name

    def __repr__(self) -> str:
        return f"<Therapist {self.id}>"


class WorkingHours(db.Model):
    """One interval of a weekly schedule, in clinic wall-clock time (Monday = 0)."""

    __tablename__ = "working_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_valid"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(SmallInteger)
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)

    therapist: Mapped[Therapist] = relationship(back_populates="working_hours")

    def __repr__(self) -> str:
        return f"<WorkingHours t={self.therapist_id} {self.weekday} {self.starts_at}-{self.ends_at}>"


class TimeOff(db.Model):
    __tablename__ = "time_off"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[Optional[str]] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    therapist: Mapped[Therapist] = relationship()

    def __repr__(self) -> str:
        return f"<TimeOff t={self.therapist_id} {self.starts_at}-{self.ends_at}>"
