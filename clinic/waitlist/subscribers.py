"""Connects the waitlist to the appointment signals: time freed by a cancellation or a move
is offered in the same transaction (clinic/signals.py), so offers exist exactly when the
change commits."""

from clinic import signals
from clinic.models import Appointment
from clinic.waitlist.offers import offer_freed_start


def on_cancelled(appointment: Appointment, **_extra) -> None:
    offer_freed_start(appointment, appointment.starts_at)


def on_rescheduled(appointment: Appointment, *, previous_start=None, **_extra) -> None:
    if previous_start is not None and previous_start != appointment.starts_at:
        offer_freed_start(appointment, previous_start)


def init_app(_app) -> None:
    # Module-level functions held strongly; connecting twice (several apps) is a no-op.
    signals.appointment_cancelled.connect(on_cancelled, weak=False)
    signals.appointment_rescheduled.connect(on_rescheduled, weak=False)
