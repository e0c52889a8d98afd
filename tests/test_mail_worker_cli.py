"""flask mail-worker: `--once` drains the outbox and summarises; without it the worker runs
until stopped (SIGTERM or Ctrl+C) and finishes cleanly. Development writes files, not SMTP."""

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import select

import config
from clinic import create_app
from clinic.extensions import db
from clinic.models import OutboundEmail
from tests.conftest import make_test_config
from tests.notifications_factories import refused_port, smtp_sink_fixture, use_smtp  # noqa: F401

PROJECT = Path(__file__).resolve().parent.parent


def _queue(recipient: str) -> None:
    db.session.add(OutboundEmail(kind="confirmation", recipient=recipient, subject="Hello", body="Body"))
    db.session.commit()


def test_once_delivers_what_is_queued_and_says_so(app, runner, smtp_sink, monkeypatch):
    use_smtp(app, monkeypatch, smtp_sink.port)
    _queue("once@example.test")
    result = runner.invoke(args=["mail-worker", "--once"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Emails sent: 1. Failed: 0."
    assert smtp_sink.recipients() == ["once@example.test"]
    again = runner.invoke(args=["mail-worker", "--once"])
    assert again.output.strip() == "Emails sent: 0. Failed: 0."


def test_a_down_mail_server_is_reported_and_the_worker_still_succeeds(app, runner, monkeypatch):
    use_smtp(app, monkeypatch, refused_port())
    _queue("down@example.test")
    result = runner.invoke(args=["mail-worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "Emails sent: 0. Failed: 1." in result.output and "(will retry later)" in result.output
    row = db.session.scalar(select(OutboundEmail).where(OutboundEmail.recipient == "down@example.test"))
    assert row.sent_at is None and row.attempts == 1


def test_a_configuration_error_exits_non_zero_and_leases_nothing(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SENDER", "")
    _queue("nobody@example.test")
    result = runner.invoke(args=["mail-worker", "--once"])
    assert result.exit_code == 1
    assert "Mail is not configured" in result.output and "MAIL_SENDER" in result.output
    assert db.session.scalar(select(OutboundEmail.attempts)) == 0


def test_development_writes_files_and_production_and_tests_use_smtp(monkeypatch):
    for name in ("MAIL_BACKEND", "MAIL_SERVER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("DATABASE_URL", "postgresql://clinic@127.0.0.1/clinic")
    assert config.DevelopmentConfig().MAIL_BACKEND == "files"
    assert config.ProductionConfig().MAIL_BACKEND == "smtp"
    assert config.TestConfig().MAIL_BACKEND == "smtp"
    monkeypatch.setenv("MAIL_SERVER", "127.0.0.1")  # a named server is meant to be used
    assert config.DevelopmentConfig().MAIL_BACKEND == "smtp"
    monkeypatch.setenv("MAIL_BACKEND", "files")
    assert config.DevelopmentConfig().MAIL_BACKEND == "files"


def test_a_running_worker_delivers_until_sigterm_stops_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    app = create_app(make_test_config(url))
    with app.app_context():
        db.create_all()
        _queue("running@example.test")
        db.engine.dispose()
    environment = {
        **os.environ, "CLINIC_ENV": "development", "DATABASE_URL": url,
        "MAIL_FOLDER": str(tmp_path / "mail"), "MAIL_BACKEND": "files", "SECRET_KEY": "x" * 32,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "mail-worker", "--poll", "0.2"],
        cwd=PROJECT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    # A safety net for a broken worker, not a timing assertion.
    guard = threading.Timer(120, worker.kill)
    guard.start()
    try:
        lines = []
        for line in worker.stdout:
            lines.append(line.strip())
            if line.startswith("Emails sent:"):
                break
        assert lines[0].startswith(f"Mail worker delivering to files in {tmp_path / 'mail'}"), lines
        assert lines[-1] == "Emails sent: 1. Failed: 0.", lines
        worker.send_signal(signal.SIGTERM)
        rest = worker.stdout.read()
        assert worker.wait() == 0, rest
        assert "Mail worker stopped." in rest
    finally:
        guard.cancel()
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        worker.stdout.close()
    [written] = (tmp_path / "mail").iterdir()
    assert b"To: running@example.test" in written.read_bytes()
