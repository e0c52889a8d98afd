"""Confirmation, reschedule and cancellation emails: queued with the change, delivered by a
mail worker after it, failures retried later."""

from datetime import UTC, datetime, timedelta

import icalendar
from sqlalchemy import func, select

from clinic import clock
from clinic.extensions import db
from clinic.models import OutboundEmail
from clinic.notifications.services import deliver_pending
from clinic.scheduling.services import book_appointment, cancel_appointment, reschedule_appointment
from tests.factories import make_appointment, make_client, make_owner, make_service, make_therapist
from tests.notifications_factories import ics_attachment, refused_port, smtp_sink_fixture, use_smtp  # noqa: F401

MONDAY_10 = datetime(2030, 1, 7, 10, tzinfo=UTC)


def _outbox(**where):
    query = select(OutboundEmail).order_by(OutboundEmail.id)
    for name, value in where.items():
        query = query.where(getattr(OutboundEmail, name) == value)
    return db.session.scalars(query).all()


def _book(owner, client, therapist, service, start=MONDAY_10):
    return book_appointment(
        owner, service_id=service.id, therapist_id=therapist.id, start=start, client_id=client.id
    )


def test_a_booking_queues_a_confirmation_that_arrives_with_an_ics(app, smtp_sink, monkeypatch):
    use_smtp(app, monkeypatch, smtp_sink.port)
    owner, therapist = make_owner(), make_therapist(hours=True, name="Tess Therapist")
    service = make_service(name="Hip relief 60", duration_minutes=60)
    client = make_client(name="Cora Client", email="cora@example.test")
    appointment = _book(owner, client, therapist, service)
    [queued] = _outbox(appointment_id=appointment.id)
    assert (queued.kind, queued.recipient, queued.sent_at) == ("confirmation", "cora@example.test", None)
    db.session.commit()

    report = deliver_pending()
    assert (report.sent, report.failed) == (1, 0)
    [message] = smtp_sink.messages
    assert message["To"] == "cora@example.test"
    assert message["Subject"] == "Your appointment is booked: Monday 7 January 2030 at 10:00"
    assert "Hip relief 60 with Tess Therapist" in message.get_body(("plain",)).get_content()
    calendar = icalendar.Calendar.from_ical(ics_attachment(message))
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == MONDAY_10
    assert event.decoded("dtend") == MONDAY_10 + timedelta(minutes=60)
    db.session.expire_all()
    assert _outbox(appointment_id=appointment.id)[0].sent_at is not None
    assert deliver_pending().sent == 0  # nothing is sent twice


def test_clients_without_an_email_get_nothing(app):
    owner, therapist, service = make_owner(), make_therapist(hours=True), make_service()
    walk_in = make_client(login=False, email=None)
    appointment = _book(owner, walk_in, therapist, service)
    cancel_appointment(owner, appointment.id)
    assert _outbox() == []


def test_reschedule_and_cancellation_notices_are_queued_each_time(app, smtp_sink, monkeypatch):
    use_smtp(app, monkeypatch, smtp_sink.port)
    owner, therapist, service = make_owner(), make_therapist(hours=True), make_service()
    client = make_client(email="moved@example.test")
    appointment = _book(owner, client, therapist, service)
    reschedule_appointment(owner, appointment.id, MONDAY_10 + timedelta(hours=2))
    reschedule_appointment(owner, appointment.id, MONDAY_10 + timedelta(days=1))
    cancel_appointment(owner, appointment.id, reason="Therapist unwell")
    kinds = [row.kind for row in _outbox(appointment_id=appointment.id)]
    assert kinds == ["confirmation", "reschedule", "reschedule", "cancellation"]
    db.session.commit()

    assert deliver_pending().sent == 4
    subjects = [m["Subject"] for m in smtp_sink.messages]
    assert subjects[1] == "Your appointment has moved to Monday 7 January 2030 at 12:00"
    assert subjects[2] == "Your appointment has moved to Tuesday 8 January 2030 at 10:00"
    assert subjects[3] == "Your appointment on Tuesday 8 January 2030 at 10:00 is cancelled"
    moved = smtp_sink.messages[2].get_body(("plain",)).get_content()
    assert "Previously: Monday 7 January 2030 at 12:00" in moved
    assert "Therapist unwell" in smtp_sink.messages[3].get_body(("plain",)).get_content()


