"""A course of care is announced once, with every session, not once per session."""

from datetime import UTC, datetime

import icalendar
from sqlalchemy import select

from clinic.care_plans.services import create_care_plan, extend_care_plan
from clinic.extensions import db
from clinic.models import OutboundEmail
from clinic.notifications.services import deliver_pending
from tests.factories import make_client, make_owner, make_service, make_therapist
from tests.notifications_factories import ics_attachment, smtp_sink_fixture, use_smtp  # noqa: F401

MONDAY_10 = datetime(2030, 1, 7, 10, tzinfo=UTC)


def _outbox():
    return db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.id)).all()


def test_a_new_plan_sends_one_email_listing_every_session(app, smtp_sink, monkeypatch):
    use_smtp(app, monkeypatch, smtp_sink.port)
    owner, therapist = make_owner(), make_therapist(hours=True, name="Tess Therapist")
    service = make_service(name="Hip relief 60")
    client = make_client(name="Cora Client", email="cora@example.test")
    plan = create_care_plan(
        owner, client_id=client.id, therapist_id=therapist.id, service_id=service.id,
        first_start=MONDAY_10, weekly_sessions=4, maintenance_sessions=2,
    )
    [queued] = _outbox()
    assert queued.kind == "care_plan" and queued.recipient == "cora@example.test"
    db.session.commit()

    assert deliver_pending().sent == 1
    [message] = smtp_sink.messages
    assert message["Subject"] == "Your course of care: 6 sessions from Monday 7 January 2030 at 10:00"
    body = message.get_body(("plain",)).get_content()
    assert body.count("  - ") == 6
    events = icalendar.Calendar.from_ical(ics_attachment(message)).walk("VEVENT")
    assert sorted(e.decoded("dtstart") for e in events) == [a.starts_at for a in plan.appointments]


def test_extending_a_plan_announces_the_new_sessions_once(app):
    owner, therapist, service = make_owner(), make_therapist(hours=True), make_service()
    client = make_client(email="cora@example.test")
    plan = create_care_plan(
        owner, client_id=client.id, therapist_id=therapist.id, service_id=service.id,
        first_start=MONDAY_10, weekly_sessions=2, maintenance_sessions=1,
    )
    extend_care_plan(owner, plan.id, 2)
    kinds = [e.kind for e in _outbox()]
    # The first plan email, one for the extension; the moved maintenance session is not
    # announced as a separate cancellation or booking.
    assert kinds == ["care_plan", "care_plan"]
