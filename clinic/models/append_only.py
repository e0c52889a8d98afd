"""Tables the database itself keeps append-only: signed notes, their amendments and
technique rows, and the audit log. Triggers refuse every UPDATE and DELETE (and TRUNCATE on
PostgreSQL), whoever sends it, so a clinical record cannot change unseen even through the
application's own database login.

The migrations install these triggers; `db.create_all()` (the tests) gets the same ones
from the DDL attached to each table here. Every note is signed when it is saved, so every
row of these tables is protected.
"""

import re

from sqlalchemy import DDL, Table, event

APPEND_ONLY_TABLES = ("session_notes", "note_amendments", "note_techniques", "audit_entries")

POSTGRES_FUNCTION = (
    "CREATE OR REPLACE FUNCTION clinic_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only: ' || TG_OP || ' refused'; "
    "END $$"
)


def postgres_triggers(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION clinic_refuse_change()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION clinic_refuse_change()",
    ]


def sqlite_triggers(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END"
        for operation in ("UPDATE", "DELETE")
    ]


def protect(table: Table) -> None:
    """Attach the triggers to `table`'s CREATE, for schemas built by create_all."""
    event.listen(table, "after_create", DDL(POSTGRES_FUNCTION).execute_if(dialect="postgresql"))
    for statement in postgres_triggers(table.name):
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="postgresql"))
    for statement in sqlite_triggers(table.name):
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="sqlite"))


def protect_all(metadata) -> None:
    for name in APPEND_ONLY_TABLES:
        protect(metadata.tables[name])


ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def app_role_grants(role: str, tables: set[str]) -> list[str]:
    """GRANT statements for the role the app runs as on PostgreSQL (see the README).

    Belt and braces with the triggers: the append-only tables get SELECT and INSERT only, so
    even with the triggers dropped the app's login cannot change them.
    """
    if not ROLE_NAME.match(role):
        raise ValueError("A role name is lower-case letters, digits and underscores.")
    changeable = sorted(tables - set(APPEND_ONLY_TABLES))
    return [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(changeable)} TO {role}",
        f"GRANT SELECT, INSERT ON {', '.join(APPEND_ONLY_TABLES)} TO {role}",
        f"GRANT SELECT ON alembic_version TO {role}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}",
    ]
