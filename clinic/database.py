"""Database behaviour that differs between SQLite and PostgreSQL.

SQLite: every transaction starts with BEGIN IMMEDIATE, so a writer holds the write lock
before it reads and two bookings cannot both pass the overlap check. Python's sqlite3
would otherwise start transactions lazily, at the first write, after the check.
PostgreSQL: the exclusion constraint on appointments is the final guarantee, and a
per-therapist advisory lock serialises the buffer checks that the constraint cannot see.
"""

from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from clinic.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 30_000


def _lenient_text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def configure_sqlite(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Hand transaction control to SQLAlchemy's "begin" event below.
        dbapi_connection.isolation_level = None
        # SQLite stores whatever bytes it is given (by hand, char(55296)); text that is not
        # UTF-8 is read with U+FFFD in place instead of failing every page that shows it.
        dbapi_connection.text_factory = _lenient_text
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def lock_therapist_schedule(therapist_id: int) -> None:
    """Serialise schedule changes for one therapist until the transaction ends."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(1, :id)"), {"id": therapist_id})
    # SQLite already holds the database write lock from BEGIN IMMEDIATE.


def lock_client_schedule(client_id: int) -> None:
    """Serialise a client's own bookings; taken before any therapist's lock, never after."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(2, :id)"), {"id": client_id})
