"""Emails to clients: queue them with the change, deliver them after the commit.

Delivery runs in two places, both after the booking's transaction has committed:
- `send_after_commit()`: each request that queued an email tries once to deliver those
  emails (the app calls it automatically after the response is built, and a view may call
  it itself right after `db.session.commit()`); SMTP errors are logged and swallowed.
- `send_reminders()` (the `send-reminders` CLI, meant for cron): queues due reminders,
  then delivers everything pending, retrying earlier failures.
Both commit their own short transactions, so call them with nothing of yours pending.
"""

import smtplib
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from flask import current_app, g, has_request_context
from sqlalchemy import func, select

from clinic import clock
from clinic.extensions import db
from clinic.models import Appointment, AppointmentStatus, Client, OutboundEmail
from clinic.notifications import outbox
from clinic.notifications.mailer import MailConfigError, MailSettings, SmtpConnection, build_email
from clinic.notifications.messages import REMINDER, compose

__all__ = [
    "DeliveryReport",
    "MailConfigError",
    "ReminderRun",
    "deliver_pending",
    "queue_reminders",
    "send_after_commit",
    "send_reminders",
]

DEFAULT_BATCH = 200
# A request delivers at most this many of its own emails; the CLI sends any others.
REQUEST_BATCH = 10
# A slow mail server may delay a booking's response by at most this much (seconds).
REQUEST_TIMEOUT = 5.0
# The server refused one message; the connection is still good for the others.
REFUSED = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReminderRun:
    queued: int
    sent: int
    failed: int
    errors: tuple[str, ...] = ()


def reminder_key(appointment: Appointment) -> str:
    """One reminder per appointment and start time: a moved appointment is reminded again."""
    return appointment.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ")


def queue_reminders(now: datetime | None = None) -> int:
    """Queue a reminder for each booked appointment starting within REMINDER_HOURS whose client
    has an email and has not been reminded for it. Returns how many were queued; adds to the
    caller's transaction (idempotent under concurrency through the outbox's unique key)."""
    now = now or clock.now()
    horizon = now + timedelta(hours=current_app.config.get("REMINDER_HOURS", 24))
    due = db.session.scalars(
        select(Appointment)
        .join(Client, Client.id == Appointment.client_id)
        .where(
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.starts_at > now,
            Appointment.starts_at <= horizon,
            Appointment.reminder_sent_at.is_(None),
            Client.email.is_not(None),
            Client.email != "",
        )
        .order_by(Appointment.id)
    ).all()
    queued = 0
    for appointment in due:
        message = compose(REMINDER, appointment)
        if outbox.enqueue(REMINDER, appointment, message, dedupe_key=reminder_key(appointment)):
            appointment.reminder_sent_at = now
            queued += 1
    db.session.flush()
    return queued


def deliver_pending(
    limit: int = DEFAULT_BATCH, *, appointment_ids=None, timeout: float | None = None
) -> DeliveryReport:
    """Claim up to `limit` unsent emails, send them over SMTP, and mark each sent or failed.

    Raises MailConfigError when the settings cannot work; every SMTP or network failure is
    recorded on its row (attempts, last_error) and the claim released for the next run.
    """
    settings = MailSettings.from_config(current_app.config)
    if timeout is not None:
        settings = replace(settings, timeout=min(settings.timeout, timeout))
    now = clock.now()
    candidates = outbox.claimable_ids(now, limit, appointment_ids)
    claimed = [email_id for email_id in candidates if outbox.claim(email_id, now)]
    db.session.commit()
    report = DeliveryReport()
    if not claimed:
        return report
    rows = db.session.scalars(
        select(OutboundEmail).where(OutboundEmail.id.in_(claimed)).order_by(OutboundEmail.id)
    )
    messages = [(row.id, build_email(row, settings.sender)) for row in rows]
    db.session.commit()

    def fail(email_ids, error: Exception) -> None:
        text = f"{error.__class__.__name__}: {error}"
        for email_id in email_ids:
            outbox.mark_failed(email_id, text)
        db.session.commit()
        report.failed += len(email_ids)
        report.errors.append(text)
        current_app.logger.warning("Delivery of %d email(s) failed: %s", len(email_ids), text)

    try:
        with SmtpConnection(settings) as connection:
            for index, (email_id, message) in enumerate(messages):
                try:
                    connection.send(message)
                except REFUSED as error:
                    fail([email_id], error)
                    continue
                except (OSError, smtplib.SMTPException) as error:
                    # The connection is gone: everything not yet sent waits for the next run.
                    fail([eid for eid, _ in messages[index:]], error)
                    break
                outbox.mark_sent(email_id, clock.now())
                db.session.commit()
                report.sent += 1
    except (OSError, smtplib.SMTPException) as error:
        unsent = [eid for eid, _ in messages][report.sent + report.failed :]
        if unsent:
            fail(unsent, error)
    return report


def send_reminders(now: datetime | None = None) -> ReminderRun:
    """The cron job: queue due reminders, commit, then deliver everything pending."""
    MailSettings.from_config(current_app.config)  # a configuration error stops before queuing
    queued = queue_reminders(now)
    db.session.commit()
    total = DeliveryReport()
    while True:
        report = deliver_pending(DEFAULT_BATCH)
        total.sent += report.sent
        total.failed += report.failed
        total.errors.extend(report.errors)
        # Stop when a batch sent nothing new: the rest is failing or claimed by another sender.
        if report.sent == 0 or report.sent + report.failed < DEFAULT_BATCH:
            break
    return ReminderRun(queued, total.sent, total.failed, tuple(dict.fromkeys(total.errors)))


def note_commit() -> None:
    """Session hook: emails queued in this request are now committed and may be sent."""
    if has_request_context() and g.get("outbox_uncommitted"):
        g.setdefault("outbox_committed", set()).update(g.outbox_uncommitted)
        g.outbox_uncommitted = set()


def note_rollback() -> None:
    if has_request_context() and g.get("outbox_uncommitted"):
        g.outbox_uncommitted = set()


def send_after_commit() -> DeliveryReport | None:
    """Best effort, after the view's commit: deliver the emails this request queued.

    Never raises: a failing mail server only leaves the rows for `send-reminders` to retry.
    """
    if not has_request_context():
        return None
    appointment_ids = g.pop("outbox_committed", None)
    if not appointment_ids:
        return None
    session = db.session
    if session.new or session.dirty or session.deleted:
        # Unflushed changes after the commit are the view's business, not ours to commit.
        return None
    try:
        return deliver_pending(
            REQUEST_BATCH, appointment_ids=sorted(appointment_ids), timeout=REQUEST_TIMEOUT
        )
    except Exception:
        current_app.logger.exception("Could not deliver emails after the request; send-reminders will retry")
        db.session.rollback()
        return None


@dataclass(frozen=True)
class OutboxStatus:
    unsent: int
    failing: int
    last_error: str | None


def outbox_status() -> OutboxStatus:
    """How many emails wait to be sent, how many of those have failed, and the latest error."""
    unsent, failing = db.session.execute(
        select(
            func.count(OutboundEmail.id),
            func.count(OutboundEmail.id).filter(OutboundEmail.last_error.is_not(None)),
        ).where(OutboundEmail.sent_at.is_(None))
    ).one()
    last_error = None
    if failing:
        last_error = db.session.scalar(
            select(OutboundEmail.last_error)
            .where(OutboundEmail.sent_at.is_(None), OutboundEmail.last_error.is_not(None))
            .order_by(OutboundEmail.id.desc())
            .limit(1)
        )
    return OutboxStatus(unsent, failing, last_error)
