"""Emails to clients: queued with the change, delivered outside requests.

No request talks to a mail server. Services queue emails in the outbox inside their own
transaction (`outbox.enqueue`), and two things deliver them:
- `run_worker()` (the `mail-worker` CLI, started beside the web server): delivers emails as
  they are queued, retrying failures with growing delays, until stopped. Several may run at
  once: each leases its rows first, so every email goes out once.
- `send_reminders()` (the `send-reminders` CLI, meant for cron): queues due reminders, then
  delivers everything pending, retrying earlier failures.
Both commit their own short transactions, so call them with nothing of yours pending.
"""

import os
import secrets
import smtplib
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from clinic import clock
from clinic.extensions import db
from clinic.models import Appointment, AppointmentStatus, Client, OutboundEmail
from clinic.notifications import outbox
from clinic.notifications.mailer import MailConfigError, MailSettings, build_email, open_mailbox
from clinic.notifications.messages import REMINDER, compose

__all__ = [
    "DeliveryReport",
    "MailConfigError",
    "OutboxStatus",
    "ReminderRun",
    "deliver_pending",
    "mail_settings",
    "outbox_status",
    "queue_reminders",
    "run_worker",
    "send_reminders",
]

DEFAULT_BATCH = 200
# A worker leases this many rows at a time, so several workers share a burst of emails.
WORKER_BATCH = 20
DEFAULT_LEASE_SECONDS = 300
# The server refused one message; the connection is still good for the others.
REFUSED = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


@dataclass
class DeliveryReport:
    leased: int = 0
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: "DeliveryReport") -> None:
        self.leased += other.leased
        self.sent += other.sent
        self.failed += other.failed
        self.errors.extend(other.errors)


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


def mail_settings() -> MailSettings:
    """The app's mail settings; files go to instance/mail unless MAIL_FOLDER says otherwise."""
    default_folder = str(Path(current_app.instance_path) / "mail")
    return MailSettings.from_config(current_app.config, default_folder=default_folder)


def worker_name() -> str:
    """Names a sender's leases: the host and process, and a token for threads and runs."""
    return f"{socket.gethostname()[:40]}/{os.getpid()}/{secrets.token_hex(4)}"


def _lease_length(settings: MailSettings) -> timedelta:
    seconds = current_app.config.get("MAIL_LEASE_SECONDS") or DEFAULT_LEASE_SECONDS
    # Never shorter than a few slow SMTP conversations, or no row could be sent in time.
    return timedelta(seconds=max(float(seconds), 6 * settings.timeout))


def deliver_pending(
    limit: int = DEFAULT_BATCH, *, worker: str | None = None, due_only: bool = True,
    stop: threading.Event | None = None,
) -> DeliveryReport:
    """Lease up to `limit` unsent emails, deliver them, and mark each sent or failed.

    Raises MailConfigError when the settings cannot work; every SMTP or network failure is
    recorded on its row (attempts, last_error, next_attempt_at) and the lease released. Rows
    left untried (asked to stop, or the lease running short) are handed back. `due_only=False`
    also retries failed rows whose retry time has not come yet.
    """
    settings = mail_settings()
    worker = worker or worker_name()
    now = clock.now()
    leased_until = now + _lease_length(settings)
    # Stop starting new messages this long before the lease ends: one more could outlast it.
    margin = timedelta(seconds=3 * settings.timeout)
    leased = outbox.lease(worker, now, leased_until, limit, due_only=due_only)
    db.session.commit()
    report = DeliveryReport(leased=len(leased))
    if not leased:
        return report
    rows = db.session.scalars(
        select(OutboundEmail).where(OutboundEmail.id.in_(leased)).order_by(OutboundEmail.id)
    )
    pending, unbuildable = {}, {}
    for row in rows:
        try:
            pending[row.id] = (row.attempts, build_email(row, settings.sender))
        except (ValueError, TypeError) as error:  # e.g. a line break in an address
            pending[row.id] = (row.attempts, None)
            unbuildable[row.id] = error
    db.session.commit()

    def fail(email_ids, error: Exception) -> None:
        text = f"{error.__class__.__name__}: {error}"
        failed_at = clock.now()
        for email_id in email_ids:
            attempts, _message = pending.pop(email_id)
            outbox.mark_failed(email_id, worker, text, failed_at + outbox.retry_delay(attempts))
        db.session.commit()
        report.failed += len(email_ids)
        report.errors.append(text)
        current_app.logger.warning("Delivery of %d email(s) failed: %s", len(email_ids), text)

    for email_id, error in unbuildable.items():
        fail([email_id], error)
    if not pending:
        return report
    try:
        with open_mailbox(settings) as mailbox:
            for email_id in sorted(pending):
                if (stop is not None and stop.is_set()) or clock.now() + margin > leased_until:
                    break
                _attempts, message = pending[email_id]
                try:
                    mailbox.send(message, email_id)
                except REFUSED as error:
                    fail([email_id], error)
                    continue
                except (OSError, smtplib.SMTPException) as error:
                    # The connection is gone: everything not yet sent waits for a retry.
                    fail(sorted(pending), error)
                    break
                pending.pop(email_id)
                outbox.mark_sent(email_id, worker, clock.now())
                db.session.commit()
                report.sent += 1
    except (OSError, smtplib.SMTPException) as error:
        if pending:
            fail(sorted(pending), error)
    if pending:
        outbox.release(sorted(pending), worker)
        db.session.commit()
    return report


