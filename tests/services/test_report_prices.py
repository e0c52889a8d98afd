"""Revenue is what was charged: a later price-list change does not rewrite past revenue."""

from datetime import UTC, datetime

from clinic.extensions import db
from clinic.reports.services import summary_report
from clinic.scheduling.services import book_appointment, update_service
from tests.factories import make_client, make_owner, make_service, make_therapist

MONDAY_10 = datetime(2030, 1, 7, 10, tzinfo=UTC)


def test_revenue_keeps_the_price_at_booking_time(app):
    owner, therapist, client = make_owner(), make_therapist(hours=True), make_client()
    service = make_service(price_cents=6500)
    appointment = book_appointment(
        owner, service_id=service.id, therapist_id=therapist.id, start=MONDAY_10, client_id=client.id
    )
    assert appointment.price_cents == 6500
    appointment.status = "completed"
    update_service(
        owner, service.id, name=service.name, duration_minutes=service.duration_minutes,
        price_cents=9900, buffer_minutes=service.buffer_minutes,
    )
    db.session.flush()
    day = MONDAY_10.date()
    assert summary_report(owner, day, day).revenue_cents == 6500
