"""flask send-reminders: prints a summary; non-zero exit only for a configuration error."""

from datetime import timedelta

from sqlalchemy import select

from clinic import clock
from clinic.extensions import db
from clinic.models import OutboundEmail
from tests.factories import make_appointment, make_client
from tests.notifications_factories import refused_port, smtp_sink_fixture, use_smtp  # noqa: F401


def test_reminders_are_sent_and_summarised(app, runner, smtp_sink, monkeypatch):
    use_smtp(app, monkeypatch, smtp_sink.port)
    make_appointment(client=make_client(email="cli@example.test"), start=clock.now() + timedelta(hours=3))
    db.session.commit()
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "Reminders queued: 1. Emails sent: 1. Failed: 0." in result.output
    assert smtp_sink.recipients() == ["cli@example.test"]
    again = runner.invoke(args=["send-reminders"])
    assert "Reminders queued: 0. Emails sent: 0. Failed: 0." in again.output
    assert len(smtp_sink.envelopes) == 1


def test_a_down_mail_server_is_reported_without_failing_the_command(app, runner, monkeypatch):
    use_smtp(app, monkeypatch, refused_port())
    make_appointment(client=make_client(email="down@example.test"), start=clock.now() + timedelta(hours=3))
    db.session.commit()
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "Reminders queued: 1. Emails sent: 0. Failed: 1." in result.output
    assert "will retry on the next run" in result.output
    row = db.session.scalar(select(OutboundEmail).where(OutboundEmail.recipient == "down@example.test"))
    assert row.sent_at is None and row.attempts == 1


def test_a_configuration_error_exits_non_zero_and_queues_nothing(app, runner, monkeypatch):
    make_appointment(client=make_client(), start=clock.now() + timedelta(hours=3))
    monkeypatch.setitem(app.config, "MAIL_SENDER", "")
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code != 0
    assert "MAIL_SENDER" in result.output
    assert db.session.scalars(select(OutboundEmail)).all() == []
