"""A real SMTP server for tests (aiosmtpd on 127.0.0.1 and a free port) and what it received."""

import email
import email.policy
import socket
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def refused_port() -> int:
    """A port nobody listens on (bound and released, so connecting is refused)."""
    return free_port()


class SmtpSink:
    """Collects every message delivered to it, parsed as EmailMessage."""

    def __init__(self):
        self.envelopes = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"

    @property
    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(envelope.content, policy=email.policy.default)
            for envelope in self.envelopes
        ]

    def recipients(self) -> list[str]:
        return [rcpt for envelope in self.envelopes for rcpt in envelope.rcpt_tos]


@pytest.fixture(name="smtp_sink")
def smtp_sink_fixture():
    sink = SmtpSink()
    sink.controller.start()
    try:
        yield sink
    finally:
        sink.controller.stop()


def use_smtp(app, monkeypatch, port: int) -> None:
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT_SECONDS", 5)


def ics_attachment(message: EmailMessage) -> bytes | None:
    for part in message.iter_attachments():
        if part.get_content_type() == "text/calendar":
            return part.get_payload(decode=True)
    return None
