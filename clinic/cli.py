"""Command-line commands: thin wrappers over the services."""

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, inspect, select, text

from clinic.auth.services import create_staff_user
from clinic.errors import DomainError
from clinic.extensions import db
from clinic.models import User


def _require_schema() -> None:
    """Stop with one line, not a traceback, on a database the migrations have not set up."""
    missing = set(db.metadata.tables) - set(inspect(db.session.connection()).get_table_names())
    if missing == set(db.metadata.tables):
        problem = "The database has no tables yet"
    elif missing:
        problem = f"The database lacks the table(s) {', '.join(sorted(missing))}"
    else:
        return
    raise click.ClickException(f"{problem}: run `flask --app wsgi db upgrade` first.")


def _describe(error: DomainError) -> str:
    if error.fields:
        return "; ".join(f"{name}: {' '.join(problems)}" for name, problems in error.fields.items())
    return error.message


@click.command("create-user")
@with_appcontext
@click.option("--role", type=click.Choice(["owner", "therapist", "front_desk"]), required=True)
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", required=True)
def create_user_command(role: str, email: str, name: str, password: str) -> None:
    """Create a staff account (owner, therapist or front desk)."""
    _require_schema()
    try:
        user = create_staff_user(role=role, email=email, name=name, password=password)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(_describe(error)) from None
    db.session.commit()
    click.echo(f"Created {role} {user.email} (id {user.id}).")


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when data already exists.")
def seed_demo_command(if_empty: bool) -> None:
    """Fill an empty database with a realistic demo clinic."""
    from clinic.demo import DEMO_LOGINS, DEMO_PASSWORD, seed_demo_clinic

    _require_schema()
    if db.session.scalar(select(func.count(User.id))):
        if not if_empty:
            raise click.ClickException("The database is not empty; seed-demo only fills an empty one.")
        click.echo("The database already has data; no demo seeded.")
    else:
        seed_demo_clinic()
        db.session.commit()
        click.echo("Demo clinic created.")
    if db.session.scalar(select(func.count(User.id)).where(User.email.in_(e for _, e in DEMO_LOGINS))):
        click.echo(f"Demo logins (password: {DEMO_PASSWORD}):")
        for role, email in DEMO_LOGINS:
            click.echo(f"  {role:<10} {email}")


@click.command("send-reminders")
@click.option(
    "--fail-on-error", is_flag=True,
    help="Exit 1 when any email could not be sent (for monitoring); they stay queued either way.",
)
@with_appcontext
def send_reminders_command(fail_on_error: bool) -> None:
    """Email due appointment reminders and deliver every pending email (meant for cron).

    A failed email is reported and stays queued for the next run; the exit status stays 0 so a
    flaky mail server does not look like a broken command, unless --fail-on-error asks for 1.
    """
    from clinic.notifications.services import MailConfigError, send_reminders

    _require_schema()
    try:
        run = send_reminders()
    except MailConfigError as error:
        db.session.rollback()
        raise click.ClickException(f"Mail is not configured: {error}") from None
    click.echo(f"Reminders queued: {run.queued}. Emails sent: {run.sent}. Failed: {run.failed}.")
    for problem in run.errors:
        click.echo(f"  {problem} (will retry on the next run)")
    if run.failed and fail_on_error:
        raise click.ClickException(f"{run.failed} email(s) not sent; they stay queued for the next run.")


