"""conference chairs, điểm cầu and agenda items carry a version (edited in place, optimistic locking)

Revision ID: 0013_conference_rows
Revises: 0009_security
"""
from alembic import op
import sqlalchemy as sa


revision = '0013_conference_rows'
down_revision = '0009_security'
branch_labels = None
depends_on = None

TABLES = ('conference_chair', 'conference_point', 'conference_item')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('version', server_default=None)


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
