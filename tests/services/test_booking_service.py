"""Booking services on both SQLite and PostgreSQL: rules, signals, and the database guarantee."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from clinic import signals
from clinic.errors import (
    BookingClearanceRequired,
    BookingConflict,
    NotFound,
    TooLateToCancel,
    ValidationFailed,
)
from clinic.extensions import db
from clinic.models import Appointment
from clinic.scheduling import booking, services
from clinic.scheduling.ical import calendar_bytes
from tests.factories import (
    at,
    make_appointment,
    make_client,
    make_owner,
    make_service,
    make_therapist,
    make_time_off,
    monday,
)


@pytest.fixture
def scene(app):
    with app.test_request_context():
        yield {
            "owner": make_owner(),
            "therapist": make_therapist(hours=True),
            "service": make_service(duration_minutes=60, buffer_minutes=15),
            "client": make_client(),
            "day": monday(2),
        }


def test_schedule_problem_is_none_for_a_free_start_and_names_a_clash(scene):
    t, s, day = scene["therapist"], scene["service"], scene["day"]
    assert services.schedule_problem(t.id, s, at(day, 10)) is None
    existing = make_appointment(service=s, therapist=t, start=at(day, 10))
    assert "overlaps" in services.schedule_problem(t.id, s, at(day, 10, 30))
    assert "too close" in services.schedule_problem(t.id, s, at(day, 11))
    assert services.schedule_problem(t.id, s, at(day, 10, 30), ignore_appointment_id=existing.id) is None
    assert "working hours" in services.schedule_problem(t.id, s, at(day, 18))
    make_time_off(t, at(day, 14), at(day, 15))
    assert "away" in services.schedule_problem(t.id, s, at(day, 14))


def test_booking_sends_the_signal_and_copies_the_buffer(scene):
    received = []

    def receiver(sender, **kw):
        received.append((sender, kw))

    signals.appointment_booked.connect(receiver)
    try:
        appointment = services.book_appointment(
            scene["owner"], service_id=scene["service"].id, therapist_id=scene["therapist"].id,
            start=at(scene["day"], 9), client_id=scene["client"].id,
        )
    finally:
        signals.appointment_booked.disconnect(receiver)
    assert received == [(appointment, {"actor": scene["owner"], "announce": True})]
    assert appointment.buffer_minutes == 15
    assert appointment.booked_by_id == scene["owner"].id


def test_reschedule_and_cancel_send_their_signals(scene):
    actor = scene["client"].user
    appointment = services.book_appointment(
        actor, service_id=scene["service"].id, therapist_id=scene["therapist"].id, start=at(scene["day"], 9)
    )
    moved, cancelled = [], []

    def on_moved(sender, **kw):
        moved.append(kw)

    def on_cancelled(sender, **kw):
        cancelled.append(kw)

    signals.appointment_rescheduled.connect(on_moved)
    signals.appointment_cancelled.connect(on_cancelled)
    try:
        services.reschedule_appointment(actor, appointment.id, at(scene["day"], 13))
        services.cancel_appointment(actor, appointment.id, "away")
    finally:
        signals.appointment_rescheduled.disconnect(on_moved)
        signals.appointment_cancelled.disconnect(on_cancelled)
    assert moved == [{"actor": actor, "previous_start": at(scene["day"], 9)}]
    assert cancelled == [{"actor": actor, "announce": True}]
    assert appointment.status == "cancelled"
    assert appointment.cancel_reason == "away"
    assert appointment.late_cancellation is False


def test_client_rules(scene):
    actor = scene["client"].user
    book = {"service_id": scene["service"].id, "therapist_id": scene["therapist"].id}
    with pytest.raises(BookingConflict):
        services.book_appointment(actor, start=datetime.now(UTC) + timedelta(minutes=45), **book)
    other = make_client()
    with pytest.raises(NotFound):
        services.book_appointment(actor, start=at(scene["day"], 9), client_id=other.id, **book)
    scene["client"].flagged_since = datetime.now(UTC)
    with pytest.raises(BookingClearanceRequired):
        services.book_appointment(actor, start=at(scene["day"], 9), **book)


def test_staff_must_name_a_client(scene):
    with pytest.raises(ValidationFailed):
        services.book_appointment(
            scene["owner"], service_id=scene["service"].id, therapist_id=scene["therapist"].id,
            start=at(scene["day"], 9),
        )


def test_client_cannot_cancel_inside_the_notice(scene):
    soon = (datetime.now(UTC) + timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    appointment = make_appointment(service=scene["service"], therapist=scene["therapist"],
                                   client=scene["client"], start=soon)
    with pytest.raises(TooLateToCancel):
        services.cancel_appointment(scene["client"].user, appointment.id)
    services.cancel_appointment(scene["therapist"].user, appointment.id)
    assert appointment.late_cancellation is True


def test_appointment_for_hides_what_is_not_yours(scene):
    appointment = make_appointment(service=scene["service"], therapist=scene["therapist"],
                                   client=scene["client"], start=at(scene["day"], 9))
    assert services.appointment_for(scene["owner"], appointment.id) is appointment
    assert services.appointment_for(scene["therapist"].user, appointment.id) is appointment
    assert services.appointment_for(scene["client"].user, appointment.id) is appointment
    for stranger in (make_client().user, make_therapist().user):
        with pytest.raises(NotFound):
            services.appointment_for(stranger, appointment.id)


@pytest.mark.postgres_only
def test_database_refuses_overlap_on_postgresql(scene):
    """The exclusion constraint is the last line: even a direct insert cannot double-book."""
    kw = {"service": scene["service"], "therapist": scene["therapist"], "client": scene["client"]}
    make_appointment(start=at(scene["day"], 9), **kw)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        make_appointment(start=at(scene["day"], 9, 30), **kw)
    # A cancelled row does not count.
    make_appointment(start=at(scene["day"], 9, 30), status="cancelled", **kw)


@pytest.mark.postgres_only
def test_constraint_violation_becomes_booking_conflict(scene, monkeypatch):
    """If the service check were bypassed, the flush still turns into a 409, not a 500."""
    kw = {"service": scene["service"], "therapist": scene["therapist"], "client": scene["client"]}
    make_appointment(start=at(scene["day"], 9), **kw)
    monkeypatch.setattr(booking, "schedule_problem", lambda *a, **k: None)
    with pytest.raises(BookingConflict):
        services.book_appointment(scene["owner"], service_id=scene["service"].id,
                                  therapist_id=scene["therapist"].id, start=at(scene["day"], 9, 30),
                                  client_id=scene["client"].id)
    # The session is still usable after the rolled-back savepoint.
    assert db.session.query(Appointment).count() == 1


class _DeadlockDetected(Exception):
    """Stands in for psycopg2's DeadlockDetected: only the SQLSTATE matters."""

    pgcode = "40P01"


