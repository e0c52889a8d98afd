"""How long the owner's summary takes over 200,000 appointments with notes.

Seeds a scratch SQLite database (and a scratch PostgreSQL database when one answers at
TEST_DATABASE_URL or 127.0.0.1:5432) with bulk inserts, then times
GET /api/v1/reports/summary through the WSGI app for a month, a year and the whole history.
Goal: under 200 ms. Run with `make bench` or `python -m bench.bench_reports`.

For profiling: BENCH_KEEP=1 keeps the scratch databases (their URLs are printed), and
BENCH_SQLITE_URL / BENCH_POSTGRES_URL time an already-seeded database instead of seeding one.
"""

import os
import random
import secrets
import shutil
import statistics
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall
from pathlib import Path

import sqlalchemy as sa

from clinic import create_app
from clinic.auth.passwords import hash_password
from clinic.extensions import db
from clinic.models import (
    Appointment,
    Client,
    NoteTechnique,
    Service,
    SessionNote,
    Therapist,
    TimeOff,
    User,
    WorkingHours,
)
from config import TestConfig

APPOINTMENTS = int(os.environ.get("BENCH_APPOINTMENTS", "200000"))
THERAPISTS = 40
CLIENTS = 5000
SLOTS_PER_DAY = 10  # hourly from 08:00, every day of the week
FIRST_DAY = date(2025, 1, 1)
GOAL_MS = 200
REPEATS = 7
CHUNK = 10_000
TECHNIQUES = ("swedish", "deep_tissue", "myofascial_release", "trigger_point", "stretching",
              "heat_therapy", "cold_therapy")
OWNER_EMAIL = "bench-owner@example.test"
OWNER_PASSWORD = "bench-password-1"
POSTGRES_ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _config(url: str) -> TestConfig:
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = url
    config.FAST_PASSWORD_HASHING = True
    return config


PRICES = {n + 1: 5000 + 500 * n for n in range(5)}  # service id -> price in cents

def _insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(sa.insert(model), rows[start : start + CHUNK])


