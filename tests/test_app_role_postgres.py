"""On PostgreSQL the app runs as a role that owns nothing and may not UPDATE or DELETE signed
notes, amendments, technique rows or audit entries: migrations run as a separate role, which
then grants the app role what it needs (`flask grant-app-role`). The clinic works under it,
and the database refuses changes to those rows twice over: by permission and by trigger."""

import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from freezegun import freeze_time

from clinic import create_app
from clinic.auth.services import create_staff_user
from clinic.extensions import db
from tests.care_factories import NOTE_BODY
from tests.conftest import POSTGRES_ADMIN_URL, make_test_config, scratch_database
from tests.intake_factories import CLEAR_JSON

pytestmark = pytest.mark.postgres_only
PASSWORD = "correct-horse-42"
# Each append-only table, with a column to "change" to itself.
PROTECTED = {"session_notes": "plan", "note_amendments": "text", "note_techniques": "technique",
             "audit_entries": "detail"}


def _admin(url: str, *statements: str) -> None:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        for statement in statements:
            connection.execute(sa.text(statement))
    engine.dispose()


def _as(url: str, role: str) -> str:
    return sa.engine.make_url(url).set(username=role).render_as_string(hide_password=False)


@pytest.fixture
def roles():
    suffix = uuid.uuid4().hex[:10]
    migrator, runner = f"clinic_migrate_{suffix}", f"clinic_app_{suffix}"
    _admin(POSTGRES_ADMIN_URL, f"CREATE ROLE {migrator} LOGIN", f"CREATE ROLE {runner} LOGIN")
    try:
        yield migrator, runner
    finally:
        _admin(POSTGRES_ADMIN_URL, f"DROP ROLE IF EXISTS {runner}", f"DROP ROLE IF EXISTS {migrator}")


def _token(client, email):
    response = client.post("/api/v1/tokens", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _run_the_clinic(app) -> int:
    """Book, sign a note and amend it, as the app role; the note's id."""
    with app.app_context():
        create_staff_user(role="owner", email="owner@role.test", name="Olive", password=PASSWORD)
        therapist = create_staff_user(role="therapist", email="tess@role.test", name="Tess", password=PASSWORD)
        therapist_id = therapist.id
        db.session.commit()
    client = app.test_client()
    owner = _token(client, "owner@role.test")
    service = client.post("/api/v1/services", headers=owner, json={
        "name": "Hip massage", "duration_minutes": 60, "price_cents": 6000, "buffer_minutes": 0})
    assert service.status_code == 201, service.get_json()
    hours = client.put(f"/api/v1/therapists/{therapist_id}/working-hours", headers=owner,
                       json=[{"weekday": 2, "start": "09:00", "end": "17:00"}])
    assert hours.status_code == 200, hours.get_json()
    person = client.post("/api/v1/clients", json={"name": "Clara", "email": "clara@role.test", "password": PASSWORD})
    assert person.status_code == 201, person.get_json()
    client_id = person.get_json()["id"]
    intake = client.post(f"/api/v1/clients/{client_id}/intakes", headers=owner, json=CLEAR_JSON)
    assert intake.status_code == 201, intake.get_json()
    booked = client.post("/api/v1/appointments", headers=owner, json={
        "service_id": service.get_json()["id"], "therapist_id": therapist_id,
        "start": "2030-01-09T10:00:00+00:00", "client_id": client_id})
    assert booked.status_code == 201, booked.get_json()
    therapist_headers = _token(client, "tess@role.test")
    note = client.post(f"/api/v1/appointments/{booked.get_json()['id']}/notes", headers=therapist_headers,
                       json=NOTE_BODY)
    assert note.status_code == 201, note.get_json()
    note_id = note.get_json()["id"]
    amended = client.post(f"/api/v1/notes/{note_id}/amendments", headers=therapist_headers,
                          json={"text": "Left hip, not right."})
    assert amended.status_code == 201, amended.get_json()
    assert client.get(f"/api/v1/notes/{note_id}", headers=_token(client, "clara@role.test")).status_code == 200
    assert client.post("/login", data={"email": "owner@role.test", "password": PASSWORD}).status_code == 302
    page = client.get("/reports/audit")
    assert page.status_code == 200 and "The log is intact" in page.get_data(as_text=True)
    return note_id


@freeze_time("2030-01-09 15:00:00+00:00")
def test_the_app_runs_as_a_role_that_cannot_change_notes_or_the_audit_log(roles):
    migrator, runner = roles
    with scratch_database("postgresql") as url:
        database = sa.engine.make_url(url).database
        _admin(url, f'ALTER DATABASE "{database}" OWNER TO {migrator}')

        migrations = create_app(make_test_config(_as(url, migrator)))
        with migrations.app_context():
            upgrade()
            result = migrations.test_cli_runner().invoke(args=["grant-app-role", runner])
            assert result.exit_code == 0, result.output
            db.engine.dispose()

        app = create_app(make_test_config(_as(url, runner)))
        note_id = _run_the_clinic(app)
        with app.app_context():
            verified = app.test_cli_runner().invoke(args=["audit-verify"])
            assert verified.exit_code == 0, verified.output
            owned = db.session.execute(sa.text(
                "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
                "WHERE r.rolname = current_user"
            )).scalar()
            assert owned == 0
            db.session.remove()
            for table, column in PROTECTED.items():
                for statement in (f"UPDATE {table} SET {column} = {column}", f"DELETE FROM {table}"):
                    with db.engine.connect() as connection:
                        with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                            connection.execute(sa.text(statement))
                        connection.rollback()
            with db.engine.connect() as connection:  # what the app does need still works
                connection.execute(sa.text("UPDATE appointments SET cancel_reason = cancel_reason"))
                connection.rollback()
            db.engine.dispose()

        superuser = sa.create_engine(url)
        for statement in ("UPDATE session_notes SET pain_after = 0 WHERE id = :id",
                          "DELETE FROM note_amendments WHERE note_id = :id",
                          "UPDATE audit_entries SET detail = 'x' WHERE id = 1"):
            with superuser.connect() as connection:
                with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                    connection.execute(sa.text(statement), {"id": note_id})
                connection.rollback()
        superuser.dispose()
