"""Clients of the clinic; a walk-in client may have no login of their own."""

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.extensions import db
from clinic.models.types import UTCDateTime, utcnow
from clinic.models.user import User


class Client(db.Model):
    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[Optional[str]] = mapped_column(String(254), unique=True)
    phone: Mapped[Optional[str]] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the latest screening (intake or pre-visit check-in) raised a red flag; None when
    # the latest screening was clear. A clearance granted after this instant lifts the hold.
    flagged_since: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    user: Mapped[Optional[User]] = relationship(back_populates="client")

    def __repr__(self) -> str:
        return f"<Client {self.id} {self.name}>"
