"""iCalendar (RFC 5545) files for appointments: a therapist's feed and a booking's .ics."""

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from icalendar import Calendar, Event

from clinic.models import Appointment

PRODID = "-//Massage Clinic//Scheduling//EN"


def initials(name: str) -> str:
    """"Clara Jensen" -> "C.J.": enough for the therapist to recognise the visit."""
    return "".join(f"{part[0].upper()}." for part in name.split() if part[:1].isalnum()) or "?"


def _default_summary(appointment: Appointment) -> str:
    # The feed's address travels to outside calendar services: the client's initials only,
    # never their name, email, phone or anything clinical.
    return f"{appointment.service.name} – {initials(appointment.client.name)}"


def calendar_bytes(
    appointments: Iterable[Appointment],
    *,
    name: str,
    summary: Callable[[Appointment], str] | None = None,
    domain: str = "clinic.invalid",
) -> bytes:
    """A VCALENDAR with one VEVENT per non-cancelled appointment, times in UTC.

    `summary` chooses each event's title (default "<service> - <client's initials>", the
    therapist's feed); a client's confirmation passes one naming the therapist instead.
    """
    summary = summary or _default_summary
    stamp = datetime.now(UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for appointment in appointments:
        if appointment.is_cancelled:
            continue
        event = Event()
        event.add("uid", f"appointment-{appointment.id}@{domain}")
        event.add("dtstamp", stamp)
        event.add("dtstart", appointment.starts_at.astimezone(UTC))
        event.add("dtend", appointment.ends_at.astimezone(UTC))
        event.add("summary", summary(appointment))
        event.add("status", "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
