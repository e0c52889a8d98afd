"""flask send-reminders: prints a summary; exits non-zero (for cron) when mail is misconfigured or an email failed."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from clinic import clock
from clinic.extensions import db
from clinic.models import OutboundEmail
from tests.factories import make_appointment, make_client
from tests.notifications_factories import SmtpSink, refused_port, smtp_sink_fixture, use_smtp  # noqa: F401


class RefusingSink(SmtpSink):
    """Refuses one mailbox (550), as a real server does for an address it does not know."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == "refused@example.test":
            return "550 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def refusing_sink():
    sink = RefusingSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.controller.stop()


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


def test_a_down_mail_server_is_reported_and_the_email_waits_for_the_next_run(app, runner, smtp_sink, monkeypatch):
    use_smtp(app, monkeypatch, refused_port())
    make_appointment(client=make_client(email="down@example.test"), start=clock.now() + timedelta(hours=3))
    db.session.commit()
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "Reminders queued: 1. Emails sent: 0. Failed: 1." in result.output
    assert "will retry on the next run" in result.output
    strict = runner.invoke(args=["send-reminders", "--fail-on-error"])
    assert strict.exit_code == 1, strict.output
    assert "1 email(s) not sent; they stay queued for the next run." in strict.output
    row = db.session.scalar(select(OutboundEmail).where(OutboundEmail.recipient == "down@example.test"))
    assert row.sent_at is None and row.attempts == 2

    use_smtp(app, monkeypatch, smtp_sink.port)
    again = runner.invoke(args=["send-reminders"])
    assert again.exit_code == 0, again.output
    assert "Reminders queued: 0. Emails sent: 1. Failed: 0." in again.output
    assert smtp_sink.recipients() == ["down@example.test"]


def test_one_refused_recipient_among_good_ones_still_fails_a_strict_run(app, runner, refusing_sink, monkeypatch):
    use_smtp(app, monkeypatch, refusing_sink.port)
    make_appointment(client=make_client(email="fine@example.test"), start=clock.now() + timedelta(hours=3))
    make_appointment(client=make_client(email="refused@example.test"), start=clock.now() + timedelta(hours=4))
    db.session.commit()
    result = runner.invoke(args=["send-reminders", "--fail-on-error"])
    assert result.exit_code == 1, result.output
    assert "Reminders queued: 2. Emails sent: 1. Failed: 1." in result.output
    assert refusing_sink.recipients() == ["fine@example.test"]


def test_a_configuration_error_exits_non_zero_and_queues_nothing(app, runner, monkeypatch):
    make_appointment(client=make_client(), start=clock.now() + timedelta(hours=3))
    monkeypatch.setitem(app.config, "MAIL_SENDER", "")
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code != 0
    assert "MAIL_SENDER" in result.output
    assert db.session.scalars(select(OutboundEmail)).all() == []
