"""A restarted PostgreSQL costs users nothing once it is back: pooled connections it dropped are
noticed and replaced before a request uses them (pool_pre_ping)."""

import sqlalchemy as sa

from clinic.extensions import db
from tests.conftest import POSTGRES_ADMIN_URL, require_postgres
from tests.factories import make_service


def _drop_the_apps_connections(app) -> int:
    """What a database restart does to the app: every server process of its database ends."""
    with app.app_context():
        name = db.engine.url.database
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            return len(connection.execute(
                sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"),
                {"name": name},
            ).all())
    finally:
        admin.dispose()


def _serve_after_restart(app):
    with app.app_context():
        make_service(name="Hip relief")
        db.session.commit()
    client = app.test_client()
    assert client.get("/api/v1/services").status_code == 200  # a pooled connection now exists
    assert _drop_the_apps_connections(app) >= 1
    return client.get("/api/v1/services")


def test_the_first_request_after_a_database_restart_succeeds(fresh_app_factory):
    require_postgres()
    app = fresh_app_factory("postgresql")
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    response = _serve_after_restart(app)
    assert response.status_code == 200
    assert [s["name"] for s in response.get_json()] == ["Hip relief"]


def test_without_pre_ping_that_request_would_fail(fresh_app_factory):
    """The other side of the test above: the dropped connection really is reused without it."""
    require_postgres()
    app = fresh_app_factory("postgresql", SQLALCHEMY_ENGINE_OPTIONS={})
    assert _serve_after_restart(app).status_code == 500
