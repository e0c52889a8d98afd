"""SMTP delivery with the standard library: settings from app.config, one connection per run."""

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from clinic.models import OutboundEmail

DEFAULT_TIMEOUT_SECONDS = 10


class MailConfigError(Exception):
    """The mail settings cannot work at all (as opposed to a server that is down)."""


@dataclass(frozen=True)
class MailSettings:
    server: str
    port: int
    use_tls: bool
    username: str | None
    password: str | None
    sender: str
    timeout: float

    @classmethod
    def from_config(cls, config) -> "MailSettings":
        server = (config.get("MAIL_SERVER") or "").strip()
        sender = (config.get("MAIL_SENDER") or "").strip()
        problems = []
        if not server:
            problems.append("MAIL_SERVER is not set")
        try:
            port = int(config.get("MAIL_PORT") or 0)
        except (TypeError, ValueError):
            port = 0
        if not 0 < port < 65536:
            problems.append("MAIL_PORT must be a port number (1-65535)")
        if not sender or "@" not in sender:
            problems.append("MAIL_SENDER must be an email address")
        username, password = config.get("MAIL_USERNAME"), config.get("MAIL_PASSWORD")
        if bool(username) != bool(password):
            problems.append("MAIL_USERNAME and MAIL_PASSWORD go together")
        if problems:
            raise MailConfigError("; ".join(problems) + ".")
        return cls(
            server=server,
            port=port,
            use_tls=bool(config.get("MAIL_USE_TLS")),
            username=username or None,
            password=password or None,
            sender=sender,
            timeout=float(config.get("MAIL_TIMEOUT_SECONDS") or DEFAULT_TIMEOUT_SECONDS),
        )


def build_email(row: OutboundEmail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=f"outbox-{row.id}")
    message.set_content(row.body)
    if row.attachment:
        message.add_attachment(
            row.attachment,
            maintype="text",
            subtype="calendar",
            filename=row.attachment_name or "appointment.ics",
            params={"method": "PUBLISH"},
        )
    return message


class SmtpConnection:
    """One SMTP session: STARTTLS when configured, then login when a username is set."""

    def __init__(self, settings: MailSettings):
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> "SmtpConnection":
        settings = self.settings
        smtp = smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout)
        try:
            if settings.use_tls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.username:
                smtp.login(settings.username, settings.password)
        except BaseException:
            smtp.close()
            raise
        self.smtp = smtp
        return self

    def send(self, message: EmailMessage) -> None:
        self.smtp.send_message(message)

    def __exit__(self, *exc) -> None:
        if self.smtp is None:
            return
        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            self.smtp.close()
