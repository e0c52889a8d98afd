"""Signed notes, their amendments and technique rows, and audit entries are append-only in
the database itself: the migrations and create_all install the same triggers, raw UPDATE and
DELETE fail on both databases, and downgrading removes the triggers."""

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from clinic import create_app
from clinic.audit import record_audit
from clinic.extensions import db
from clinic.models.append_only import APPEND_ONLY_TABLES
from tests.conftest import make_test_config, scratch_database
from tests.factories import make_appointment, make_note, make_owner

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres_only)]


def triggers(connection) -> set[tuple[str, str]]:
    """(table, trigger) pairs of the user-defined triggers."""
    if connection.dialect.name == "postgresql":
        rows = connection.execute(sa.text(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal"
        ))
    else:
        rows = connection.execute(sa.text("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'"))
    return {(table, name) for table, name in rows}


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrations_and_create_all_install_the_same_triggers_and_downgrade_drops_them(backend):
    with scratch_database(backend) as migrated_url, scratch_database(backend) as created_url:
        migrated = create_app(make_test_config(migrated_url))
        created = create_app(make_test_config(created_url))
        with created.app_context():
            db.create_all()
            with db.engine.connect() as connection:
                expected = triggers(connection)
            db.engine.dispose()
        assert {table for table, _ in expected} == set(APPEND_ONLY_TABLES)
        with migrated.app_context():
            upgrade()
            with db.engine.connect() as connection:
                assert triggers(connection) == expected
            downgrade(revision="0003")
            with db.engine.connect() as connection:
                assert triggers(connection) == set()
            db.engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_raw_sql_cannot_change_or_remove_a_signed_note(fresh_app_factory, backend):
    app = fresh_app_factory(backend)
    with app.app_context():
        owner = make_owner()
        note = make_note(make_appointment())
        db.session.flush()
        db.session.execute(sa.text(
            "INSERT INTO note_amendments (note_id, author_id, created_at, text) "
            "VALUES (:note, :author, CURRENT_TIMESTAMP, 'Left hip, not right')"
        ), {"note": note.id, "author": note.author_id})
        record_audit(owner, "note.viewed", "session_note", note.id)
        note_id = note.id
        db.session.commit()
        db.session.remove()
        attempts = [
            "UPDATE session_notes SET pain_after = 0 WHERE id = :id",
            "DELETE FROM session_notes WHERE id = :id",
            "UPDATE note_amendments SET text = 'nothing' WHERE note_id = :id",
            "DELETE FROM note_amendments WHERE note_id = :id",
            "UPDATE note_techniques SET pain_change = -9 WHERE note_id = :id",
            "DELETE FROM note_techniques WHERE note_id = :id",
            "UPDATE audit_entries SET action = 'nothing' WHERE subject_id = :id",
            "DELETE FROM audit_entries WHERE subject_id = :id",
        ]
        for statement in attempts:
            with db.engine.connect() as connection:
                with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                    connection.execute(sa.text(statement), {"id": note_id})
                connection.rollback()
        if backend == "postgresql":
            for table in APPEND_ONLY_TABLES:
                with db.engine.connect() as connection:
                    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                        connection.execute(sa.text(f"TRUNCATE {table} CASCADE"))
                    connection.rollback()
        with db.engine.connect() as connection:
            counts = [connection.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar() for t in APPEND_ONLY_TABLES]
            assert counts == [1, 1, 1, 1]
            assert connection.execute(sa.text("SELECT pain_after FROM session_notes")).scalar() == 3
