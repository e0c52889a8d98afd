"""The mail worker: leases emails so several workers send each once, retries failures with
growing delays up to a bound, hands back what it did not try, and writes files in development."""

import email
import email.policy
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from clinic import clock
from clinic.extensions import db
from clinic.models import OutboundEmail
from clinic.notifications import outbox
from clinic.notifications.services import deliver_pending, outbox_status, run_worker
from tests.notifications_factories import refused_port, smtp_sink_fixture, use_smtp  # noqa: F401


def _queue(count: int, prefix: str = "mail") -> list[str]:
    recipients = [f"{prefix}{n}@example.test" for n in range(count)]
    for n, recipient in enumerate(recipients):
        db.session.add(OutboundEmail(kind="confirmation", dedupe_key=f"{prefix}-{n}", recipient=recipient,
                                     subject=f"Hello {n}", body="Body"))
    db.session.commit()
    return recipients


def _rows():
    db.session.expire_all()
    return db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.id)).all()


def _later(monkeypatch, delay: timedelta) -> None:
    """Moves the clinic's clock forward (the SMTP server's threads keep the real one)."""
    moved_to = clock.now() + delay
    monkeypatch.setattr(clock, "now", lambda: moved_to)


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres_only), "sqlite"])
def test_two_workers_at_once_send_every_email_exactly_once(fresh_app_factory, smtp_sink, backend):
    app = fresh_app_factory(backend, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_sink.port)
    with app.app_context():
        recipients = _queue(40)

    barrier = threading.Barrier(2)
    reports, failures = [], []

    def worker():
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                # Small batches, so the two workers keep coming back for more side by side.
                reports.append(run_worker(once=True, batch=3))
                db.session.remove()
        except Exception as error:  # reported below; a thread cannot fail the test itself
            failures.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    assert len(reports) == 2
    assert sum(report.sent for report in reports) == 40
    assert sum(report.failed for report in reports) == 0
    assert sorted(smtp_sink.recipients()) == sorted(recipients)
    assert len(smtp_sink.envelopes) == 40
    with app.app_context():
        rows = _rows()
        assert all(row.sent_at is not None and row.attempts == 1 and row.claimed_by is None for row in rows)
        assert run_worker(once=True).leased == 0
        db.session.remove()


def test_a_failing_server_leaves_the_email_queued_and_it_is_retried_later(app, smtp_sink, monkeypatch):
    use_smtp(app, monkeypatch, refused_port())
    _queue(1, "retry")
    first = run_worker(once=True)
    assert (first.sent, first.failed) == (0, 1)
    [row] = _rows()
    assert row.sent_at is None and row.attempts == 1 and row.claimed_by is None and row.last_error
    assert row.next_attempt_at is not None and row.next_attempt_at > clock.now()

    use_smtp(app, monkeypatch, smtp_sink.port)
    assert run_worker(once=True).leased == 0  # not before its retry time
    _later(monkeypatch, outbox.FIRST_RETRY + timedelta(seconds=1))
    assert run_worker(once=True).sent == 1
    assert smtp_sink.recipients() == ["retry0@example.test"]
    [row] = _rows()
    assert row.sent_at is not None and row.attempts == 2 and row.last_error is None


def test_retries_wait_longer_each_time_up_to_a_bound():
    delays = [outbox.retry_delay(attempts) for attempts in range(1, outbox.MAX_ATTEMPTS + 1)]
    assert delays[0] == outbox.FIRST_RETRY
    assert delays == sorted(delays) and delays[1] == 2 * delays[0]
    assert max(delays) == outbox.LONGEST_RETRY


def test_after_the_last_attempt_an_email_is_no_longer_retried(app, monkeypatch):
    use_smtp(app, monkeypatch, refused_port())
    _queue(1, "given-up")
    row = _rows()[0]
    row.attempts = outbox.MAX_ATTEMPTS - 1
    db.session.commit()
    assert run_worker(once=True).failed == 1
    _later(monkeypatch, timedelta(days=2))
    assert run_worker(once=True).leased == 0
    assert deliver_pending(due_only=False).leased == 0
    [row] = _rows()
    assert row.attempts == outbox.MAX_ATTEMPTS and row.sent_at is None
    assert outbox_status().given_up == 1


def test_a_crashed_workers_lease_runs_out_and_another_worker_sends_its_emails(app, smtp_sink, monkeypatch):
    use_smtp(app, monkeypatch, smtp_sink.port)
    _queue(2, "crash")
    # A worker leases both emails and dies before sending anything.
    leased = outbox.lease("dead-worker", clock.now(), clock.now() + timedelta(minutes=5), 10)
    db.session.commit()
    assert len(leased) == 2
    assert run_worker(once=True).leased == 0
    _later(monkeypatch, timedelta(minutes=6))
    assert run_worker(once=True).sent == 2
    assert sorted(smtp_sink.recipients()) == ["crash0@example.test", "crash1@example.test"]


def test_a_stopping_worker_hands_back_what_it_leased_and_did_not_try(app, smtp_sink, monkeypatch):
    use_smtp(app, monkeypatch, smtp_sink.port)
    _queue(3, "stop")
    stop = threading.Event()
    stop.set()
    report = deliver_pending(stop=stop)
    assert (report.leased, report.sent, report.failed) == (3, 0, 0)
    assert all(row.claimed_by is None and row.attempts == 0 for row in _rows())
    assert smtp_sink.recipients() == []


def test_a_worker_keeps_polling_until_stopped(app, smtp_sink, monkeypatch):
    use_smtp(app, monkeypatch, smtp_sink.port)
    _queue(1, "poll")
    stop = threading.Event()

    def stop_after_first_round(report):
        stop.set()

    total = run_worker(poll_seconds=60, stop=stop, on_round=stop_after_first_round)
    assert total.sent == 1 and smtp_sink.recipients() == ["poll0@example.test"]


def test_in_development_each_email_is_written_to_a_file(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "files")
    monkeypatch.setitem(app.config, "MAIL_FOLDER", str(tmp_path / "mail"))
    _queue(1, "dev")
    assert run_worker(once=True).sent == 1
    [row] = _rows()
    [written] = (tmp_path / "mail").iterdir()
    assert written.name.endswith(f"-{row.id}.eml")
    message = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert (message["To"], message["Subject"]) == ("dev0@example.test", "Hello 0")
    assert row.sent_at is not None


def test_an_email_that_cannot_be_built_fails_alone_and_the_others_go_out(app, smtp_sink, monkeypatch):
    use_smtp(app, monkeypatch, smtp_sink.port)
    db.session.add(OutboundEmail(kind="confirmation", dedupe_key="bad", recipient="bad@example.test\r\nBcc: x@y.z",
                                 subject="Hello", body="Body"))
    _queue(1, "good")
    report = run_worker(once=True)
    assert (report.sent, report.failed) == (1, 1)
    assert smtp_sink.recipients() == ["good0@example.test"]
    bad = _rows()[0]
    assert bad.sent_at is None and bad.claimed_by is None and "ValueError" in bad.last_error
