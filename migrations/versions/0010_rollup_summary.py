"""roll-up summary (latest accepted report per task and unit) and data versions for caches

Revision ID: 0010_rollup_summary
Revises: 0007_calls_core
Create Date: 2026-12-04 23:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0010_rollup_summary'
down_revision = '0007_calls_core'
branch_labels = None
depends_on = None


LATEST = """
SELECT task_id, unit_id, id, period_end, percent FROM (
  SELECT task_id, unit_id, id, period_end, percent,
         row_number() OVER (PARTITION BY task_id, unit_id ORDER BY period_end DESC, id DESC) AS rn
  FROM progress_report WHERE state = 'accepted') ranked
WHERE rn = 1
"""


def upgrade():
    op.create_table('data_version',
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_data_version'))
    )
    op.create_table('progress_latest',
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['programme_task.id'], name=op.f('fk_progress_latest_task_id_programme_task')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_progress_latest_unit_id_unit')),
    sa.PrimaryKeyConstraint('task_id', 'unit_id', name=op.f('pk_progress_latest'))
    )
    with op.batch_alter_table('progress_latest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_progress_latest_unit_id'), ['unit_id'], unique=False)
    # existing databases: the summary starts equal to a full recomputation
    op.execute("INSERT INTO progress_latest (task_id, unit_id, report_id, period_end, percent)" + LATEST)


def downgrade():
    with op.batch_alter_table('progress_latest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_progress_latest_unit_id'))
    op.drop_table('progress_latest')
    op.drop_table('data_version')