def seed(now: datetime) -> tuple[date, date]:
    """Bulk-insert the clinic; returns the first and last day with appointments."""
    rng = random.Random(42)
    owner = User(
        role="owner", email=OWNER_EMAIL, name="Bench Owner", password_hash=hash_password(OWNER_PASSWORD)
    )
    db.session.add(owner)
    db.session.flush()
    _insert(User, [
        {"id": 1000 + n, "role": "therapist", "email": f"t{n}@bench.test", "name": f"Therapist {n}",
         "password_hash": "x"} for n in range(THERAPISTS)
    ])
    therapist_ids = [1000 + n for n in range(THERAPISTS)]
    _insert(Therapist, [{"id": tid, "calendar_token": secrets.token_hex(8)} for tid in therapist_ids])
    _insert(WorkingHours, [
        {"therapist_id": tid, "weekday": weekday, "starts_at": wall(8), "ends_at": wall(18)}
        for tid in therapist_ids for weekday in range(7)
    ])
    _insert(Service, [
        {"id": n + 1, "name": f"Massage {n}", "duration_minutes": 60, "price_cents": PRICES[n + 1],
         "buffer_minutes": 0} for n in range(5)
    ])
    _insert(Client, [
        {"id": n + 1, "name": f"Client {n}", "email": f"c{n}@bench.test",
         "flagged_since": now - timedelta(days=3) if n % 50 == 0 else None}
        for n in range(CLIENTS)
    ])
    per_therapist = -(-APPOINTMENTS // THERAPISTS)
    days = -(-per_therapist // SLOTS_PER_DAY)
    appointments, notes, techniques = [], [], []
    off = []
    for index, tid in enumerate(therapist_ids):
        for slot in range(per_therapist):
            if len(appointments) >= APPOINTMENTS:
                break
            day = FIRST_DAY + timedelta(days=slot // SLOTS_PER_DAY)
            start = datetime.combine(day, wall(8 + slot % SLOTS_PER_DAY), tzinfo=UTC)
            roll = rng.random()
            if start > now:
                status = "cancelled" if roll < 0.05 else "booked"
            else:
                status = "completed" if roll < 0.78 else "no_show" if roll < 0.86 else "cancelled"
            appointment_id = len(appointments) + 1
            service_id = rng.randint(1, 5)
            appointments.append({
                "id": appointment_id, "client_id": rng.randint(1, CLIENTS), "therapist_id": tid,
                "service_id": service_id, "starts_at": start, "ends_at": start + timedelta(hours=1),
                "buffer_minutes": 0, "price_cents": PRICES[service_id], "status": status,
                "created_at": start - timedelta(days=7),
                "late_cancellation": status == "cancelled" and roll > 0.97,
            })
            if status == "completed":
                before = rng.randint(3, 9)
                after = max(before - rng.randint(0, 4), 0)
                notes.append({
                    "id": len(notes) + 1, "appointment_id": appointment_id, "author_id": tid,
                    "signed_at": start + timedelta(hours=1), "areas": ["hip"], "pain_before": before,
                    "pain_after": after,
                })
                for code in rng.sample(TECHNIQUES, rng.randint(1, 3)):
                    techniques.append({"note_id": len(notes), **NoteTechnique.copied_values(
                        code, session_start=start, pain_before=before, pain_after=after
                    )})
        if index % 4 == 0:
            start = datetime.combine(FIRST_DAY + timedelta(days=30 + index), wall(0), tzinfo=UTC)
            off.append({"therapist_id": tid, "starts_at": start, "ends_at": start + timedelta(days=3)})
    _insert(Appointment, appointments)
    _insert(SessionNote, notes)
    _insert(NoteTechnique, techniques)
    _insert(TimeOff, off)
    db.session.commit()
    return FIRST_DAY, FIRST_DAY + timedelta(days=days - 1)


def _analyze() -> None:
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()


def time_summary(app, ranges: dict[str, tuple[date, date]]) -> dict[str, tuple[float, float]]:
    """(median, best) milliseconds per named range, through the WSGI app with a bearer token."""
    client = app.test_client()
    token = client.post("/api/v1/tokens", json={"email": OWNER_EMAIL, "password": OWNER_PASSWORD})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    results = {}
    for name, (first, last) in ranges.items():
        url = f"/api/v1/reports/summary?from={first}&to={last}"
        response = client.get(url, headers=headers)  # warm-up; also checks it answers
        assert response.status_code == 200, response.get_data(as_text=True)
        samples = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        results[name] = (statistics.median(samples), min(samples))
    return results


def run(backend: str, url: str, seeded: bool = False) -> dict[str, tuple[float, float]]:
    app = create_app(_config(url))
    with app.app_context():
        if seeded:
            first, last = (db.session.execute(
                sa.select(sa.func.min(Appointment.starts_at), sa.func.max(Appointment.starts_at))
            ).one())
            first, last = first.date(), last.date()
        else:
            db.create_all()
            started = time.perf_counter()
            first, last = seed(datetime.now(UTC))
            took = time.perf_counter() - started
            print(f"  {backend}: seeded {APPOINTMENTS:,} appointments in {took:.1f} s ({first} to {last})")
            _analyze()
        month_start = first + timedelta(days=180)
        ranges = {
            "one month": (month_start, month_start + timedelta(days=30)),
            "one year": (first, first + timedelta(days=364)),
            "everything": (first, last),
        }
        results = time_summary(app, ranges)
        db.session.remove()
        db.engine.dispose()
    return results


def _postgres_database():
    try:
        admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT",
                                 connect_args={"connect_timeout": 3})
        with admin.connect() as connection:
            name = f"clinic_bench_{uuid.uuid4().hex[:10]}"
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        print(f"  PostgreSQL skipped: {error.__class__.__name__}")
        return None, None
    return admin, name


def main() -> int:
    report = {}
    keep = os.environ.get("BENCH_KEEP") == "1"
    if os.environ.get("BENCH_SQLITE_URL"):
        report["SQLite"] = run("SQLite", os.environ["BENCH_SQLITE_URL"], seeded=True)
    else:
        folder = tempfile.mkdtemp(prefix="clinic-bench-")
        try:
            report["SQLite"] = run("SQLite", f"sqlite:///{Path(folder) / 'bench.db'}")
        finally:
            if keep:
                print(f"  kept BENCH_SQLITE_URL=sqlite:///{Path(folder) / 'bench.db'}")
            else:
                shutil.rmtree(folder, ignore_errors=True)
    if os.environ.get("BENCH_POSTGRES_URL"):
        report["PostgreSQL"] = run("PostgreSQL", os.environ["BENCH_POSTGRES_URL"], seeded=True)
    else:
        admin, name = _postgres_database()
        if admin is not None:
            url = admin.url.set(database=name).render_as_string(False)
            try:
                report["PostgreSQL"] = run("PostgreSQL", url)
            finally:
                if keep:
                    print(f"  kept BENCH_POSTGRES_URL={url}")
                else:
                    with admin.connect() as connection:
                        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
    print(f"\n| database | range | median ms | best ms | goal < {GOAL_MS} ms |")
    print("|---|---|---|---|---|")
    worst = 0.0
    for backend, results in report.items():
        for name, (median, best) in results.items():
            worst = max(worst, median)
            verdict = "ok" if median < GOAL_MS else "SLOW"
            print(f"| {backend} | {name} | {median:.0f} | {best:.0f} | {verdict} |")
    return 0 if worst < GOAL_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
