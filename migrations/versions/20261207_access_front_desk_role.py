"""The front desk role: reception schedules for everyone and reads nothing clinical.

Revision ID: access_1
Revises: audit_1
Create Date: 2026-12-07 10:30:00

"""
from alembic import op


revision = 'access_1'
down_revision = 'audit_1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_role_known'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_users_role_known'), "role IN ('owner', 'therapist', 'front_desk', 'client')"
        )


def downgrade():
    # Refused by the database while front desk accounts exist: nobody's role is changed silently.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_role_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_users_role_known'), "role IN ('owner', 'therapist', 'client')")
