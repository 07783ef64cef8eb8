"""security: demo accounts are marked, so seed-demo and check-deploy know them

Revision ID: 0009_security
Revises: 0011_inspections
Create Date: 2026-12-04 23:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009_security'
down_revision = '0011_inspections'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_demo', sa.Boolean(name='is_demo'), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('is_demo')
