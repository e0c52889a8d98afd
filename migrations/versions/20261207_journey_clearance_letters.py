"""Clients upload their physician's letter themselves; staff review it from the queue.

Revision ID: journey_1
Revises: accounts_1
Create Date: 2026-12-07 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'journey_1'
down_revision = 'accounts_1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('clearance_letters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('clearance_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['clearance_id'], ['clearances.id'], name=op.f('fk_clearance_letters_clearance_id_clearances')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_clearance_letters_client_id_clients')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_clearance_letters_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clearance_letters'))
    )
    with op.batch_alter_table('clearance_letters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clearance_letters_client_id'), ['client_id'], unique=False)


def downgrade():
    with op.batch_alter_table('clearance_letters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clearance_letters_client_id'))
    op.drop_table('clearance_letters')
