"""issued records: the PDF, DOCX and data of a number, frozen at issue; signed copy; replacement; per-document signer block; tham luận withdrawn

Revision ID: 0012_records
Revises: 0008_jobs_files
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_records'
down_revision = '0008_jobs_files'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('issued_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_type', sa.String(length=60), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('doc_key', sa.String(length=40), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('number_text', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('data_json', sa.Text(), nullable=False),
    sa.Column('data_sha256', sa.String(length=64), nullable=False),
    sa.Column('pdf_id', sa.Integer(), nullable=True),
    sa.Column('docx_id', sa.Integer(), nullable=True),
    sa.Column('signed_id', sa.Integer(), nullable=True),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('replaced_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['docx_id'], ['attachment.id'], name=op.f('fk_issued_record_docx_id_attachment')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user_account.id'], name=op.f('fk_issued_record_issued_by_id_user_account')),
    sa.ForeignKeyConstraint(['pdf_id'], ['attachment.id'], name=op.f('fk_issued_record_pdf_id_attachment')),
    sa.ForeignKeyConstraint(['replaced_by_id'], ['issued_record.id'], name=op.f('fk_issued_record_replaced_by_id_issued_record')),
    sa.ForeignKeyConstraint(['signed_id'], ['attachment.id'], name=op.f('fk_issued_record_signed_id_attachment')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_issued_record_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_record'))
    )
    with op.batch_alter_table('issued_record', schema=None) as batch_op:
        batch_op.create_index('ix_issued_record_owner', ['owner_type', 'owner_id', 'doc_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_issued_record_unit_id'), ['unit_id'], unique=False)


    op.create_table('document_signer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_type', sa.String(length=60), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('doc_key', sa.String(length=40), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('authority', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('recipients', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_document_signer_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_signer')),
    sa.UniqueConstraint('owner_type', 'owner_id', 'doc_key', name='uq_document_signer_doc')
    )
    with op.batch_alter_table('document_signer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_signer_unit_id'), ['unit_id'], unique=False)


    # a tham luận request can be withdrawn by the organiser
    with op.batch_alter_table('conference_contribution', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_conference_contribution_state'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_conference_contribution_state'),
            "state IN ('invited','submitted','accepted','returned','withdrawn')")


def downgrade():
    op.execute("UPDATE conference_contribution SET state = 'returned' WHERE state = 'withdrawn'")
    with op.batch_alter_table('conference_contribution', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_conference_contribution_state'), type_='check')
        batch_op.create_check_constraint(op.f('ck_conference_contribution_state'),
                                         "state IN ('invited','submitted','accepted','returned')")
    with op.batch_alter_table('document_signer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_signer_unit_id'))
    op.drop_table('document_signer')
    with op.batch_alter_table('issued_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issued_record_unit_id'))
        batch_op.drop_index('ix_issued_record_owner')
    op.drop_table('issued_record')
