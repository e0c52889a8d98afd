"""Availability stays fast as the clinic grows: a fixed number of queries, no write lock for a
public read, and the same slots as the booking rule checked start by start."""

from datetime import datetime, timedelta

import pytest
from flask import jsonify
from freezegun import freeze_time
from sqlalchemy import event

from clinic import clock, database
from clinic.extensions import db
from clinic.models import User
from clinic.scheduling import services
from tests.conftest import require_postgres
from tests.factories import (
    at,
    make_appointment,
    make_client,
    make_owner,
    make_service,
    make_therapist,
    make_time_off,
)

API = "/api/v1"
NOW = "2030-03-01 09:00:00"  # a Friday
DAY = datetime(2030, 3, 4).date()  # the Monday after


@pytest.fixture
def frozen():
    with freeze_time(NOW):
        yield


def _statements(client, url) -> list[str]:
    engine = db.session.get_bind().engine
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    db.session.commit()  # the scene is saved; the request starts from an idle session
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200
    # The test app runs each request in a savepoint of one outer transaction: not the app's own.
    return [s for s in statements if "SAVEPOINT" not in s.upper()]


def _fill(therapists, service, days, per_day):
    for therapist in therapists:
        for d in range(days):
            for i in range(per_day):
                make_appointment(service=service, therapist=therapist, client=make_client(),
                                 start=at(DAY + timedelta(days=d), 9 + 2 * i))
        make_time_off(therapist, at(DAY, 16), at(DAY, 17))


@pytest.mark.parametrize("one_therapist", [True, False])
def test_availability_runs_two_queries_however_busy_the_clinic(client, frozen, one_therapist):
    service = make_service(duration_minutes=60, buffer_minutes=15)
    therapists = [make_therapist(hours=True)]
    focus = f"&therapist_id={therapists[0].id}" if one_therapist else ""
    url = f"{API}/availability?service_id={service.id}&from={DAY}&to={DAY + timedelta(days=13)}{focus}"
    few = _statements(client, url)
    therapists += [make_therapist(hours=True) for _ in range(4)]
    _fill(therapists, service, days=5, per_day=3)
    many = _statements(client, url)
    assert len(many) == len(few) <= 2, many


def test_public_availability_sets_no_cookie(client, frozen):
    service = make_service()
    make_therapist(hours=True)
    db.session.commit()
    response = client.get(f"{API}/availability?service_id={service.id}&from={DAY}&to={DAY}")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert response.mimetype == "application/json"


def test_availability_answers_what_the_booking_rule_allows(client, frozen):
    """Every grid start of two days, checked one by one with schedule_problem (the rule a
    booking is checked against), is offered exactly when that rule finds no problem."""
    service = make_service(duration_minutes=45, buffer_minutes=15)
    long_gap = make_service(duration_minutes=30, buffer_minutes=45)
    busy, idle, away = make_therapist(hours=True), make_therapist(hours=True), make_therapist(hours=True)
    make_therapist()  # no working hours: never offered
    make_therapist(hours=True, is_disabled=True)
    make_appointment(service=service, therapist=busy, start=at(DAY, 10))
    make_appointment(service=long_gap, therapist=busy, start=at(DAY, 13, 15))
    make_appointment(service=service, therapist=busy, start=at(DAY, 11, 30), status="cancelled")
    make_appointment(service=long_gap, therapist=busy, start=at(DAY, 8, 15))  # before hours: its buffer reaches in
    make_appointment(service=service, therapist=away, start=at(DAY + timedelta(days=1), 15))
    make_time_off(away, at(DAY, 12), at(DAY, 14, 10))
    db.session.commit()
    url = f"{API}/availability?service_id={service.id}&from={DAY}&to={DAY + timedelta(days=1)}"
    offered = {(s["therapist_id"], datetime.fromisoformat(s["start"])) for s in client.get(url).get_json()}
    response = client.get(url)
    rows = response.get_json()
    reference = jsonify([
        {"therapist_id": slot.therapist_id, "start": clock.iso(slot.start), "end": clock.iso(slot.end)}
        for slot in services.availability(service.id, DAY, DAY + timedelta(days=1))
    ])
    assert response.get_data() == reference.get_data()  # the very text jsonify wrote before
    assert rows == sorted(rows, key=lambda s: (datetime.fromisoformat(s["start"]), s["therapist_id"]))
    assert all(datetime.fromisoformat(s["end"]) - datetime.fromisoformat(s["start"]) == timedelta(minutes=45)
               for s in rows)

    expected = set()
    not_before = services.booking_not_before()
    first, last = clock.day_range(DAY, DAY + timedelta(days=1))
    start = first
    while start < last:
        for therapist in (busy, idle, away):
            if services.schedule_problem(therapist.id, service, start, not_before=not_before) is None:
                expected.add((therapist.id, start))
        start += timedelta(minutes=15)
    assert offered == expected
    assert {tid for tid, _ in offered} == {busy.id, idle.id, away.id}


def _seed_small(app):
    with app.app_context():
        owner = make_owner()
        therapist = make_therapist(hours=True)
        service = make_service()
        client = make_client()
        db.session.commit()
        return owner.id, therapist.id, service.id, client.id


def test_public_availability_reads_while_a_booking_holds_the_write_lock(fresh_app_factory, frozen, monkeypatch):
    """SQLite: the read takes no write lock, so it neither waits for a writer nor makes the
    next one wait (before, every availability request began with BEGIN IMMEDIATE)."""
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", 200)
    app = fresh_app_factory("sqlite")
    _owner, therapist_id, service_id, _client = _seed_small(app)
    with app.app_context():
        engine = db.engine
    with engine.connect() as holder:
        holder.exec_driver_sql("SELECT 1")  # BEGIN IMMEDIATE: the write lock is held from here
        statements = []

        def record(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            url = f"{API}/availability?service_id={service_id}&therapist_id={therapist_id}&from={DAY}&to={DAY}"
            response = app.test_client().get(url)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        holder.rollback()
    assert response.status_code == 200
    assert response.get_json()[0]["start"] == at(DAY, 9).isoformat()
    assert len(statements) == 2 and not any("BEGIN" in s for s in statements)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_write_after_availability_takes_the_write_lock(fresh_app_factory, frozen, backend):
    """The lock-free read ends with availability: a booking later in the same request still
    begins its transaction with the write lock (SQLite: BEGIN IMMEDIATE)."""
    if backend == "postgresql":
        require_postgres()
    app = fresh_app_factory(backend)
    owner_id, therapist_id, service_id, client_id = _seed_small(app)
    with app.app_context():
        engine = db.engine
        statements = []

        def record(conn, cursor, statement, *args):
            statements.append(statement)

        offered = services.availability(service_id, DAY, DAY, therapist_id)
        assert offered[0].start == at(DAY, 9)
        assert not db.session().in_transaction()
        event.listen(engine, "before_cursor_execute", record)
        try:
            owner = db.session.get(User, owner_id)
            services.book_appointment(
                owner, service_id=service_id, therapist_id=therapist_id, start=offered[0].start,
                client_id=client_id,
            )
            db.session.commit()
        finally:
            event.remove(engine, "before_cursor_execute", record)
        if backend == "sqlite":
            assert statements[0] == "BEGIN IMMEDIATE"
        assert services.availability(service_id, DAY, DAY, therapist_id)[0].start > offered[0].start
