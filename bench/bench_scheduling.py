"""Scheduling benchmark: availability and booking through the WSGI app on a busy clinic.

Seeds a scratch database (SQLite, and PostgreSQL when reachable) with 20 therapists and
50,000 appointments, then times GET /api/v1/availability (one service, 14 days, all
therapists) and POST /api/v1/appointments with app.test_client(). Goal: availability
median under 30 ms.
"""

import os
import random
import secrets
import shutil
import statistics
import tempfile
import time as timer
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa

THERAPISTS = 20
APPOINTMENTS = 50_000
CLIENTS = 500
AVAILABILITY_RUNS = 40
BOOKING_RUNS = 40
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
# Candidate starts in a working day 08:00-20:00: 60-minute visits with room for 15-minute buffers.
PAST_STATUSES = ["completed"] * 8 + ["cancelled", "no_show"]
DAY_STARTS = [time(8), time(9, 30), time(11), time(12, 30), time(14), time(15, 30), time(17), time(18, 30)]


def _config(url: str):
    from config import TestConfig

    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = url
    config.FAST_PASSWORD_HASHING = True
    config.TESTING = False
    return config


def _seed(app) -> dict:
    from clinic import clock
    from clinic.auth.services import issue_token
    from clinic.extensions import db
    from clinic.models import Appointment, Client, Role, Service, Therapist, User, WorkingHours

    rng = random.Random(7)
    with app.app_context():
        db.create_all()
        owner = User(role=Role.OWNER, email="owner@bench.test", name="Owner", password_hash="x")
        db.session.add(owner)
        services = [
            Service(name="Hip relief 60", duration_minutes=60, price_cents=6500, buffer_minutes=15),
            Service(name="Deep tissue 90", duration_minutes=90, price_cents=9000, buffer_minutes=15),
        ]
        db.session.add_all(services)
        therapist_ids = []
        for n in range(THERAPISTS):
            user = User(
                role=Role.THERAPIST, email=f"t{n}@bench.test", name=f"Therapist {n:02d}", password_hash="x"
            )
            db.session.add(user)
            db.session.flush()
            db.session.add(Therapist(id=user.id, calendar_token=secrets.token_urlsafe(16)))
            for weekday in range(6):
                db.session.add(
                    WorkingHours(therapist_id=user.id, weekday=weekday, starts_at=time(8), ends_at=time(20))
                )
            therapist_ids.append(user.id)
        clients = [Client(name=f"Client {n}", email=f"c{n}@bench.test") for n in range(CLIENTS)]
        db.session.add_all(clients)
        db.session.flush()
        client_ids = [c.id for c in clients]

        today = clock.today()
        per_therapist = APPOINTMENTS // THERAPISTS
        rows = []
        service = services[0]
        for tid in therapist_ids:
            day, made = today + timedelta(days=30), 0
            while made < per_therapist:
                if day.weekday() < 6:
                    for start_time in rng.sample(DAY_STARTS, 6):
                        start = clock.local_datetime(day, start_time)
                        past = start < clock.now()
                        status = rng.choice(PAST_STATUSES) if past else "booked"
                        rows.append({
                            "client_id": rng.choice(client_ids), "therapist_id": tid,
                            "service_id": service.id, "starts_at": start,
                            "ends_at": start + timedelta(minutes=60), "buffer_minutes": 15,
                            "price_cents": service.price_cents, "status": status,
                        })
                        made += 1
                        if made == per_therapist:
                            break
                day -= timedelta(days=1)
        for chunk in range(0, len(rows), 5000):
            db.session.execute(sa.insert(Appointment), rows[chunk : chunk + 5000])
        token = issue_token(owner)
        db.session.commit()
        # A live database has statistics (autovacuum / the planner's defaults); after a bulk load
        # they are missing until analysed, and PostgreSQL would plan as if the table were empty.
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        return {"service_id": service.id, "token": token, "today": today}


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def _measure(app, seed: dict) -> dict:
    web = app.test_client()
    first = seed["today"] + timedelta(days=1)
    last = first + timedelta(days=13)
    url = f"/api/v1/availability?service_id={seed['service_id']}&from={first}&to={last}"
    for _ in range(3):
        assert web.get(url).status_code == 200
    timings = []
    slots = []
    for _ in range(AVAILABILITY_RUNS):
        began = timer.perf_counter()
        response = web.get(url)
        timings.append((timer.perf_counter() - began) * 1000)
        assert response.status_code == 200
        slots = response.get_json()
    availability = _percentiles(timings)

    headers = {"Authorization": f"Bearer {seed['token']}"}
    used, targets = set(), []
    for slot in slots:
        key = (slot["therapist_id"], slot["start"][:10])
        if key not in used:
            used.add(key)
            targets.append(slot)
        if len(targets) == BOOKING_RUNS:
            break
    timings, created = [], 0
    for n, slot in enumerate(targets):
        body = {
            "service_id": seed["service_id"], "therapist_id": slot["therapist_id"],
            "start": slot["start"], "client_id": 1 + n,
        }
        began = timer.perf_counter()
        response = web.post("/api/v1/appointments", json=body, headers=headers)
        timings.append((timer.perf_counter() - began) * 1000)
        created += response.status_code == 201
    booking = _percentiles(timings) if timings else (float("nan"), float("nan"))
    return {"slots": len(slots), "availability": availability, "booking": booking, "created": created,
            "posts": len(timings)}


@contextmanager
def _sqlite_url():
    folder = tempfile.mkdtemp(prefix="clinic-bench-")
    try:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _postgres_url():
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    name = f"clinic_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _run(label: str, url_manager) -> dict | None:
    from clinic import create_app
    from clinic.extensions import db

    try:
        manager = url_manager()
        url = manager.__enter__()
    except Exception as error:  # PostgreSQL not reachable: report and carry on
        print(f"{label}: skipped ({error.__class__.__name__})")
        return None
    try:
        app = create_app(_config(url))
        app.logger.setLevel("ERROR")  # no mail server here: keep failed-delivery warnings out of the report
        began = timer.perf_counter()
        seed = _seed(app)
        seeded = timer.perf_counter() - began
        result = _measure(app, seed)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        manager.__exit__(None, None, None)
    a_med, a_p95 = result["availability"]
    b_med, b_p95 = result["booking"]
    print(f"{label}: seeded {THERAPISTS} therapists, {APPOINTMENTS:,} appointments in {seeded:.1f} s")
    print(f"  GET  /api/v1/availability (14 days, all therapists, {result['slots']} slots): "
          f"median {a_med:.1f} ms, p95 {a_p95:.1f} ms over {AVAILABILITY_RUNS} runs")
    print(f"  POST /api/v1/appointments: median {b_med:.1f} ms, p95 {b_p95:.1f} ms "
          f"over {result['posts']} bookings ({result['created']} created)")
    return result


def main() -> None:
    started = datetime.now(UTC)
    print(f"Scheduling benchmark, {started:%Y-%m-%d %H:%M} UTC")
    _run("SQLite", _sqlite_url)
    _run("PostgreSQL", _postgres_url)


if __name__ == "__main__":
    main()
