"""Racing care plans for one therapist's slots: one whole plan wins, the others book nothing.

Each attempt is a real request on its own connection and commits for real (SQLite: one
database file; PostgreSQL: its own database).
"""

import threading
from datetime import UTC, datetime, time

from sqlalchemy import func, select

from clinic.auth.services import issue_token
from clinic.extensions import db
from clinic.models import Appointment, CarePlan
from tests.factories import make_client, make_owner, make_service, make_therapist, monday

ATTEMPTS = 6
WEEKLY, MAINTENANCE = 4, 2


def test_racing_plans_book_one_whole_plan_and_nothing_else(fresh_app_factory, db_backend):
    overrides = {}
    if db_backend == "postgresql":
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_size": ATTEMPTS + 2, "max_overflow": 0}
    app = fresh_app_factory(db_backend, **overrides)
    with app.app_context():
        therapist = make_therapist(hours=True)
        service = make_service(duration_minutes=60, buffer_minutes=15)
        clients = [make_client() for _ in range(ATTEMPTS)]
        token = issue_token(make_owner())
        db.session.commit()
        first = datetime.combine(monday(2), time(10), tzinfo=UTC)
        bodies = [
            {
                "client_id": c.id,
                "therapist_id": therapist.id,
                "service_id": service.id,
                # Staggered by 15 minutes: every pair of plans overlaps in every week.
                "first_start": first.replace(minute=15 * (i % 3)).isoformat(),
                "weekly_sessions": WEEKLY,
                "maintenance_sessions": MAINTENANCE,
            }
            for i, c in enumerate(clients)
        ]
        therapist_id = therapist.id

    barrier = threading.Barrier(ATTEMPTS)
    results: list = []
    lock = threading.Lock()

    def attempt(body: dict) -> None:
        web = app.test_client()
        barrier.wait()
        response = web.post("/api/v1/care-plans", json=body, headers={"Authorization": f"Bearer {token}"})
        payload = response.get_json() or {}
        with lock:
            results.append((response.status_code, payload.get("error", {}).get("code")))

    threads = [threading.Thread(target=attempt, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(results) == ATTEMPTS
    assert [code for code, _ in results].count(201) == 1, results
    assert all((code, error) == (409, "schedule_conflict") for code, error in results if code != 201), results
    with app.app_context():
        assert db.session.scalar(select(func.count(CarePlan.id))) == 1
        booked = db.session.scalar(
            select(func.count(Appointment.id)).where(
                Appointment.therapist_id == therapist_id, Appointment.status != "cancelled"
            )
        )
        assert booked == WEEKLY + MAINTENANCE
