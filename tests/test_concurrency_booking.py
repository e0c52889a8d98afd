"""No double booking under real concurrency, each attempt on its own connection.

PostgreSQL: 50 threads post the same slot through the API; exactly one gets 201 and the
others 409 slot_unavailable, both with the service's lock-and-recheck and with the
exclusion constraint alone. SQLite: several processes on one database file.
"""

import multiprocessing
import threading
import time as time_module
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from clinic.auth.services import issue_token
from clinic.errors import BookingConflict
from clinic.extensions import db
from clinic.models import Appointment, User
from tests.conftest import make_test_config, require_postgres
from tests.factories import make_client, make_owner, make_service, make_therapist, monday

ATTEMPTS = 50


def _seed(app, clients: int) -> dict:
    """Commit a therapist with hours, a service and `clients` clients with tokens."""
    with app.app_context():
        therapist = make_therapist(hours=True)
        service = make_service(duration_minutes=60, buffer_minutes=15)
        people = [make_client() for _ in range(clients)]
        tokens = [issue_token(p.user) for p in people]
        db.session.commit()
        start = datetime.combine(monday(2), time(10), tzinfo=UTC)
        return {
            "body": {"service_id": service.id, "therapist_id": therapist.id, "start": start.isoformat()},
            "tokens": tokens,
            "therapist_id": therapist.id,
        }


def _race(app, seed) -> list:
    barrier = threading.Barrier(len(seed["tokens"]))
    results: list = []
    lock = threading.Lock()

    def attempt(token: str) -> None:
        web = app.test_client()
        barrier.wait()
        response = web.post("/api/v1/appointments", json=seed["body"],
                            headers={"Authorization": f"Bearer {token}"})
        with lock:
            results.append((response.status_code, (response.get_json() or {}).get("error", {}).get("code")))

    threads = [threading.Thread(target=attempt, args=(token,)) for token in seed["tokens"]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _booked_count(app, therapist_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(Appointment.id)).where(
                Appointment.therapist_id == therapist_id, Appointment.status != "cancelled"
            )
        )


def _assert_one_winner(results) -> None:
    assert len(results) == ATTEMPTS
    assert sorted(code for code, _ in results).count(201) == 1, results
    assert all((code, error) == (409, "slot_unavailable") for code, error in results if code != 201), results


@pytest.fixture
def postgres_app(fresh_app_factory):
    require_postgres()
    return fresh_app_factory(
        "postgresql", SQLALCHEMY_ENGINE_OPTIONS={"pool_size": ATTEMPTS + 5, "max_overflow": 0}
    )


def test_fifty_threads_on_postgresql_book_one_slot_once(postgres_app):
    seed = _seed(postgres_app, ATTEMPTS)
    _assert_one_winner(_race(postgres_app, seed))
    assert _booked_count(postgres_app, seed["therapist_id"]) == 1


def test_exclusion_constraint_alone_prevents_double_booking(postgres_app, monkeypatch):
    """With the lock and the re-check switched off, the database still lets only one through."""
    from clinic.scheduling import booking

    monkeypatch.setattr(booking, "lock_therapist_schedule", lambda therapist_id: None)
    monkeypatch.setattr(booking, "schedule_problem", lambda *args, **kwargs: None)
    seed = _seed(postgres_app, ATTEMPTS)
    _assert_one_winner(_race(postgres_app, seed))
    assert _booked_count(postgres_app, seed["therapist_id"]) == 1


