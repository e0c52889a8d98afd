"""Two copies of send-reminders at once still send one email per appointment."""

import threading
from datetime import timedelta

import pytest

from clinic import clock
from clinic.extensions import db
from clinic.notifications.services import send_reminders
from tests.factories import make_appointment, make_client, make_therapist
from tests.notifications_factories import smtp_sink_fixture  # noqa: F401


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres_only), "sqlite"])
def test_two_concurrent_senders_send_each_reminder_once(fresh_app_factory, smtp_sink, backend):
    app = fresh_app_factory(backend, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_sink.port)
    with app.app_context():
        now = clock.now()
        therapist = make_therapist()
        for n in range(12):
            make_appointment(
                therapist=therapist,
                client=make_client(email=f"parallel{n}@example.test"),
                start=now + timedelta(hours=1, minutes=90 * n),
            )
        db.session.commit()

    barrier = threading.Barrier(2)
    runs, failures = [], []

    def sender():
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                runs.append(send_reminders())
                db.session.remove()
        except Exception as error:  # reported below; a thread cannot fail the test itself
            failures.append(error)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    assert len(runs) == 2
    assert sum(run.queued for run in runs) == 12
    assert sum(run.sent for run in runs) == 12
    assert sorted(smtp_sink.recipients()) == sorted(f"parallel{n}@example.test" for n in range(12))
    with app.app_context():
        again = send_reminders()
        db.session.remove()
    assert (again.queued, again.sent) == (0, 0)
    assert len(smtp_sink.envelopes) == 12
