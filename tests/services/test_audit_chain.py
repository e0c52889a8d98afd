"""The audit log is a hash chain that the database keeps append-only: entries are chained
as they are written, a changed or missing entry is named by verify_chain and `audit-verify`,
and concurrent writers never fork the chain."""

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from clinic.audit import record_audit, verify_chain
from clinic.extensions import db
from clinic.models import AuditEntry, User
from clinic.models.audit import GENESIS_HASH, entry_hash
from tests.factories import make_client, make_owner


def _write_entries(count=3):
    owner, client = make_owner(), make_client()
    for n in range(count):
        record_audit(owner, "note.viewed", "session_note", n + 1, client_id=client.id, detail=f"read {n}")
    db.session.flush()
    return db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()


def _without_triggers(statement, params=None):
    """Run `statement` as a superuser who has switched the table's triggers off (rolled back with the test)."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        db.session.execute(sa.text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
    else:
        db.session.execute(sa.text("DROP TRIGGER audit_entries_no_update"))
        db.session.execute(sa.text("DROP TRIGGER audit_entries_no_delete"))
    db.session.execute(sa.text(statement), params or {})
    db.session.expire_all()


def test_each_entry_hashes_its_content_and_the_previous_hash(app):
    entries = _write_entries()
    assert [e.seq for e in entries] == [1, 2, 3]
    previous = GENESIS_HASH
    for entry in entries:
        assert len(entry.hash) == 64
        assert entry.hash == entry_hash(
            previous, seq=entry.seq, created_at=entry.created_at, actor_id=entry.actor_id,
            action=entry.action, subject_type=entry.subject_type, subject_id=entry.subject_id,
            client_id=entry.client_id, detail=entry.detail,
        )
        previous = entry.hash
    check = verify_chain()
    assert check.intact and check.entries == 3


def test_the_database_refuses_to_change_or_delete_an_entry(app):
    entry = _write_entries(1)[0]
    for statement in ("UPDATE audit_entries SET action = 'nothing' WHERE id = :id",
                      "DELETE FROM audit_entries WHERE id = :id"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.session.begin_nested():
            db.session.execute(sa.text(statement), {"id": entry.id})
    assert verify_chain().intact


def test_an_entry_edited_with_the_triggers_off_is_named(app, runner):
    entries = _write_entries()
    _without_triggers("UPDATE audit_entries SET detail = 'nothing to see' WHERE id = :id", {"id": entries[1].id})
    check = verify_chain()
    assert not check.intact
    assert (check.first_bad_id, check.first_bad_seq) == (entries[1].id, 2)
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1
    assert f"#{entries[1].id}" in result.output


def test_an_entry_deleted_with_the_triggers_off_is_noticed(app):
    entries = _write_entries()
    _without_triggers("DELETE FROM audit_entries WHERE id = :id", {"id": entries[1].id})
    check = verify_chain()
    assert not check.intact and check.first_bad_id == entries[2].id
    assert "missing" in check.problem


def test_audit_verify_counts_an_intact_log(app, runner):
    _write_entries(4)
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 0, result.output
    assert "4 entries" in result.output


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres_only), "sqlite"])
def test_twenty_concurrent_writers_leave_one_unbroken_chain(fresh_app_factory, backend):
    app = fresh_app_factory(backend)
    with app.app_context():
        owner_id = make_owner().id
        client_id = make_client().id
        db.session.commit()
    writers = 20
    barrier = threading.Barrier(writers)
    failures = []

    def writer(n):
        try:
            with app.app_context():
                owner = db.session.get(User, owner_id)
                db.session.commit()  # hand the connection back: the pool has fewer than 20
                barrier.wait(timeout=30)
                for k in range(3):
                    record_audit(owner, "note.viewed", "session_note", n * 10 + k, client_id=client_id)
                    db.session.commit()
                db.session.remove()
        except Exception as error:  # reported below; a thread cannot fail the test itself
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    with app.app_context():
        check = verify_chain()
        seqs = db.session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)).all()
        db.session.remove()
    assert check.intact, check.describe()
    assert check.entries == writers * 3
    assert seqs == list(range(1, writers * 3 + 1))