def _deadlock_on_appointment_insert(session, _context, _instances):
    """Fail the flush as PostgreSQL does when writers of clashing rows wait for each other
    inside the exclusion constraint check."""
    if any(isinstance(row, Appointment) for row in session.new):
        raise OperationalError("INSERT INTO appointments", {}, _DeadlockDetected())


def test_a_deadlock_in_the_constraint_check_is_a_booking_conflict_with_nothing_saved(scene):
    event.listen(Session, "before_flush", _deadlock_on_appointment_insert)
    try:
        with pytest.raises(BookingConflict):
            services.book_appointment(scene["owner"], service_id=scene["service"].id,
                                      therapist_id=scene["therapist"].id, start=at(scene["day"], 10),
                                      client_id=scene["client"].id)
    finally:
        event.remove(Session, "before_flush", _deadlock_on_appointment_insert)
    # The savepoint is rolled back and the session still works.
    assert db.session.query(Appointment).count() == 0


def test_availability_and_slot_agree(scene):
    found = services.availability(scene["service"].id, scene["day"], scene["day"])
    assert found
    for slot in found[:5]:
        assert services.schedule_problem(slot.therapist_id, scene["service"], slot.start) is None


def test_calendar_bytes_is_rfc5545(scene):
    from icalendar import Calendar

    appointment = make_appointment(service=scene["service"], therapist=scene["therapist"],
                                   client=scene["client"], start=at(scene["day"], 9))
    data = calendar_bytes([appointment], name="Test")
    parsed = Calendar.from_ical(data)
    assert parsed["VERSION"] == "2.0" and parsed["PRODID"]
    (event,) = parsed.walk("VEVENT")
    assert event["UID"] == f"appointment-{appointment.id}@clinic.invalid"
    assert event.decoded("DTSTART") == at(scene["day"], 9)
    assert b"DTSTART:" in data and b"Z\r\n" in data
    assert "DTSTAMP" in event and scene["service"].name in str(event["SUMMARY"])