def run_worker(
    *, once: bool = False, poll_seconds: float = 5.0, batch: int = WORKER_BATCH,
    stop: threading.Event | None = None, on_round: Callable[[DeliveryReport], None] | None = None,
    before_round: Callable[[], None] | None = None,
) -> DeliveryReport:
    """The mail worker: deliver emails as they are queued until `stop` is set.

    `before_round` queues email that has come due by itself (waitlist offers whose head start
    is over) and commits, so it leaves in the same round.

    With `once`, deliver everything due and return. A failing mail server is only logged (the
    rows wait for their retry); so is a database that is briefly unreachable. A configuration
    that cannot work raises MailConfigError before anything is leased.
    """
    mail_settings()
    stop = stop or threading.Event()
    worker = worker_name()
    total = DeliveryReport()
    while not stop.is_set():
        try:
            if before_round is not None:
                before_round()
            report = deliver_pending(batch, worker=worker, stop=stop)
        except Exception:
            # A database that is down, or a bug: the worker carries on, and rows it had
            # leased are retried when their lease runs out.
            db.session.rollback()
            if once:
                raise
            current_app.logger.exception("The mail worker's round failed; trying again shortly")
            report = DeliveryReport()
        total.add(report)
        if report.leased and on_round is not None:
            on_round(report)
        if report.leased == batch:
            continue  # more may be waiting
        if once:
            break
        stop.wait(poll_seconds)
    return total


def send_reminders(now: datetime | None = None) -> ReminderRun:
    """The cron job: queue due reminders, commit, then deliver everything pending."""
    mail_settings()  # a configuration error stops before queuing
    queued = queue_reminders(now)
    db.session.commit()
    total = DeliveryReport()
    while True:
        report = deliver_pending(DEFAULT_BATCH, due_only=False)
        total.add(report)
        # Stop when a batch sent nothing new: the rest is failing or leased by another sender.
        if report.sent == 0 or report.leased < DEFAULT_BATCH:
            break
    return ReminderRun(queued, total.sent, total.failed, tuple(dict.fromkeys(total.errors)))


# An email nobody has tried for this long means no mail worker is running.
UNTRIED_WARNING = timedelta(minutes=10)


@dataclass(frozen=True)
class OutboxStatus:
    unsent: int
    failing: int
    given_up: int
    untried: int

    @property
    def worth_telling(self) -> bool:
        return bool(self.failing or self.untried)


def outbox_status() -> OutboxStatus:
    """How many emails wait to be sent; how many of those have failed, and how many failed so
    often that nobody retries them any more (the errors are in the worker's log); and how many
    nobody has even tried for a while (no mail worker running)."""
    unsent, failing, given_up, untried = db.session.execute(
        select(
            func.count(OutboundEmail.id),
            func.count(OutboundEmail.id).filter(OutboundEmail.last_error.is_not(None)),
            func.count(OutboundEmail.id).filter(
                OutboundEmail.attempts >= outbox.MAX_ATTEMPTS, OutboundEmail.last_error.is_not(None)
            ),
            func.count(OutboundEmail.id).filter(
                OutboundEmail.attempts == 0, OutboundEmail.created_at < clock.now() - UNTRIED_WARNING
            ),
        ).where(OutboundEmail.sent_at.is_(None))
    ).one()
    return OutboxStatus(unsent, failing, given_up, untried)
