"""inspections: the visits list reads its page in date order through an index (at national scale
the sort of every visible visit was the statement's cost)

Revision ID: 0018_inspection_indexes
Revises: 0017_rows_and_conclusions
"""
from alembic import op


revision = '0018_inspection_indexes'
down_revision = '0017_rows_and_conclusions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.create_index('ix_inspection_scheduled', ['scheduled_on', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_index('ix_inspection_scheduled')
