"""Migration 0002 fills the new note_techniques copies from the notes already signed."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from clinic import create_app
from clinic.extensions import db
from clinic.models import NoteTechnique
from clinic.reports import queries
from tests.conftest import make_test_config, scratch_database

# Instants as each database stores them: SQLAlchemy's text format on SQLite (UTC, naive),
# an explicit offset on PostgreSQL (whatever the server's time zone).
STAMP = {
    "sqlite": lambda text: f"{text}.000000",
    "postgresql": lambda text: f"{text}+00:00",
}


def _seed_at_0001(connection, backend: str) -> None:
    """A therapist, a client, two completed appointments with signed notes, at revision 0001."""
    at = STAMP[backend]
    statements = [
        f"INSERT INTO users (id, email, name, role, password_hash, is_disabled, created_at) VALUES "
        f"(1, 't@example.test', 'T', 'therapist', 'x', false, '{at('2026-01-01 00:00:00')}')",
        "INSERT INTO therapists (id, calendar_token) VALUES (1, 'token')",
        f"INSERT INTO clients (id, name, created_at) VALUES (1, 'C', '{at('2026-01-01 00:00:00')}')",
        "INSERT INTO services (id, name, duration_minutes, price_cents, buffer_minutes, is_active) "
        "VALUES (1, 'Massage', 60, 5000, 0, true)",
    ]
    for appointment_id, start, end in ((1, "2026-03-02 09:00:00", "2026-03-02 10:00:00"),
                                       (2, "2026-04-06 23:30:00", "2026-04-07 00:30:00")):
        statements.append(
            "INSERT INTO appointments (id, client_id, therapist_id, service_id, starts_at, ends_at, "
            "buffer_minutes, status, created_at, late_cancellation) VALUES "
            f"({appointment_id}, 1, 1, 1, '{at(start)}', '{at(end)}', 0, 'completed', "
            f"'{at('2026-01-01 00:00:00')}', false)"
        )
    statements += [
        "INSERT INTO session_notes (id, appointment_id, author_id, signed_at, areas, pain_before, pain_after) "
        f"VALUES (10, 1, 1, '{at('2026-03-02 10:00:00')}', '[]', 7, 3)",
        "INSERT INTO session_notes (id, appointment_id, author_id, signed_at, areas, pain_before, pain_after) "
        f"VALUES (20, 2, 1, '{at('2026-04-07 00:30:00')}', '[]', 2, 5)",
        "INSERT INTO note_techniques (note_id, technique) VALUES "
        "(10, 'swedish'), (10, 'stretching'), (20, 'swedish')",
    ]
    for statement in statements:
        connection.execute(sa.text(statement))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_backfills_session_start_and_pain_change(backend):
    with scratch_database(backend) as url:
        app = create_app(make_test_config(url))
        with app.app_context():
            upgrade(revision="0001")
            with db.engine.begin() as connection:
                _seed_at_0001(connection, backend)
            upgrade()

            rows = db.session.execute(
                sa.select(
                    NoteTechnique.note_id,
                    NoteTechnique.technique,
                    NoteTechnique.session_start,
                    NoteTechnique.pain_change,
                ).order_by(NoteTechnique.note_id, NoteTechnique.technique)
            ).all()
            first = datetime(2026, 3, 2, 9, tzinfo=UTC)
            second = datetime(2026, 4, 6, 23, 30, tzinfo=UTC)
            assert [tuple(r) for r in rows] == [
                (10, "stretching", first, -4),
                (10, "swedish", first, -4),
                (20, "swedish", second, 3),
            ]
            columns = {c["name"]: c for c in sa.inspect(db.session.connection()).get_columns("note_techniques")}
            assert not columns["session_start"]["nullable"]
            assert not columns["pain_change"]["nullable"]

            # The report's query finds the copied starts by the bound instants (same format).
            pain = db.session.execute(
                queries.pain_change_by_technique(first, datetime(2026, 4, 6, 23, 30, tzinfo=UTC))
            ).all()
            assert [tuple(r) for r in pain] == [("stretching", -4, 1), ("swedish", -4, 1)]
            pain = db.session.execute(
                queries.pain_change_by_technique(first, datetime(2026, 5, 1, tzinfo=UTC))
            ).all()
            assert [tuple(r) for r in pain] == [("stretching", -4, 1), ("swedish", -1, 2)]
            db.session.remove()

            downgrade(revision="0001")
            with db.engine.connect() as connection:
                names = {c["name"] for c in sa.inspect(connection).get_columns("note_techniques")}
                assert names == {"note_id", "technique"}
                kept = connection.execute(sa.text("SELECT COUNT(*) FROM note_techniques")).scalar()
                assert kept == 3
            db.engine.dispose()