def test_a_rolled_back_booking_leaves_no_email(app):
    owner, therapist, service = make_owner(), make_therapist(hours=True), make_service()
    client = make_client()
    db.session.commit()
    _book(owner, client, therapist, service)
    assert db.session.scalar(select(func.count(OutboundEmail.id))) == 1
    db.session.rollback()
    assert db.session.scalar(select(func.count(OutboundEmail.id))) == 0


def _later(monkeypatch, delay: timedelta) -> None:
    """Moves the clinic's clock forward (the SMTP server's threads keep the real one)."""
    moved_to = clock.now() + delay
    monkeypatch.setattr(clock, "now", lambda: moved_to)


def test_a_refused_smtp_port_is_recorded_and_retried_later(app, smtp_sink, monkeypatch):
    owner, therapist, service = make_owner(), make_therapist(hours=True), make_service()
    client = make_client(email="retry@example.test")
    appointment = _book(owner, client, therapist, service)
    db.session.commit()

    use_smtp(app, monkeypatch, refused_port())
    report = deliver_pending()
    assert (report.sent, report.failed) == (0, 1)
    db.session.expire_all()
    [row] = _outbox(appointment_id=appointment.id)
    assert row.sent_at is None and row.claimed_by is None and row.attempts == 1
    assert "Connection refused" in row.last_error or "ConnectionRefused" in row.last_error
    assert row.next_attempt_at > clock.now()

    use_smtp(app, monkeypatch, smtp_sink.port)
    assert deliver_pending().leased == 0  # not yet: it waits for its retry time
    _later(monkeypatch, timedelta(minutes=1))
    assert deliver_pending().sent == 1
    db.session.expire_all()
    [row] = _outbox(appointment_id=appointment.id)
    assert row.sent_at is not None and row.attempts == 2 and row.last_error is None
    assert smtp_sink.recipients() == ["retry@example.test"]


def test_a_claimed_row_is_left_alone_until_its_claim_goes_stale(app, smtp_sink, monkeypatch):
    use_smtp(app, monkeypatch, smtp_sink.port)
    appointment = make_appointment(client=make_client(email="claimed@example.test"))
    row = OutboundEmail(kind="confirmation", appointment_id=appointment.id, recipient="claimed@example.test",
                        subject="Hello", body="Body", attempts=1, claimed_by="another-worker",
                        claimed_until=clock.now() + timedelta(minutes=4))
    db.session.add(row)
    db.session.commit()
    assert deliver_pending().sent == 0
    _later(monkeypatch, timedelta(minutes=5))  # its worker died: the lease runs out
    assert deliver_pending().sent == 1
    assert smtp_sink.recipients() == ["claimed@example.test"]


def test_recording_a_past_visit_sends_nothing(app):
    owner, therapist, service = make_owner(), make_therapist(hours=True), make_service()
    client = make_client(email="walkin@example.test")
    last_monday = clock.today() - timedelta(days=clock.today().weekday() + 7)
    start = datetime(last_monday.year, last_monday.month, last_monday.day, 10, tzinfo=UTC)
    appointment = _book(owner, client, therapist, service, start=start)
    assert _outbox(appointment_id=appointment.id) == []


def test_smtp_login_is_used_and_a_wrong_password_is_retried(app, monkeypatch):
    from tests.notifications_factories import SmtpSink

    sink = SmtpSink(login=("clinic", "s3cret-pass"))
    sink.start()
    try:
        use_smtp(app, monkeypatch, sink.port)
        monkeypatch.setitem(app.config, "MAIL_USERNAME", "clinic")
        monkeypatch.setitem(app.config, "MAIL_PASSWORD", "wrong-pass")
        owner, therapist, service = make_owner(), make_therapist(hours=True), make_service()
        appointment = _book(owner, make_client(email="auth@example.test"), therapist, service)
        db.session.commit()
        report = deliver_pending()
        assert (report.sent, report.failed) == (0, 1)
        assert "SMTPAuthenticationError" in report.errors[0]
        monkeypatch.setitem(app.config, "MAIL_PASSWORD", "s3cret-pass")
        _later(monkeypatch, timedelta(minutes=1))
        assert deliver_pending().sent == 1
        assert sink.recipients() == ["auth@example.test"]
        db.session.expire_all()
        assert _outbox(appointment_id=appointment.id)[0].attempts == 2
    finally:
        sink.controller.stop()
