"""Vietnamese sort keys: sort_key on units, blocs, bloc members, initiatives and users, filled from their names

Revision ID: 0013_vn_sort_keys
Revises: 0009_security
"""
from alembic import op
import sqlalchemy as sa

from danvan.core.vntext import sort_key

revision = '0013_vn_sort_keys'
down_revision = '0009_security'
branch_labels = None
depends_on = None

# table → the name column its key is made from
TABLES = {'unit': 'name', 'bloc': 'name', 'bloc_member': 'full_name', 'initiative': 'name',
          'user_account': 'full_name'}
KEY_TYPE = sa.String(length=1000).with_variant(sa.String(length=1000, collation='C'), 'postgresql')
BATCH = 2000


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            # the server default fills the existing rows before they get their real key below
            batch_op.add_column(sa.Column('sort_key', KEY_TYPE, nullable=False, server_default=''))
    conn = op.get_bind()
    for table, source in TABLES.items():
        t = sa.table(table, sa.column('id', sa.Integer), sa.column(source, sa.String),
                     sa.column('sort_key', sa.String))
        last = 0
        while True:
            rows = conn.execute(sa.select(t.c.id, t.c[source]).where(t.c.id > last)
                                .order_by(t.c.id).limit(BATCH)).all()
            if not rows:
                break
            conn.execute(t.update().where(t.c.id == sa.bindparam('rid')).values(sort_key=sa.bindparam('key')),
                         [{'rid': rid, 'key': sort_key(name)} for rid, name in rows])
            last = rows[-1][0]


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('sort_key')
