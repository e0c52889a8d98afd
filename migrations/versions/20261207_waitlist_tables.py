"""The waitlist: entries, the offers sent when time frees up, and maintenance recalls.

Revision ID: waitlist_1
Revises: access_1
Create Date: 2026-12-07 10:07:26

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'waitlist_1'
down_revision = 'access_1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('waitlist_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('therapist_id', sa.Integer(), nullable=True),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('earliest', sa.Time(), nullable=True),
    sa.Column('latest', sa.Time(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=16), nullable=True),
    sa.CheckConstraint("end_reason IN ('booked', 'left')", name=op.f('ck_waitlist_entries_end_reason_known')),
    sa.CheckConstraint('last_day >= first_day', name=op.f('ck_waitlist_entries_days_in_order')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_waitlist_entries_client_id_clients')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_waitlist_entries_created_by_id_users')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_waitlist_entries_service_id_services')),
    sa.ForeignKeyConstraint(['therapist_id'], ['therapists.id'], name=op.f('fk_waitlist_entries_therapist_id_therapists')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waitlist_entries'))
    )
    with op.batch_alter_table('waitlist_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waitlist_entries_client_id'), ['client_id'], unique=False)
        batch_op.create_index('ix_waitlist_entries_open', ['ended_at', 'last_day'], unique=False)

    op.create_table('recall_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('care_plan_id', sa.Integer(), nullable=True),
    sa.Column('expected_on', sa.Date(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['care_plan_id'], ['care_plans.id'], name=op.f('fk_recall_notices_care_plan_id_care_plans'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_recall_notices_client_id_clients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recall_notices')),
    sa.UniqueConstraint('client_id', 'expected_on', name='one_per_client_and_date')
    )
    with op.batch_alter_table('recall_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recall_notices_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recall_notices_sent_at'), ['sent_at'], unique=False)

    op.create_table('waitlist_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('therapist_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('freed_appointment_id', sa.Integer(), nullable=True),
    sa.Column('head_start', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('send_after', sa.DateTime(timezone=True), nullable=False),
    sa.Column('offered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dropped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('appointment_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'], name=op.f('fk_waitlist_offers_appointment_id_appointments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['entry_id'], ['waitlist_entries.id'], name=op.f('fk_waitlist_offers_entry_id_waitlist_entries')),
    sa.ForeignKeyConstraint(['freed_appointment_id'], ['appointments.id'], name=op.f('fk_waitlist_offers_freed_appointment_id_appointments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['therapist_id'], ['therapists.id'], name=op.f('fk_waitlist_offers_therapist_id_therapists')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waitlist_offers')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_waitlist_offers_token_hash'))
    )
    with op.batch_alter_table('waitlist_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waitlist_offers_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index('ix_waitlist_offers_pending', ['offered_at', 'send_after'], unique=False)



def downgrade():
    with op.batch_alter_table('waitlist_offers', schema=None) as batch_op:
        batch_op.drop_index('ix_waitlist_offers_pending')
        batch_op.drop_index(batch_op.f('ix_waitlist_offers_entry_id'))

    op.drop_table('waitlist_offers')
    with op.batch_alter_table('recall_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recall_notices_sent_at'))
        batch_op.drop_index(batch_op.f('ix_recall_notices_client_id'))

    op.drop_table('recall_notices')
    with op.batch_alter_table('waitlist_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_waitlist_entries_open')
        batch_op.drop_index(batch_op.f('ix_waitlist_entries_client_id'))

    op.drop_table('waitlist_entries')
