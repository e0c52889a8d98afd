"""send-reminders' service: who is reminded, once, and what arrives."""

from datetime import time, timedelta

from sqlalchemy import select

from clinic import clock
from clinic.extensions import db
from clinic.models import OutboundEmail
from clinic.notifications.services import queue_reminders, send_reminders
from clinic.scheduling.services import reschedule_appointment
from tests.factories import make_appointment, make_client, make_owner, make_therapist, make_working_hours
from tests.notifications_factories import refused_port, smtp_sink_fixture, use_smtp  # noqa: F401


def _reminders():
    return db.session.scalars(
        select(OutboundEmail).where(OutboundEmail.kind == "reminder").order_by(OutboundEmail.id)
    ).all()


def _scene(now):
    therapist = make_therapist()
    soon = make_appointment(therapist=therapist, client=make_client(email="soon@example.test"),
                            start=now + timedelta(hours=2))
    edge = make_appointment(therapist=therapist, client=make_client(email="edge@example.test"),
                            start=now + timedelta(hours=24))
    tomorrow_evening = make_appointment(therapist=therapist, client=make_client(email="later@example.test"),
                                        start=now + timedelta(hours=30))
    make_appointment(therapist=therapist, client=make_client(email="past@example.test"),
                     start=now - timedelta(hours=2))
    make_appointment(therapist=therapist, client=make_client(email="off@example.test"),
                     start=now + timedelta(hours=4), status="cancelled")
    make_appointment(therapist=therapist, client=make_client(login=False, email=None),
                     start=now + timedelta(hours=6))
    return soon, edge, tomorrow_evening


def test_only_booked_appointments_within_the_window_with_an_email_are_reminded(app):
    now = clock.now()
    soon, edge, _later = _scene(now)
    assert queue_reminders(now) == 2
    assert [r.appointment_id for r in _reminders()] == [soon.id, edge.id]
    assert soon.reminder_sent_at == now
    assert queue_reminders(now) == 0
    assert len(_reminders()) == 2


def test_reminder_hours_widens_the_window(app, monkeypatch):
    monkeypatch.setitem(app.config, "REMINDER_HOURS", 48)
    now = clock.now()
    _scene(now)
    assert queue_reminders(now) == 3


def test_running_twice_sends_each_reminder_once(app, smtp_sink, monkeypatch):
    use_smtp(app, monkeypatch, smtp_sink.port)
    now = clock.now()
    _scene(now)
    db.session.commit()
    first = send_reminders()
    assert (first.queued, first.sent, first.failed) == (2, 2, 0)
    second = send_reminders()
    assert (second.queued, second.sent, second.failed) == (0, 0, 0)
    assert sorted(smtp_sink.recipients()) == ["edge@example.test", "soon@example.test"]
    assert all(m["Subject"].startswith("Reminder: your appointment ") for m in smtp_sink.messages)


def test_failed_reminders_are_retried_on_the_next_run(app, smtp_sink, monkeypatch):
    now = clock.now()
    _scene(now)
    db.session.commit()
    use_smtp(app, monkeypatch, refused_port())
    failing = send_reminders()
    assert (failing.queued, failing.sent, failing.failed) == (2, 0, 2)
    assert failing.errors
    use_smtp(app, monkeypatch, smtp_sink.port)
    retry = send_reminders()
    assert (retry.queued, retry.sent, retry.failed) == (0, 2, 0)
    assert len(smtp_sink.envelopes) == 2


def test_a_moved_appointment_is_reminded_for_its_new_time(app):
    now = clock.now().replace(second=0, microsecond=0)
    owner = make_owner()
    therapist = make_therapist()
    for weekday in range(7):
        make_working_hours(therapist, weekday, time(0), time(23, 45))
    # Two whole-hour starts ahead that keep a 60-minute visit (and the move) inside one day.
    start = next(
        s for s in ((now + timedelta(hours=h)).replace(minute=0) for h in range(3, 24)) if 1 <= s.hour <= 21
    )
    appointment = make_appointment(therapist=therapist, client=make_client(email="move@example.test"),
                                   start=start)
    assert queue_reminders(now) == 1
    reschedule_appointment(owner, appointment.id, start + timedelta(hours=1))
    assert _reminders() == []  # the unsent reminder for the old time is dropped
    assert queue_reminders(now) == 1
    [reminder] = _reminders()
    assert reminder.dedupe_key == (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
