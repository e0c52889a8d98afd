"""Two clients claim one freed start at the same moment, each on its own connection, with
real commits on PostgreSQL: one booking, the other a plain 409, and still on the waitlist."""

import re
import threading
from datetime import UTC, datetime, time

import pytest
from sqlalchemy import func, select

from clinic.auth.services import issue_token
from clinic.extensions import db
from clinic.models import Appointment, OutboundEmail, WaitlistEntry
from clinic.scheduling import services as scheduling
from clinic.waitlist import offers, services
from tests.conftest import require_postgres
from tests.factories import make_appointment, make_client, make_owner, make_service, make_therapist, monday


@pytest.fixture
def postgres_app(fresh_app_factory):
    require_postgres()
    return fresh_app_factory("postgresql", SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 6, "max_overflow": 0})


def _seed(app) -> dict:
    """Two clients waiting; a third cancels the visit they both want (committed)."""
    start = datetime.combine(monday(2), time(10), tzinfo=UTC)
    with app.test_request_context():
        owner, therapist, service = make_owner(), make_therapist(hours=True), make_service()
        waiting = [make_client(), make_client()]
        for client in waiting:
            services.join_waitlist(client.user, service_id=service.id, first_day=start.date(),
                                   last_day=start.date())
        visit = make_appointment(service=service, therapist=therapist, start=start)
        db.session.commit()
        scheduling.cancel_appointment(owner, visit.id)
        db.session.commit()
        bodies = {row.recipient: row.body for row in db.session.scalars(
            select(OutboundEmail).where(OutboundEmail.kind == offers.OFFER_KIND))}
        claims = [
            (issue_token(client.user), re.search(r"offer=([A-Za-z0-9_-]+)", bodies[client.email]).group(1))
            for client in waiting
        ]
        db.session.commit()
        return {"claims": claims, "therapist_id": therapist.id, "client_ids": [c.id for c in waiting]}


def test_two_clients_claiming_one_offer_at_once_get_one_booking_and_one_409(postgres_app):
    seed = _seed(postgres_app)
    barrier = threading.Barrier(2)
    results = []
    lock = threading.Lock()

    def claim(bearer: str, token: str) -> None:
        web = postgres_app.test_client()
        barrier.wait()
        response = web.post(f"/api/v1/waitlist/offers/{token}/claim",
                            headers={"Authorization": f"Bearer {bearer}"})
        with lock:
            results.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=claim, args=pair) for pair in seed["claims"]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    codes = sorted(code for code, _ in results)
    assert codes == [201, 409], results
    loser = next(body for code, body in results if code == 409)
    assert loser["error"]["code"] == "slot_unavailable"
    with postgres_app.app_context():
        booked = db.session.scalar(select(func.count(Appointment.id)).where(
            Appointment.therapist_id == seed["therapist_id"], Appointment.status == "booked"))
        assert booked == 1
        still_waiting = db.session.scalar(select(func.count(WaitlistEntry.id)).where(
            WaitlistEntry.client_id.in_(seed["client_ids"]), WaitlistEntry.ended_at.is_(None)))
        assert still_waiting == 1
