"""conference chairs, điểm cầu and agenda items carry a version (edited in place, optimistic locking);
the inspections' Thông báo kết luận become issued records (core/records) like every numbered document

Revision ID: 0017_rows_and_conclusions
Revises: 0016_call_deadline_history
"""
import hashlib
import json

from alembic import op
import sqlalchemy as sa


revision = '0017_rows_and_conclusions'
down_revision = '0016_call_deadline_history'
branch_labels = None
depends_on = None

TABLES = ('conference_chair', 'conference_point', 'conference_item')
OWNER = 'Inspection'           # danvan.inspections.visits.RECORD_OWNER
KEY = 'ket-luan'
OLD_OWNER = 'InspectionConclusion'


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('version', server_default=None)

    # Conclusions frozen by the old inspections/freeze.py: their stored files become an issued record's
    # (same bytes, same sha256). The data they were made from was not kept: the record says so.
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT i.id, i.organiser_id, i.unit_id, i.number_text, i.issued_on, i.pdf_id, i.docx_id, u.name "
        "FROM inspection i JOIN unit u ON u.id = i.unit_id WHERE i.pdf_id IS NOT NULL")).fetchall()
    for insp_id, organiser_id, _unit_id, number_text, issued_on, pdf_id, docx_id, unit_name in rows:
        data = json.dumps({'legacy': 'inspections/freeze.py', 'number_text': number_text},
                          ensure_ascii=False, sort_keys=True, separators=(',', ':'))
        issued_at, issued_by = conn.execute(sa.text("SELECT uploaded_at, uploaded_by_id FROM attachment WHERE id = :id"),
                                            {'id': pdf_id}).one()
        conn.execute(sa.text(
            "INSERT INTO issued_record (owner_type, owner_id, doc_key, unit_id, number_text, title, issued_on, "
            "issued_at, issued_by_id, data_json, data_sha256, pdf_id, docx_id) VALUES (:owner, :oid, :key, :unit, "
            ":num, :title, :on, :at, :by, :data, :sha, :pdf, :docx)"),
            {'owner': OWNER, 'oid': insp_id, 'key': KEY, 'unit': organiser_id, 'num': number_text,
             'title': f'Thông báo kết luận kiểm tra tại {unit_name}'[:300], 'on': issued_on, 'at': issued_at, 'by': issued_by,
             'data': data, 'sha': hashlib.sha256(data.encode()).hexdigest(), 'pdf': pdf_id, 'docx': docx_id})
        record_id = conn.execute(sa.text(
            "SELECT max(id) FROM issued_record WHERE owner_type = :owner AND owner_id = :oid"),
            {'owner': OWNER, 'oid': insp_id}).scalar()
        conn.execute(sa.text("UPDATE attachment SET owner_type = 'IssuedRecord', owner_id = :rid "
                             "WHERE id IN (:pdf, :docx)"), {'rid': record_id, 'pdf': pdf_id, 'docx': docx_id or pdf_id})
    # The columns stay (empty): on SQLite, rebuilding `inspection` to drop them would cascade-delete its
    # members and checklist results. Nothing reads them any more.
    conn.execute(sa.text("UPDATE inspection SET pdf_id = NULL, docx_id = NULL"))


def downgrade():
    conn = op.get_bind()
    # the number in force goes back to the inspection; its files back to their old owner
    rows = conn.execute(sa.text(
        "SELECT id, owner_id, pdf_id, docx_id FROM issued_record WHERE owner_type = :owner AND replaced_by_id IS NULL"),
        {'owner': OWNER}).fetchall()
    for _record_id, insp_id, pdf_id, docx_id in rows:
        conn.execute(sa.text("UPDATE inspection SET pdf_id = :pdf, docx_id = :docx WHERE id = :id"),
                     {'pdf': pdf_id, 'docx': docx_id, 'id': insp_id})
        conn.execute(sa.text("UPDATE attachment SET owner_type = :old, owner_id = :oid WHERE id IN (:pdf, :docx)"),
                     {'old': OLD_OWNER, 'oid': insp_id, 'pdf': pdf_id, 'docx': docx_id or pdf_id})
    conn.execute(sa.text("DELETE FROM issued_record WHERE owner_type = :owner"), {'owner': OWNER})
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
