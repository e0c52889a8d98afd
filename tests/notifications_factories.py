"""A real SMTP server for tests (aiosmtpd on 127.0.0.1 and a free port) and what it received."""

import email
import email.policy
import socket
import warnings
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def refused_port() -> int:
    """A port nobody listens on (bound and released, so connecting is refused)."""
    return free_port()


class _LocalController(Controller):
    def factory(self):
        with warnings.catch_warnings():
            # aiosmtpd rightly warns that AUTH without TLS is unsafe; this server is local.
            warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS", UserWarning)
            return super().factory()


class SmtpSink:
    """Collects every message delivered to it, parsed as EmailMessage. With `login=(user,
    password)` it demands SMTP AUTH (over plain TCP: this is a test server)."""

    def __init__(self, login: tuple[str, str] | None = None):
        self.envelopes = []
        self.port = free_port()
        options = {}
        if login:
            options = {"authenticator": self._authenticate, "auth_required": True, "auth_require_tls": False}
        self.login = login
        self.controller = _LocalController(self, hostname="127.0.0.1", port=self.port, **options)

    def start(self) -> None:
        self.controller.start()

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        given = (auth_data.login.decode(), auth_data.password.decode())
        return AuthResult(success=given == self.login, handled=False)

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
    sink.start()
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
