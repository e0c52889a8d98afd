"""Fixtures: one app per database backend, one rolled-back transaction per test.

Database-dependent tests run on PostgreSQL whenever it is reachable (127.0.0.1:5432, or
TEST_DATABASE_URL); under CI=true an unreachable PostgreSQL fails the run instead of
skipping. Service tests (tests/services) run on both SQLite and PostgreSQL.
"""

import os
import shutil
import tempfile
import uuid
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import freezegun
import pytest
import sqlalchemy as sa
from flask_sqlalchemy.session import _app_ctx_id
from hypothesis import settings as hypothesis_settings
from sqlalchemy.orm import scoped_session, sessionmaker

from clinic import create_app
from clinic.extensions import db
from config import TestConfig

IN_CI = os.environ.get("CI", "").lower() == "true"

# "Now" for the whole run: a fixed instant that then ticks at real speed, so a test passes or
# fails the same way on any day at any hour. CLINIC_TEST_NOW picks another instant (ISO 8601,
# UTC) and `real` runs on the wall clock; .ci/run replays the suite at the awkward instants
# (Monday 00:30, Sunday 23:30, both daylight-saving changes, the real now). A test about a
# particular time still nests its own freeze_time.
DEFAULT_TEST_NOW = "2026-12-09T10:07:00+00:00"
TEST_NOW = os.environ.get("CLINIC_TEST_NOW", "").strip() or DEFAULT_TEST_NOW
# Libraries whose own timeouts and scheduling must keep real time under the frozen clock.
REAL_TIME_MODULES = ["playwright", "greenlet", "asyncio", "hypothesis", "aiosmtpd", "redis",
                     "sqlalchemy.pool", "psycopg2", "werkzeug.serving", "socketserver", "selectors"]
_frozen_clock = None


def pytest_configure(config):
    global _frozen_clock
    if TEST_NOW.lower() != "real" and _frozen_clock is None:
        freezegun.configure(extend_ignore_list=REAL_TIME_MODULES)
        _frozen_clock = freezegun.freeze_time(datetime.fromisoformat(TEST_NOW), tick=True, real_asyncio=True)
        _frozen_clock.start()


def pytest_unconfigure(config):
    global _frozen_clock
    if _frozen_clock is not None:
        _frozen_clock.stop()
        _frozen_clock = None


def pytest_report_header(config):
    return f"clinic test clock: {'the real now' if TEST_NOW.lower() == 'real' else TEST_NOW + ' (ticking)'}"

# Speed is measured by `make bench`, never asserted by a test: Hypothesis's per-example
# deadline would fail rule tests whenever the machine is busy.
hypothesis_settings.register_profile("clinic", deadline=None)
hypothesis_settings.load_profile("clinic")
POSTGRES_ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _postgres_reachable() -> str | None:
    """None when PostgreSQL answers; otherwise why not."""
    try:
        engine = sa.create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as error:
        return f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {error.__class__.__name__}"
    return None


POSTGRES_PROBLEM = _postgres_reachable()


def require_postgres() -> None:
    """Skip (or, under CI, fail) a test that needs PostgreSQL when it is not there."""
    if POSTGRES_PROBLEM:
        if IN_CI:
            pytest.fail(f"CI must run the PostgreSQL tests. {POSTGRES_PROBLEM}")
        pytest.skip(POSTGRES_PROBLEM)


PRIMARY_BACKEND = "sqlite" if POSTGRES_PROBLEM and not IN_CI else "postgresql"
# Service tests run on both databases; a clock replay may narrow that (CLINIC_TEST_BACKENDS),
# since the full run has already compared the two at the fixed instant.
SERVICE_BACKENDS = tuple(
    name for name in os.environ.get("CLINIC_TEST_BACKENDS", "sqlite,postgresql").split(",")
    if name in ("sqlite", "postgresql")
) or ("sqlite", "postgresql")


@contextmanager
def scratch_database(backend: str):
    """A new, empty database URL on `backend`, dropped afterwards."""
    if backend == "sqlite":
        folder = tempfile.mkdtemp(prefix="clinic-test-")
        try:
            yield f"sqlite:///{Path(folder) / 'clinic.db'}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    require_postgres()
    name = f"clinic_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def make_test_config(database_url: str, **overrides) -> TestConfig:
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = database_url
    config.FAST_PASSWORD_HASHING = True
    config.WTF_CSRF_ENABLED = False
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


@pytest.fixture(scope="session")
def _apps():
    """One app and schema per backend, built lazily and kept for the whole session."""
    apps = {}
    stack = []

    def get(backend: str):
        if backend not in apps:
            manager = scratch_database(backend)
            url = manager.__enter__()
            stack.append(manager)
            app = create_app(make_test_config(url))
            app.config["UPLOAD_FOLDER"] = tempfile.mkdtemp(prefix="clinic-uploads-")
            with app.app_context():
                db.create_all()
            apps[backend] = app
        return apps[backend]

    yield get
    for app in apps.values():
        with app.app_context():
            db.engine.dispose()
    for manager in reversed(stack):
        manager.__exit__(None, None, None)


def pytest_generate_tests(metafunc):
    if "db_backend" in metafunc.fixturenames:
        in_services = "/tests/services/" in str(metafunc.definition.path).replace(os.sep, "/")
        backends = list(SERVICE_BACKENDS) if in_services else [PRIMARY_BACKEND]
        if metafunc.definition.get_closest_marker("postgres_only"):
            # PostgreSQL features (exclusion constraints): not generated for SQLite at all,
            # so nothing is skipped silently; require_postgres() decides run, skip or fail.
            backends = ["postgresql"]
        metafunc.parametrize("db_backend", backends, indirect=True)


@pytest.fixture
def db_backend(request):
    if request.param == "postgresql":
        require_postgres()
    return request.param


@pytest.fixture
def app(_apps, db_backend):
    """The app, with every session of the test joined to one outer transaction."""
    app = _apps(db_backend)
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original_session = db.session
        factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        db.session = scoped_session(factory, scopefunc=_app_ctx_id)
        try:
            yield app
        finally:
            db.session.remove()
            db.session = original_session
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def fresh_app_factory():
    """Apps on their own empty database, where the test commits for real (concurrency tests)."""
    managers = []
    made = []

    def make(backend: str, **overrides):
        manager = scratch_database(backend)
        url = manager.__enter__()
        managers.append(manager)
        app = create_app(make_test_config(url, **overrides))
        with app.app_context():
            db.create_all()
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    for manager in reversed(managers):
        manager.__exit__(None, None, None)
