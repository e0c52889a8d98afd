"""Appointments keep the service's price at booking time.

Revenue then stays what was charged when the price list changes later. Existing rows take
their service's current price, the best that is known about them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 12:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('price_cents', sa.Integer(), nullable=True))

    op.execute(
        "UPDATE appointments SET price_cents = "
        "(SELECT services.price_cents FROM services WHERE services.id = appointments.service_id)"
    )

    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.alter_column('price_cents', existing_type=sa.Integer(), nullable=False)
        batch_op.create_check_constraint(op.f('ck_appointments_price_not_negative'), 'price_cents >= 0')


def downgrade():
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_appointments_price_not_negative'), type_='check')
        batch_op.drop_column('price_cents')
