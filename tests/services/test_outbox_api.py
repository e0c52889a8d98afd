"""Through the API: a booking never talks to the mail server; the mail worker delivers later."""

from datetime import UTC, datetime

from sqlalchemy import select

from clinic.extensions import db
from clinic.models import Appointment, OutboundEmail
from clinic.notifications.services import run_worker
from tests.factories import bearer, make_client, make_owner, make_service, make_therapist
from tests.notifications_factories import (  # noqa: F401
    hanging_smtp_fixture,
    refused_port,
    smtp_sink_fixture,
    use_smtp,
)


def _book(client, headers, service, therapist, patient):
    return client.post(
        "/api/v1/appointments",
        headers=headers,
        json={"service_id": service.id, "therapist_id": therapist.id, "client_id": patient.id,
              "start": datetime(2030, 1, 7, 10, tzinfo=UTC).isoformat()},
    )


def _row(recipient):
    return db.session.scalar(select(OutboundEmail).where(OutboundEmail.recipient == recipient))


def test_a_booking_never_connects_to_a_mail_server_that_hangs(app, client, hanging_smtp, monkeypatch):
    use_smtp(app, monkeypatch, hanging_smtp.port)
    owner, therapist, service = make_owner(), make_therapist(hours=True), make_service()
    patient = make_client(email="patient@example.test")
    response = _book(client, bearer(client, owner), service, therapist, patient)
    assert response.status_code == 201, response.get_json()
    assert db.session.get(Appointment, response.get_json()["id"]).status == "booked"
    assert hanging_smtp.connections == 0
    row = _row("patient@example.test")
    assert row.sent_at is None and row.attempts == 0 and row.last_error is None


def test_a_booking_with_a_refused_smtp_port_succeeds_and_the_worker_delivers_later(
    app, client, smtp_sink, monkeypatch
):
    use_smtp(app, monkeypatch, refused_port())
    owner, therapist, service = make_owner(), make_therapist(hours=True), make_service()
    response = _book(client, bearer(client, owner), service, therapist, make_client(email="later@example.test"))
    assert response.status_code == 201, response.get_json()
    assert _row("later@example.test").attempts == 0  # nobody tried during the request

    use_smtp(app, monkeypatch, smtp_sink.port)
    assert run_worker(once=True).sent == 1
    assert smtp_sink.recipients() == ["later@example.test"]
    db.session.expire_all()
    assert _row("later@example.test").sent_at is not None


def test_the_request_leaves_the_confirmation_to_the_worker(app, client, smtp_sink, monkeypatch):
    use_smtp(app, monkeypatch, smtp_sink.port)
    owner, therapist, service = make_owner(), make_therapist(hours=True), make_service()
    response = _book(client, bearer(client, owner), service, therapist, make_client(email="queued@example.test"))
    assert response.status_code == 201
    assert smtp_sink.recipients() == []
    assert run_worker(once=True).sent == 1
    assert smtp_sink.recipients() == ["queued@example.test"]


def test_a_rejected_booking_queues_and_sends_nothing(app, client, smtp_sink, monkeypatch):
    use_smtp(app, monkeypatch, smtp_sink.port)
    owner, therapist, service = make_owner(), make_therapist(hours=True), make_service()
    headers = bearer(client, owner)
    assert _book(client, headers, service, therapist, make_client()).status_code == 201
    clash = _book(client, headers, service, therapist, make_client(email="clash@example.test"))
    assert clash.status_code == 409
    run_worker(once=True)
    assert "clash@example.test" not in smtp_sink.recipients()
    assert _row("clash@example.test") is None
