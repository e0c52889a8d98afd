"""Note techniques carry copies of their appointment's start and their note's pain change.

The pain-change report then reads note_techniques alone, by covering indexes on
(session_start, technique, pain_change) and (technique, session_start, pain_change),
instead of joining notes and appointments.
The copies cannot go stale: signed notes are append-only, and a noted appointment is
completed, so it can no longer be rescheduled.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 11:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('note_techniques', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_start', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('pain_change', sa.Integer(), nullable=True))

    # Correlated subqueries: the same statement on SQLite (any version) and PostgreSQL.
    # The start is copied as stored (text on SQLite, timestamptz on PostgreSQL).
    op.execute(
        "UPDATE note_techniques SET "
        "session_start = (SELECT appointments.starts_at FROM session_notes "
        "JOIN appointments ON appointments.id = session_notes.appointment_id "
        "WHERE session_notes.id = note_techniques.note_id), "
        "pain_change = (SELECT session_notes.pain_after - session_notes.pain_before "
        "FROM session_notes WHERE session_notes.id = note_techniques.note_id)"
    )

    with op.batch_alter_table('note_techniques', schema=None) as batch_op:
        batch_op.alter_column('session_start', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.alter_column('pain_change', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(
            'ix_note_techniques_session_start', ['session_start', 'technique', 'pain_change'], unique=False
        )
        batch_op.create_index(
            'ix_note_techniques_technique_session_start',
            ['technique', 'session_start', 'pain_change'],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table('note_techniques', schema=None) as batch_op:
        batch_op.drop_index('ix_note_techniques_technique_session_start')
        batch_op.drop_index('ix_note_techniques_session_start')
        batch_op.drop_column('pain_change')
        batch_op.drop_column('session_start')
