"""merge feature branches

Revision ID: 0006_merge_features
Revises: 0002_plans, 0003_initiatives, 0004_programme, 0005_conferences
Create Date: 2026-11-25 13:56:25.688025

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_merge_features'
down_revision = ('0002_plans', '0003_initiatives', '0004_programme', '0005_conferences')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
