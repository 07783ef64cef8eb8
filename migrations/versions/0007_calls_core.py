"""calls core: a call's explicit year, looked up with its kind

Revision ID: 0007_calls_core
Revises: 0006_merge_features
Create Date: 2026-12-04 23:00:00

A feature finds "its" call by kind and year (no more matching the title). Existing calls get
the year of their deadline.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_calls_core'
down_revision = '0006_merge_features'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('plan_call', schema=None) as batch_op:
        batch_op.add_column(sa.Column('year', sa.Integer(), nullable=True))
    plan_call = sa.table('plan_call', sa.column('year', sa.Integer()), sa.column('deadline', sa.Date()))
    op.execute(plan_call.update().values(year=sa.extract('year', plan_call.c.deadline)))
    with op.batch_alter_table('plan_call', schema=None) as batch_op:
        batch_op.alter_column('year', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index('ix_plan_call_kind_year', ['kind', 'year'], unique=False)


def downgrade():
    with op.batch_alter_table('plan_call', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_call_kind_year')
        batch_op.drop_column('year')