@click.command("mail-worker")
@click.option("--once", is_flag=True, help="Deliver every email that is due, then exit (for cron or tests).")
@click.option(
    "--poll", "poll_seconds", type=click.FloatRange(min=0.1), default=None,
    help="Seconds between looks at the outbox when it is empty (default MAIL_WORKER_POLL_SECONDS, 5).",
)
@click.option(
    "--batch", type=click.IntRange(min=1, max=500), default=20, show_default=True,
    help="Emails leased at a time; other workers take the rest.",
)
@with_appcontext
def mail_worker_command(once: bool, poll_seconds: float | None, batch: int) -> None:
    """Deliver the outbox's email as it is queued, retrying failures, until stopped.

    Several workers may run at once (each email is leased first, so it goes out once); Ctrl+C
    or SIGTERM stops a worker after the email it is sending. A failing mail server never
    stops it: the email waits, is retried later, and the owner's home page counts it.
    """
    import signal
    import threading

    from clinic.notifications.services import MailConfigError, mail_settings, run_worker

    _require_schema()
    db.session.rollback()
    try:
        settings = mail_settings()
    except MailConfigError as error:
        raise click.ClickException(f"Mail is not configured: {error}") from None
    if settings.backend == "files":
        where = f"files in {settings.folder}"
    else:
        where = f"{settings.server}:{settings.port}"
    if poll_seconds is None:
        poll_seconds = float(current_app.config.get("MAIL_WORKER_POLL_SECONDS") or 5)
    stop = threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            # Set from another thread: the handler may interrupt this one inside stop.wait(),
            # holding the lock that stop.set() needs.
            previous[signum] = signal.signal(
                signum, lambda *_: threading.Thread(target=stop.set, daemon=True).start()
            )
    try:
        if once:
            _echo_delivery(run_worker(once=True, batch=batch, stop=stop, before_round=_queue_due_offers))
        else:
            click.echo(f"Mail worker delivering to {where} (Ctrl+C stops it).")
            run_worker(poll_seconds=poll_seconds, batch=batch, stop=stop, on_round=_echo_delivery,
                       before_round=_queue_due_offers)
            click.echo("Mail worker stopped.")
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _queue_due_offers() -> None:
    """Waitlist offers whose care-plan head start is over go out with the worker's next round,
    so they need no cron of their own (send-waitlist-offers still does the same)."""
    from clinic.waitlist.offers import send_due_offers

    send_due_offers()
    db.session.commit()


def _echo_delivery(report) -> None:
    click.echo(f"Emails sent: {report.sent}. Failed: {report.failed}.")
    for problem in dict.fromkeys(report.errors):
        click.echo(f"  {problem} (will retry later)")
@click.command("audit-verify")
@with_appcontext
def audit_verify_command() -> None:
    """Check the audit log's hash chain: exit 0 when intact, 1 naming the first bad entry."""
    from clinic.audit import verify_chain

    _require_schema()
    check = verify_chain()
    if not check.intact:
        click.echo(check.describe())
        raise SystemExit(1)
    click.echo(check.describe())


@click.command("grant-app-role")
@with_appcontext
@click.argument("role")
def grant_app_role_command(role: str) -> None:
    """Give a PostgreSQL role just what the app needs (run as the migration role after `db upgrade`).

    Reads and inserts everywhere, updates and deletes only where the app changes rows: never on
    signed notes, amendments, technique rows or the audit log, nor on the schema's version.
    """
    from clinic.models.append_only import app_role_grants

    _require_schema()
    if db.session.get_bind().dialect.name != "postgresql":
        raise click.ClickException("Roles and grants are a PostgreSQL matter; SQLite has no roles.")
    try:
        statements = app_role_grants(role, set(db.metadata.tables))
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    for statement in statements:
        db.session.execute(text(statement))
    db.session.commit()
    click.echo(f"Granted {role} what the app needs; signed notes and audit entries it may only add and read.")
def _deliver_now() -> str:
    """Deliver what is queued, as send-reminders does; the mail worker would also send it."""
    from clinic.notifications.services import DEFAULT_BATCH, MailConfigError, deliver_pending

    try:
        report = deliver_pending(DEFAULT_BATCH)
    except MailConfigError as error:
        db.session.rollback()
        return f"Not sent yet (mail is not configured: {error})."
    return f"Emails sent: {report.sent}. Failed: {report.failed}."


@click.command("send-recalls")
@with_appcontext
def send_recalls_command() -> None:
    """Invite maintenance clients with nothing booked to book their next session (for cron, daily).

    Each client is recalled once per expected date, however often this runs.
    """
    from clinic.waitlist.recall_emails import queue_recalls

    _require_schema()
    queued = queue_recalls()
    db.session.commit()
    click.echo(f"Recalls queued: {queued}. {_deliver_now()}")


@click.command("send-waitlist-offers")
@with_appcontext
def send_waitlist_offers_command() -> None:
    """Email the waitlist offers held back for a care-plan client's head start, once it is over
    (for cron, every few minutes). Offers whose time has gone meanwhile are dropped."""
    from clinic.waitlist.offers import send_due_offers

    _require_schema()
    queued = send_due_offers()
    db.session.commit()
    click.echo(f"Waitlist offers queued: {queued}. {_deliver_now()}")


def init_app(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(send_reminders_command)
    app.cli.add_command(mail_worker_command)
    app.cli.add_command(audit_verify_command)
    app.cli.add_command(grant_app_role_command)
    app.cli.add_command(send_recalls_command)
    app.cli.add_command(send_waitlist_offers_command)
