"""`seed-demo` on an empty database builds a clinic someone can click through, and that looks
like a real clinic: courses of weekly then monthly visits, nobody in two places at once, notes
signed soon after their sessions, a few clients held for clearance."""

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from clinic import clock, create_app
from clinic.extensions import db
from clinic.intake.status import GRANTED, REQUIRED, clearance_summaries
from clinic.models import (
    Appointment,
    AppointmentStatus,
    CarePlan,
    ClearanceLetter,
    Client,
    OutboundEmail,
    Service,
    SessionNote,
    Therapist,
    User,
)
from tests.conftest import PRIMARY_BACKEND, make_test_config, scratch_database

LIVE = AppointmentStatus.CANCELLED


@pytest.fixture(scope="module")
def demo_app():
    """One demo clinic, seeded through the command, for every check below."""
    with scratch_database(PRIMARY_BACKEND) as url:
        app = create_app(make_test_config(url))
        with app.app_context():
            db.create_all()
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        assert "owner@demo.clinic" in result.output
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def demo(demo_app):
    with demo_app.app_context():
        yield
        db.session.rollback()


def count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def test_seed_demo_fills_an_empty_database_and_refuses_a_second_time(demo_app, demo):
    assert db.session.scalar(select(func.count(User.id)).where(User.role == "owner")) == 1
    assert db.session.scalar(select(func.count(Therapist.id))) == 4
    assert db.session.scalar(select(func.count(Client.id))) >= 40
    assert db.session.scalar(select(func.count(Service.id))) >= 3
    assert db.session.scalar(select(func.count(Appointment.id))) >= 200
    for email in ("owner@demo.clinic", "maya@demo.clinic", "clara@demo.clinic", "samuel@demo.clinic",
                  "ingrid@demo.clinic"):
        assert db.session.scalar(select(User).where(User.email == email)) is not None, email
    assert db.session.scalar(select(Service).where(Service.name == "Hip relief massage 60 min"))
    assert db.session.scalar(select(func.count(OutboundEmail.id))) == 0  # made-up history is not news
    again = demo_app.test_cli_runner().invoke(args=["seed-demo"])
    assert again.exit_code != 0


def test_the_demo_clinic_has_contact_details_a_currency_and_described_services(fresh_app_factory, db_backend):
    from clinic.models import ClinicSettings

    app = fresh_app_factory(db_backend)
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        saved = db.session.get(ClinicSettings, 1)
        assert saved.currency == "GBP" and saved.phone and saved.email and saved.address
        assert all(s.description for s in db.session.scalars(select(Service)))


def test_no_client_is_in_two_places_at_once(demo):
    other = aliased(Appointment)
    clashes = select(Appointment.id).join(other, other.client_id == Appointment.client_id).where(
        Appointment.id < other.id,
        Appointment.status != LIVE,
        other.status != LIVE,
        Appointment.starts_at < other.ends_at,
        other.starts_at < Appointment.ends_at,
    )
    assert count(clashes) == 0


def test_no_therapist_is_in_two_rooms_at_once(demo):
    other = aliased(Appointment)
    clashes = select(Appointment.id).join(other, other.therapist_id == Appointment.therapist_id).where(
        Appointment.id < other.id,
        Appointment.status != LIVE,
        other.status != LIVE,
        Appointment.starts_at < other.ends_at,
        other.starts_at < Appointment.ends_at,
    )
    assert count(clashes) == 0


def test_courses_are_weekly_then_monthly_at_one_time_of_day(demo):
    plans = db.session.scalars(select(CarePlan)).all()
    assert len(plans) >= 20
    for plan in plans:
        visits = db.session.scalars(
            select(Appointment).where(Appointment.care_plan_id == plan.id).order_by(Appointment.starts_at)
        ).all()
        assert len(visits) == plan.weekly_sessions + plan.maintenance_sessions
        local = [clock.to_local(v.starts_at) for v in visits]
        gaps = [(b.date() - a.date()).days for a, b in pairwise(local)]
        weekly = gaps[: plan.weekly_sessions - 1]
        monthly = gaps[plan.weekly_sessions - 1:]
        assert set(weekly) <= {7}, (plan.id, gaps)
        assert set(monthly) <= {28, 35}, (plan.id, gaps)
        assert len({t.time() for t in local}) == 1


def test_nobody_visits_more_than_a_course_of_care_allows(demo):
    """At most five visits in any four weeks (weekly, with a drop-in at most)."""
    starts = defaultdict(list)
    for client_id, start in db.session.execute(
        select(Appointment.client_id, Appointment.starts_at).where(Appointment.status != LIVE)
    ):
        starts[client_id].append(start)
    for client_id, visits in starts.items():
        visits.sort()
        for n, first in enumerate(visits):
            within = [v for v in visits[n:] if v < first + timedelta(days=28)]
            assert len(within) <= 5, (client_id, within)


def test_notes_are_signed_minutes_to_hours_after_their_sessions_in_the_past(demo):
    rows = db.session.execute(
        select(SessionNote.signed_at, Appointment.ends_at).join(
            Appointment, Appointment.id == SessionNote.appointment_id)
    ).all()
    assert len(rows) >= 50
    now = clock.now()
    for signed_at, ends_at in rows:
        assert ends_at + timedelta(minutes=2) <= signed_at <= ends_at + timedelta(hours=5)
        assert signed_at < now
    minutes = {signed_at.replace(second=0, microsecond=0) for signed_at, _ in rows}
    assert len(minutes) > len(rows) * 0.8  # not all signed in one sitting


def test_a_few_clients_are_held_one_with_a_letter_waiting_and_some_cleared_with_restrictions(demo):
    ids = db.session.scalars(select(Client.id)).all()
    summaries = clearance_summaries(ids, clock.today())
    held = [cid for cid, s in summaries.items() if s.status == REQUIRED]
    restricted = [cid for cid, s in summaries.items() if s.status == GRANTED and s.restrictions]
    assert 3 <= len(held) <= 6
    assert restricted
    waiting = db.session.scalars(select(ClearanceLetter).where(ClearanceLetter.clearance_id.is_(None))).all()
    assert len(waiting) == 1 and waiting[0].client_id in held
    ingrid = db.session.scalar(select(Client).where(Client.email == "ingrid@demo.clinic"))
    clara = db.session.scalar(select(Client).where(Client.email == "clara@demo.clinic"))
    assert ingrid.id in held and clara.id not in held


def test_the_demo_reaches_back_some_weeks_and_ahead_some_weeks(demo):
    first, last = db.session.execute(
        select(func.min(Appointment.starts_at), func.max(Appointment.starts_at))).one()
    now = clock.now()
    assert now - first >= timedelta(weeks=4)
    assert last - now >= timedelta(weeks=3)
    ahead = count(select(Appointment.id).where(
        Appointment.starts_at.between(now, now + timedelta(days=14)), Appointment.status != LIVE))
    assert ahead >= 30


def _fingerprint(app) -> list[tuple]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            select(Client.email, User.email, Appointment.starts_at, Appointment.status)
            .join(Client, Client.id == Appointment.client_id)
            .join(User, User.id == Appointment.therapist_id)
            .order_by(Appointment.starts_at, Client.email)
        )]


def test_one_day_always_gets_the_same_clinic(fresh_app_factory):
    apps = [fresh_app_factory("sqlite"), fresh_app_factory("sqlite")]
    prints = []
    for app in apps:
        with freeze_time(datetime(2026, 12, 9, 10, 7, tzinfo=UTC)):
            assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
            prints.append(_fingerprint(app))
    assert prints[0] == prints[1] and len(prints[0]) >= 200
