"""Connects notifications to the appointment signals.

Receivers only add outbox rows to the sender's session (clinic/signals.py), so an email
exists exactly when the booking, move or cancellation commits; the mail worker delivers it.
"""

from flask import Flask

from clinic import clock, signals
from clinic.models import Appointment, CarePlan
from clinic.notifications import outbox
from clinic.notifications.messages import (
    CANCELLATION,
    CARE_PLAN,
    CONFIRMATION,
    REMINDER,
    RESCHEDULE,
    compose,
    compose_care_plan,
)


def _has_email(appointment: Appointment) -> bool:
    """Worth an email: the client has an address and the visit is still ahead (staff recording
    a walk-in after the fact, or tidying up the past, sends nothing)."""
    return bool(appointment.client and appointment.client.email) and appointment.starts_at > clock.now()


def on_booked(appointment: Appointment, *, announce: bool = True, **_extra) -> None:
    if announce and _has_email(appointment):
        outbox.enqueue(CONFIRMATION, appointment, compose(CONFIRMATION, appointment))


def on_rescheduled(appointment: Appointment, *, previous_start=None, **_extra) -> None:
    # A reminder queued for the old time must not go out; the new time gets its own.
    outbox.discard_unsent(appointment.id, REMINDER)
    if _has_email(appointment):
        message = compose(RESCHEDULE, appointment, previous_start=previous_start)
        key = appointment.starts_at.strftime("%Y%m%dT%H%M%SZ")
        if previous_start is not None:
            key = f"{previous_start:%Y%m%dT%H%M%SZ}-{key}"
        outbox.enqueue(RESCHEDULE, appointment, message, dedupe_key=f"{key}-{outbox.unique_suffix()}")


def on_cancelled(appointment: Appointment, *, announce: bool = True, **_extra) -> None:
    outbox.discard_unsent(appointment.id, REMINDER)
    if announce and _has_email(appointment):
        outbox.enqueue(CANCELLATION, appointment, compose(CANCELLATION, appointment))


def on_care_plan_booked(plan: CarePlan, *, appointments: list[Appointment], **_extra) -> None:
    """One email for a course of care: every session listed, all of them in one .ics."""
    ahead = [a for a in appointments if _has_email(a)]
    if ahead:
        outbox.enqueue(CARE_PLAN, ahead[0], compose_care_plan(plan, ahead), dedupe_key=f"plan-{plan.id}")


def init_app(app: Flask) -> None:
    """Register signal receivers; called once from create_app."""
    # Module-level functions held strongly; connecting twice (several apps) is a no-op.
    signals.appointment_booked.connect(on_booked, weak=False)
    signals.appointment_rescheduled.connect(on_rescheduled, weak=False)
    signals.appointment_cancelled.connect(on_cancelled, weak=False)
    signals.care_plan_booked.connect(on_care_plan_booked, weak=False)
