"""All models, importable from one place (and all registered on the metadata)."""

from clinic.extensions import db
from clinic.models.append_only import protect_all
from clinic.models.appointment import NO_OVERLAP_CONSTRAINT, Appointment, AppointmentStatus
from clinic.models.audit import AuditEntry
from clinic.models.care_plan import CarePlan
from clinic.models.client import Client
from clinic.models.clinic_settings import ClinicSettings
from clinic.models.email import OutboundEmail
from clinic.models.intake import CheckIn, Clearance, ClearanceLetter, Intake
from clinic.models.service import Service
from clinic.models.session_note import NoteAmendment, NoteTechnique, SessionNote
from clinic.models.therapist import Therapist, TimeOff, WorkingHours
from clinic.models.types import UTCDateTime, utcnow
from clinic.models.user import (
    ApiToken,
    LoginFailure,
    PasswordReset,
    RecoveryCode,
    Role,
    User,
    UserSession,
)
from clinic.models.waitlist import RecallNotice, WaitlistEntry, WaitlistOffer

# Signed notes and the audit log: the database refuses UPDATE and DELETE (append_only.py).
protect_all(db.metadata)

__all__ = [
    "NO_OVERLAP_CONSTRAINT",
    "ApiToken",
    "Appointment",
    "AppointmentStatus",
    "AuditEntry",
    "CarePlan",
    "CheckIn",
    "Clearance",
    "ClearanceLetter",
    "Client",
    "ClinicSettings",
    "Intake",
    "LoginFailure",
    "NoteAmendment",
    "NoteTechnique",
    "OutboundEmail",
    "PasswordReset",
    "RecallNotice",
    "RecoveryCode",
    "Role",
    "Service",
    "SessionNote",
    "Therapist",
    "TimeOff",
    "UTCDateTime",
    "User",
    "UserSession",
    "WaitlistEntry",
    "WaitlistOffer",
    "WorkingHours",
    "utcnow",
]
