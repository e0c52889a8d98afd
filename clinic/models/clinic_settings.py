"""The clinic's own details and policies, kept by the owner (one row)."""

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from clinic.extensions import db

SETTINGS_ROW_ID = 1


class ClinicSettings(db.Model):
    """Absent until the owner first saves; until then the environment's values stand."""

    __tablename__ = "clinic_settings"
    __table_args__ = (
        CheckConstraint(f"id = {SETTINGS_ROW_ID}", name="single_row"),
        CheckConstraint("cancellation_notice_hours >= 0", name="notice_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, default=SETTINGS_ROW_ID)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(500), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    currency: Mapped[str] = mapped_column(String(3))
    cancellation_notice_hours: Mapped[int]
    require_staff_two_factor: Mapped[bool] = mapped_column(default=False)

    def __repr__(self) -> str:
        return f"<ClinicSettings {self.name}>"
