"""A real SMTP server for tests (aiosmtpd on 127.0.0.1 and a free port) and what it received."""

import email
import email.policy
import socket
import threading
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


class HangingSmtpServer:
    """Accepts connections and then says nothing, as a mail server that hangs does.

    `connections` counts who connected; a request that talked to it would wait for the greeting
    until its timeout.
    """

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self._accepted = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _address = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            self._accepted.append(connection)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()
        for connection in self._accepted:
            connection.close()
        self.listener.close()


@pytest.fixture(name="hanging_smtp")
def hanging_smtp_fixture():
    server = HangingSmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
