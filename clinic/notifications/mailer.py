"""Delivery with the standard library: settings from app.config, one connection per batch.

Two ways out: SMTP (production and tests), or `.eml` files in a folder (development, so
`make run` needs no mail server and the emails can be opened in any mail program).
"""

import os
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from clinic.models import OutboundEmail

DEFAULT_TIMEOUT_SECONDS = 10
SMTP = "smtp"
FILES = "files"
BACKENDS = (SMTP, FILES)


class MailConfigError(Exception):
    """The mail settings cannot work at all (as opposed to a server that is down)."""


@dataclass(frozen=True)
class MailSettings:
    backend: str
    folder: str | None
    server: str
    port: int
    use_tls: bool
    username: str | None
    password: str | None
    sender: str
    timeout: float

    @classmethod
    def from_config(cls, config, *, default_folder: str | None = None) -> "MailSettings":
        backend = (config.get("MAIL_BACKEND") or SMTP).strip().lower()
        folder = config.get("MAIL_FOLDER") or default_folder
        server = (config.get("MAIL_SERVER") or "").strip()
        sender = (config.get("MAIL_SENDER") or "").strip()
        problems = []
        if backend not in BACKENDS:
            problems.append(f"MAIL_BACKEND must be one of {', '.join(BACKENDS)}")
        if backend == FILES and not folder:
            problems.append("MAIL_FOLDER is not set")
        if not server and backend == SMTP:
            problems.append("MAIL_SERVER is not set")
        try:
            port = int(config.get("MAIL_PORT") or 0)
        except (TypeError, ValueError):
            port = 0
        if not 0 < port < 65536 and backend == SMTP:
            problems.append("MAIL_PORT must be a port number (1-65535)")
        if not sender or "@" not in sender:
            problems.append("MAIL_SENDER must be an email address")
        username, password = config.get("MAIL_USERNAME"), config.get("MAIL_PASSWORD")
        if bool(username) != bool(password):
            problems.append("MAIL_USERNAME and MAIL_PASSWORD go together")
        if problems:
            raise MailConfigError("; ".join(problems) + ".")
        return cls(
            backend=backend,
            folder=folder,
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

    def send(self, message: EmailMessage, email_id: int) -> None:
        self.smtp.send_message(message)

    def __exit__(self, *exc) -> None:
        if self.smtp is None:
            return
        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            self.smtp.close()


class MailFolder:
    """Development's mailbox: each email becomes <folder>/<UTC timestamp>-<outbox id>.eml."""

    def __init__(self, settings: MailSettings):
        self.folder = Path(settings.folder)

    def __enter__(self) -> "MailFolder":
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def send(self, message: EmailMessage, email_id: int) -> None:
        path = self.folder / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{email_id}.eml"
        partial = path.with_suffix(".part")
        partial.write_bytes(message.as_bytes())
        # Renamed into place, so a mail program watching the folder never sees half an email.
        os.replace(partial, path)

    def __exit__(self, *exc) -> None:
        return None


def open_mailbox(settings: MailSettings) -> SmtpConnection | MailFolder:
    return MailFolder(settings) if settings.backend == FILES else SmtpConnection(settings)
