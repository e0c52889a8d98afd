"""Audit entries are hash-chained; signed notes, amendments, technique rows and audit
entries are append-only in the database itself (triggers refuse UPDATE and DELETE).

Existing entries are chained in id order. The hash and the trigger DDL are frozen copies of
clinic/models/audit.py (entry_hash) and clinic/models/append_only.py as they were when this
migration was written.

Revision ID: audit_1
Revises: mail_1
Create Date: 2026-12-07 10:30:00

"""
import hashlib
import json
from datetime import UTC

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'audit_1'
down_revision = 'mail_1'
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64
APPEND_ONLY_TABLES = ("session_notes", "note_amendments", "note_techniques", "audit_entries")
POSTGRES_FUNCTION = (
    "CREATE OR REPLACE FUNCTION clinic_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only: ' || TG_OP || ' refused'; "
    "END $$"
)


def _postgres_triggers(table):
    return [
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION clinic_refuse_change()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION clinic_refuse_change()",
    ]


def _sqlite_triggers(table):
    return [
        f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END"
        for operation in ("UPDATE", "DELETE")
    ]


def _entry_hash(previous, row, seq):
    created_at = row.created_at
    created_at = created_at.replace(tzinfo=UTC) if created_at.tzinfo is None else created_at.astimezone(UTC)
    at = created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    content = [seq, at, row.actor_id, row.action, row.subject_type, row.subject_id, row.client_id,
               row.detail, previous]
    return hashlib.sha256(json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()


def upgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))

    entries = sa.table(
        'audit_entries',
        sa.column('id', sa.Integer()), sa.column('seq', sa.BigInteger()),
        sa.column('actor_id', sa.Integer()), sa.column('action', sa.String()),
        sa.column('subject_type', sa.String()), sa.column('subject_id', sa.Integer()),
        sa.column('client_id', sa.Integer()), sa.column('detail', sa.String()),
        sa.column('created_at', sa.DateTime(timezone=True)), sa.column('hash', sa.String()),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(entries).order_by(entries.c.id)).all()
    previous = GENESIS_HASH
    for seq, row in enumerate(rows, start=1):
        previous = _entry_hash(previous, row, seq)
        connection.execute(
            entries.update().where(entries.c.id == row.id).values(seq=seq, hash=previous)
        )

    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_entries_seq'), ['seq'])

    dialect = connection.dialect.name
    if dialect == 'postgresql':
        op.execute(POSTGRES_FUNCTION)
    for table in APPEND_ONLY_TABLES:
        for statement in _postgres_triggers(table) if dialect == 'postgresql' else _sqlite_triggers(table):
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY_TABLES:
        if dialect == 'postgresql':
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    if dialect == 'postgresql':
        op.execute("DROP FUNCTION IF EXISTS clinic_refuse_change()")

    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_entries_seq'), type_='unique')
        batch_op.drop_column('hash')
        batch_op.drop_column('seq')
