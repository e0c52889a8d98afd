"""What each email says: subject, plain-text body (templates/notifications/) and attachment."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, has_request_context, url_for

from clinic.clinic_settings.services import clinic_profile
from clinic.formatting import local_time, spelled_date, spelled_datetime
from clinic.models import Appointment, CarePlan, Clearance, Client

CONFIRMATION = "confirmation"
RESCHEDULE = "reschedule"
CANCELLATION = "cancellation"
REMINDER = "reminder"
CARE_PLAN = "care_plan"
HELD = "clearance_held"
CLEARED = "clearance_granted"
KINDS = (CONFIRMATION, RESCHEDULE, CANCELLATION, REMINDER, CARE_PLAN, HELD, CLEARED)

_SUBJECTS = {
    CONFIRMATION: "Your appointment is booked: {when}",
    RESCHEDULE: "Your appointment has moved to {when}",
    CANCELLATION: "Your appointment on {when} is cancelled",
    REMINDER: "Reminder: your appointment {when}",
}


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    attachment_name: str | None = None
    attachment: bytes | None = None


def compose(kind: str, appointment: Appointment, *, previous_start: datetime | None = None) -> Message:
    """Render one email about `appointment`; a confirmation carries the booking as .ics."""
    clinic = clinic_profile()
    clinic_name = clinic.name
    context = {
        "clinic": clinic,
        "clinic_name": clinic_name,
        "client_name": appointment.client.name,
        "therapist_name": appointment.therapist.user.name,
        "service_name": appointment.service.name,
        "when": spelled_datetime(appointment.starts_at),
        "ends": local_time(appointment.ends_at),
        "previous_when": spelled_datetime(previous_start) if previous_start else None,
        "zone": current_app.config["CLINIC_TIMEZONE"],
        "notice_hours": clinic.cancellation_notice_hours,
        "reason": appointment.cancel_reason,
    }
    subject = _SUBJECTS[kind].format(when=context["when"])
    # Straight from the Jinja environment: no page context processors (no request here).
    body = current_app.jinja_env.get_template(f"notifications/{kind}.txt").render(**context)
    if kind != CONFIRMATION:
        return Message(subject, body)
    from clinic.scheduling.ical import calendar_bytes

    ics = calendar_bytes(
        [appointment],
        name=clinic_name,
        summary=lambda a: f"{a.service.name} with {a.therapist.user.name} ({clinic_name})",
    )
    return Message(subject, body, "appointment.ics", ics)


def compose_care_plan(plan: CarePlan, appointments: list[Appointment]) -> Message:
    """The sessions of a course of care (new or extended), listed and attached as one .ics."""
    from clinic.scheduling.ical import calendar_bytes

    clinic = clinic_profile()
    clinic_name = clinic.name
    first = appointments[0]
    body = current_app.jinja_env.get_template("notifications/care_plan.txt").render(
        clinic=clinic,
        clinic_name=clinic_name,
        client_name=first.client.name,
        therapist_name=first.therapist.user.name,
        service_name=first.service.name,
        sessions=[spelled_datetime(a.starts_at) for a in appointments],
        zone=current_app.config["CLINIC_TIMEZONE"],
        notice_hours=clinic.cancellation_notice_hours,
    )
    count = len(appointments)
    plural = "s" if count != 1 else ""
    subject = f"Your course of care: {count} session{plural} from {spelled_datetime(first.starts_at)}"
    ics = calendar_bytes(
        appointments,
        name=clinic_name,
        summary=lambda a: f"{a.service.name} with {a.therapist.user.name} ({clinic_name})",
    )
    return Message(subject, body, "care-plan.ics", ics)


def _record_link() -> str | None:
    """The client's own record page (where the letter is uploaded), when a request knows our address."""
    return url_for("home.my_record", _external=True) if has_request_context() else None


def compose_held(client: Client, flags: list[dict], source: str) -> Message:
    """Held for clearance: why, and what to do in plain words (see a physician, send the letter)."""
    body = current_app.jinja_env.get_template("notifications/clearance_held.txt").render(
        clinic_name=current_app.config["CLINIC_NAME"],
        client_name=client.name,
        reasons=[flag["reason"] for flag in flags],
        source=source,
        record_link=_record_link(),
    )
    return Message("Before your next massage: we need a note from your doctor", body)


def compose_cleared(clearance: Clearance) -> Message:
    """Cleared: by whom, until when, and the restrictions the therapists will follow."""
    body = current_app.jinja_env.get_template("notifications/clearance_granted.txt").render(
        clinic_name=current_app.config["CLINIC_NAME"],
        client_name=clearance.client.name,
        physician_name=clearance.physician_name,
        cleared_on=spelled_date(clearance.cleared_on),
        valid_until=spelled_date(clearance.valid_until) if clearance.valid_until else None,
        restrictions=clearance.restrictions,
        record_link=_record_link(),
    )
    return Message("You are cleared for massage", body)
