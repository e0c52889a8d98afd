"""Database behaviour that differs between SQLite and PostgreSQL.

SQLite: every transaction starts with BEGIN IMMEDIATE, so a writer holds the write lock
before it reads and two bookings cannot both pass the overlap check. Python's sqlite3
would otherwise start transactions lazily, at the first write, after the check.
PostgreSQL: the exclusion constraint on appointments is the final guarantee, and a
per-therapist advisory lock serialises the buffer checks that the constraint cannot see.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine

from clinic.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Execution option of a connection that only reads (see read_only_connection).
READ_ONLY = "clinic_read_only"


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
        if connection.get_execution_options().get(READ_ONLY):
            return  # each SELECT reads on its own, taking no write lock
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def read_only_connection() -> Iterator[Connection]:
    """A connection for a use case that only reads (public availability).

    When the session has no transaction yet, the reads run on a connection of their own that
    writes nothing: on SQLite without BEGIN IMMEDIATE, so readers neither wait for the write
    lock nor make writers (and each other, in other processes) wait, and each statement sees
    the latest commit, as PostgreSQL's READ COMMITTED does. It goes back to the pool on
    leaving the block, and the session is not even created, so a request that writes
    afterwards starts its transaction with the write lock as usual. Inside a transaction
    already begun (or with changes not yet flushed) this is that transaction's connection,
    which also sees the changes made in it.
    """
    session = db.session.registry() if db.session.registry.has() else None
    if session is not None and (session.in_transaction() or session.new or session.dirty or session.deleted):
        yield session.connection()
        return
    # Flask-SQLAlchemy's sessions use its engine; asking the session would create one.
    bind = db.session.session_factory.kw.get("bind") or db.engine
    if isinstance(bind, Engine):
        with bind.connect().execution_options(**{READ_ONLY: True}) as connection:
            yield connection
        return
    # A session bound to one connection (the test suite's outer transaction): read through it.
    if session is None:
        session = db.session()
    connection = session.connection(execution_options={READ_ONLY: True})
    try:
        yield connection
    finally:
        session.rollback()


def lock_therapist_schedule(therapist_id: int) -> None:
    """Serialise schedule changes for one therapist until the transaction ends."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(1, :id)"), {"id": therapist_id})
    # SQLite already holds the database write lock from BEGIN IMMEDIATE.


def lock_client_schedule(client_id: int) -> None:
    """Serialise a client's own bookings; taken before any therapist's lock, never after."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(2, :id)"), {"id": client_id})
