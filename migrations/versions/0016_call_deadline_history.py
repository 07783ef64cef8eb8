"""calls: history of deadline changes (general deadline and each target's own date), with reasons

Revision ID: 0016_call_deadline_history
Revises: 0015_initiative_deadline_calls
"""
from alembic import op
import sqlalchemy as sa


revision = '0016_call_deadline_history'
down_revision = '0015_initiative_deadline_calls'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('plan_call_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.Date(), nullable=True),
    sa.Column('after', sa.Date(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_plan_call_change_actor_id_user_account')),
    sa.ForeignKeyConstraint(['call_id'], ['plan_call.id'], name=op.f('fk_plan_call_change_call_id_plan_call'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_plan_call_change_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_call_change'))
    )
    with op.batch_alter_table('plan_call_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_call_change_call_id'), ['call_id'], unique=False)


def downgrade():
    with op.batch_alter_table('plan_call_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_call_change_call_id'))
    op.drop_table('plan_call_change')
