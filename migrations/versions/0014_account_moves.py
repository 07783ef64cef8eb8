"""merges move accounts to the successor: one history line per account

Revision ID: 0014_account_moves
Revises: 0013_vn_sort_keys
"""
from alembic import op
import sqlalchemy as sa


revision = '0014_account_moves'
down_revision = '0013_vn_sort_keys'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('account_move',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('from_unit_id', sa.Integer(), nullable=False),
    sa.Column('to_unit_id', sa.Integer(), nullable=False),
    sa.Column('moved_on', sa.Date(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['user_account.id'], name=op.f('fk_account_move_by_id_user_account')),
    sa.ForeignKeyConstraint(['from_unit_id'], ['unit.id'], name=op.f('fk_account_move_from_unit_id_unit')),
    sa.ForeignKeyConstraint(['to_unit_id'], ['unit.id'], name=op.f('fk_account_move_to_unit_id_unit')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_account_move_user_id_user_account'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_move'))
    )
    with op.batch_alter_table('account_move', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_move_from_unit_id'), ['from_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_move_to_unit_id'), ['to_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_move_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('account_move', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_move_user_id'))
        batch_op.drop_index(batch_op.f('ix_account_move_to_unit_id'))
        batch_op.drop_index(batch_op.f('ix_account_move_from_unit_id'))
    op.drop_table('account_move')