def test_a_deadlock_in_the_constraint_check_is_a_409_for_one_and_a_booking_for_the_other(
    postgres_app, monkeypatch
):
    """Two transactions each hold a row the other is about to clash with: PostgreSQL aborts one
    as a deadlock inside the exclusion check, which must come back as slot_unavailable."""
    from clinic.scheduling import booking

    monkeypatch.setattr(booking, "lock_therapist_schedule", lambda therapist_id: None)
    monkeypatch.setattr(booking, "schedule_problem", lambda *args, **kwargs: None)
    with postgres_app.app_context():
        owner = make_owner()
        therapist = make_therapist(hours=True)
        service = make_service(duration_minutes=60, buffer_minutes=0)
        clients = [make_client(), make_client()]
        db.session.commit()
        ids = {"owner": owner.id, "therapist": therapist.id, "service": service.id,
               "clients": [c.id for c in clients]}
    first, second = (datetime.combine(monday(2), time(hour), tzinfo=UTC) for hour in (10, 12))
    holding = threading.Barrier(2)
    outcomes: dict = {}

    def writer(name: str, held: datetime, wanted: datetime, client_id: int, pause: float) -> None:
        with postgres_app.app_context():
            db.session.add(Appointment(
                client_id=client_id, therapist_id=ids["therapist"], service_id=ids["service"],
                starts_at=held, ends_at=held + timedelta(hours=1), buffer_minutes=0, price_cents=0,
            ))
            db.session.flush()
            holding.wait()
            time_module.sleep(pause)
            try:
                booking.book_appointment(
                    db.session.get(User, ids["owner"]), service_id=ids["service"],
                    therapist_id=ids["therapist"], start=wanted, client_id=client_id,
                )
                db.session.commit()
                outcomes[name] = "booked"
            except BookingConflict:
                db.session.rollback()
                outcomes[name] = "slot_unavailable"

    threads = [
        threading.Thread(target=writer, args=("a", first, second, ids["clients"][0], 0)),
        threading.Thread(target=writer, args=("b", second, first, ids["clients"][1], 0.3)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes.values()) == ["booked", "slot_unavailable"], outcomes
    assert _booked_count(postgres_app, ids["therapist"]) == 2


def test_one_client_booking_two_therapists_at_once_gets_one_visit(postgres_app):
    """Two tabs, two therapists, one client, one time: the client's lock lets only one through."""
    tabs = 10
    with postgres_app.app_context():
        therapists = [make_therapist(hours=True) for _ in range(tabs)]
        service = make_service(duration_minutes=60, buffer_minutes=0)
        person = make_client()
        token = issue_token(person.user)
        db.session.commit()
        ids, service_id = [t.id for t in therapists], service.id
    start = datetime.combine(monday(2), time(10), tzinfo=UTC).isoformat()
    barrier = threading.Barrier(tabs)
    results: list = []

    def tab(therapist_id: int) -> None:
        web = postgres_app.test_client()
        barrier.wait()
        response = web.post("/api/v1/appointments", headers={"Authorization": f"Bearer {token}"},
                            json={"service_id": service_id, "therapist_id": therapist_id, "start": start})
        results.append(response.status_code)

    threads = [threading.Thread(target=tab, args=(therapist_id,)) for therapist_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == [201] + [409] * (tabs - 1), results


def _book_in_process(url: str, body: dict, token: str, barrier, results) -> None:
    from clinic import create_app

    app = create_app(make_test_config(url))
    web = app.test_client()
    barrier.wait()
    response = web.post("/api/v1/appointments", json=body, headers={"Authorization": f"Bearer {token}"})
    results.put((response.status_code, (response.get_json() or {}).get("error", {}).get("code")))


def test_processes_on_one_sqlite_file_book_one_slot_once(fresh_app_factory):
    app = fresh_app_factory("sqlite")
    processes = 8
    seed = _seed(app, processes)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        db.engine.dispose()
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes)
    results = context.Queue()
    workers = [
        context.Process(target=_book_in_process, args=(url, seed["body"], token, barrier, results))
        for token in seed["tokens"]
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(code for code, _ in outcomes) == [201] + [409] * (processes - 1), outcomes
    assert all(error == "slot_unavailable" for code, error in outcomes if code == 409)
    assert _booked_count(app, seed["therapist_id"]) == 1


def test_sqlite_write_lock_is_taken_before_the_check(fresh_app_factory):
    """The reason the SQLite path is safe: a transaction starts with BEGIN IMMEDIATE."""
    app = fresh_app_factory("sqlite")
    seen = []
    with app.app_context():
        from sqlalchemy import event

        def record(conn, cursor, statement, *args):
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            db.session.execute(select(1))
            db.session.rollback()
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    assert seen[0] == "BEGIN IMMEDIATE"
