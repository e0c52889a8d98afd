"""Through the API: a failing mail server never breaks a booking, and the email waits for a retry."""

from datetime import UTC, datetime

from sqlalchemy import select

from clinic.extensions import db
from clinic.models import Appointment, OutboundEmail
from clinic.notifications.services import deliver_pending
from tests.factories import bearer, make_client, make_owner, make_service, make_therapist
from tests.notifications_factories import refused_port, smtp_sink_fixture, use_smtp  # noqa: F401


def _book(client, headers, service, therapist, patient):
    return client.post(
        "/api/v1/appointments",
        headers=headers,
        json={"service_id": service.id, "therapist_id": therapist.id, "client_id": patient.id,
              "start": datetime(2030, 1, 7, 10, tzinfo=UTC).isoformat()},
    )


def test_a_booking_succeeds_with_a_refused_smtp_port_and_the_email_is_retried(
    app, client, smtp_sink, monkeypatch
):
    use_smtp(app, monkeypatch, refused_port())
    owner, therapist, service = make_owner(), make_therapist(hours=True), make_service()
    patient = make_client(email="patient@example.test")
    response = _book(client, bearer(client, owner), service, therapist, patient)
    assert response.status_code == 201, response.get_json()
    appointment_id = response.get_json()["id"]
    assert db.session.get(Appointment, appointment_id).status == "booked"
    [row] = db.session.scalars(select(OutboundEmail).where(OutboundEmail.appointment_id == appointment_id))
    # The request tried once after its commit, failed, and left the row for the next run.
    assert row.sent_at is None and row.attempts == 1 and row.last_error

    use_smtp(app, monkeypatch, smtp_sink.port)
    assert deliver_pending().sent == 1
    assert smtp_sink.recipients() == ["patient@example.test"]


def test_a_booking_request_delivers_its_confirmation_after_the_commit(app, client, smtp_sink, monkeypatch):
    use_smtp(app, monkeypatch, smtp_sink.port)
    owner, therapist, service = make_owner(), make_therapist(hours=True), make_service()
    patient = make_client(email="instant@example.test")
    response = _book(client, bearer(client, owner), service, therapist, patient)
    assert response.status_code == 201
    assert smtp_sink.recipients() == ["instant@example.test"]
    row = db.session.scalar(select(OutboundEmail).where(OutboundEmail.recipient == "instant@example.test"))
    assert row.sent_at is not None


def test_a_rejected_booking_queues_and_sends_nothing(app, client, smtp_sink, monkeypatch):
    use_smtp(app, monkeypatch, smtp_sink.port)
    owner, therapist, service = make_owner(), make_therapist(hours=True), make_service()
    headers = bearer(client, owner)
    assert _book(client, headers, service, therapist, make_client()).status_code == 201
    clash = _book(client, headers, service, therapist, make_client(email="clash@example.test"))
    assert clash.status_code == 409
    assert "clash@example.test" not in smtp_sink.recipients()
    assert db.session.scalar(select(OutboundEmail).where(OutboundEmail.recipient == "clash@example.test")) is None
