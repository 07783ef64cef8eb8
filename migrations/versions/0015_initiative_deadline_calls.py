"""Dân vận khéo: one deadline, the call's. Each yearly deadline a province had configured becomes
(when that year has no registration call of the province) a call from the province's Ban Dân vận
to its reporting units, answered by the consolidated lists they already sent; then the
configuration table goes. Downgrade rebuilds the table from the province's calls.

Revision ID: 0015_initiative_deadline_calls
Revises: 0014_account_moves
"""
from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = '0015_initiative_deadline_calls'
down_revision = '0014_account_moves'
branch_labels = None
depends_on = None

KIND = "initiative_registration"
REPORTING_KINDS = ("huyen_uy", "dang_uy_truc_thuoc")

unit = sa.table("unit", sa.column("id", sa.Integer), sa.column("parent_id", sa.Integer),
                sa.column("kind", sa.String), sa.column("code", sa.String), sa.column("path", sa.String),
                sa.column("valid_to", sa.Date))
year_t = sa.table("initiative_year", sa.column("id", sa.Integer), sa.column("province_id", sa.Integer),
                  sa.column("year", sa.Integer), sa.column("deadline", sa.Date))
call_t = sa.table("plan_call", sa.column("id", sa.Integer), sa.column("unit_id", sa.Integer),
                  sa.column("title", sa.String), sa.column("search_key", sa.String), sa.column("kind", sa.String),
                  sa.column("year", sa.Integer), sa.column("type_code", sa.String),
                  sa.column("description", sa.Text), sa.column("deadline", sa.Date),
                  sa.column("created_by_id", sa.Integer), sa.column("archived_at", sa.DateTime(timezone=True)),
                  sa.column("version", sa.Integer), sa.column("created_at", sa.DateTime(timezone=True)),
                  sa.column("updated_at", sa.DateTime(timezone=True)))
target_t = sa.table("plan_call_target", sa.column("id", sa.Integer), sa.column("call_id", sa.Integer),
                    sa.column("unit_id", sa.Integer), sa.column("extended_until", sa.Date))
sub_t = sa.table("plan_submission", sa.column("id", sa.Integer), sa.column("call_id", sa.Integer),
                 sa.column("unit_id", sa.Integer), sa.column("object_type", sa.String),
                 sa.column("object_id", sa.Integer), sa.column("state", sa.String),
                 sa.column("submitted_at", sa.DateTime(timezone=True)),
                 sa.column("last_submitted_at", sa.DateTime(timezone=True)),
                 sa.column("updated_at", sa.DateTime(timezone=True)))
report_t = sa.table("initiative_report", sa.column("id", sa.Integer), sa.column("unit_id", sa.Integer),
                    sa.column("year", sa.Integer), sa.column("sent_at", sa.DateTime(timezone=True)))


def _issuers(conn, province_id: int) -> list[int]:
    """The province and its bans: a call from either is the province's."""
    return [province_id] + list(conn.execute(sa.select(unit.c.id).where(
        unit.c.parent_id == province_id, unit.c.kind == "ban")).scalars())


def upgrade():
    conn = op.get_bind()
    now = datetime.now(UTC)
    for _, province_id, year, deadline in conn.execute(sa.select(year_t).order_by(year_t.c.id)).all():
        issuers = _issuers(conn, province_id)
        if conn.execute(sa.select(call_t.c.id).where(call_t.c.unit_id.in_(issuers), call_t.c.kind == KIND,
                                                     call_t.c.year == year)).first():
            continue   # the province already asked with a call: its deadline is the one
        bans = conn.execute(sa.select(unit.c.id).where(unit.c.parent_id == province_id, unit.c.kind == "ban",
                                                       unit.c.code.like("BDV%")).order_by(unit.c.id)).scalars()
        issuer = next(iter(bans), province_id)
        children = conn.execute(sa.select(unit.c.id, unit.c.kind).where(
            unit.c.parent_id == province_id, unit.c.valid_to.is_(None),
            unit.c.kind.in_(REPORTING_KINDS + ("xa",)))).all()
        targets = [i for i, k in children if k in REPORTING_KINDS] or [i for i, k in children if k == "xa"]
        if not targets:
            continue
        title = f"Đăng ký mô hình Dân vận khéo năm {year}"
        call_id = conn.execute(sa.insert(call_t).values(
            unit_id=issuer, title=title, search_key=f"dang ky mo hinh dan van kheo nam {year}", kind=KIND,
            year=year, type_code="", description="", deadline=deadline, version=1, created_at=now,
            updated_at=now).returning(call_t.c.id)).scalar_one()
        conn.execute(sa.insert(target_t), [{"call_id": call_id, "unit_id": t} for t in targets])
        reports = conn.execute(sa.select(report_t.c.id, report_t.c.unit_id, report_t.c.sent_at).where(
            report_t.c.year == year, report_t.c.unit_id.in_(targets))).all()
        if reports:
            conn.execute(sa.insert(sub_t), [
                {"call_id": call_id, "unit_id": u, "object_type": "InitiativeReport", "object_id": rid,
                 "state": "submitted", "submitted_at": sent, "last_submitted_at": sent, "updated_at": sent}
                for rid, u, sent in reports])
    with op.batch_alter_table('initiative_year', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initiative_year_province_id'))
    op.drop_table('initiative_year')


def downgrade():
    op.create_table('initiative_year',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('province_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['province_id'], ['unit.id'], name=op.f('fk_initiative_year_province_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_initiative_year')),
    sa.UniqueConstraint('province_id', 'year', name='uq_initiative_year_key')
    )
    with op.batch_alter_table('initiative_year', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initiative_year_province_id'), ['province_id'], unique=False)
    conn = op.get_bind()
    seen = set()
    for province_id in conn.execute(sa.select(unit.c.id).where(unit.c.parent_id.is_(None))).scalars().all():
        rows = conn.execute(sa.select(call_t.c.year, call_t.c.deadline).where(
            call_t.c.unit_id.in_(_issuers(conn, province_id)), call_t.c.kind == KIND)
            .order_by(call_t.c.id.desc())).all()
        for year, deadline in rows:
            if (province_id, year) not in seen:
                seen.add((province_id, year))
                conn.execute(sa.insert(year_t).values(province_id=province_id, year=year, deadline=deadline))
