"""The clinic's settings, kept by the owner (one row, absent until first saved).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 10:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'clinic_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('address', sa.String(length=500), nullable=False),
        sa.Column('phone', sa.String(length=40), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('cancellation_notice_hours', sa.Integer(), nullable=False),
        sa.Column('require_staff_two_factor', sa.Boolean(), nullable=False),
        sa.CheckConstraint('id = 1', name=op.f('ck_clinic_settings_single_row')),
        sa.CheckConstraint('cancellation_notice_hours >= 0', name=op.f('ck_clinic_settings_notice_not_negative')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_clinic_settings')),
    )


def downgrade():
    op.drop_table('clinic_settings')
