"""Document numbers 'Số 12-KH/BDVTU': per issuing body, type and year, consecutive, never twice.

The counter row is bumped with one UPDATE … RETURNING, so two leaders approving at the same
moment on PostgreSQL serialise on the row lock and get consecutive numbers; SQLite
serialises writers anyway.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from danvan.extensions import db

TYPE_CODES: dict[str, str] = {
    "NQ": "Nghị quyết", "CT": "Chỉ thị", "KL": "Kết luận", "QĐ": "Quyết định", "QC": "Quy chế",
    "BC": "Báo cáo", "TTr": "Tờ trình", "TB": "Thông báo", "HD": "Hướng dẫn",
    "CTr": "Chương trình", "KH": "Kế hoạch", "CV": "Công văn", "BB": "Biên bản",
    "GM": "Giấy mời", "ĐA": "Đề án",
}
TYPE_CHOICES: list[tuple[str, str]] = [(code, f"{label} ({code})") for code, label in TYPE_CODES.items()]


class DocumentCounter(db.Model):
    __tablename__ = "document_counter"
    __table_args__ = (sa.UniqueConstraint("issuer_unit_id", "type_code", "year",
                                          name="uq_document_counter_key"),)

    issuer_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    type_code: Mapped[str] = mapped_column(sa.String(10))
    year: Mapped[int] = mapped_column(sa.Integer)
    last_number: Mapped[int] = mapped_column(sa.Integer, default=0)

    __repr_attrs__ = ("issuer_unit_id", "type_code", "year", "last_number")


def next_number(issuer_unit_id: int, type_code: str, year: int) -> int:
    if type_code not in TYPE_CODES:
        raise ValueError(f"unknown document type {type_code!r}")
    table = DocumentCounter.__table__
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    key = {"issuer_unit_id": issuer_unit_id, "type_code": type_code, "year": year}
    db.session.execute(insert(table).values(**key, last_number=0).on_conflict_do_nothing())
    return db.session.execute(
        sa.update(table)
        .where(table.c.issuer_unit_id == issuer_unit_id, table.c.type_code == type_code,
               table.c.year == year)
        .values(last_number=table.c.last_number + 1)
        .returning(table.c.last_number)
    ).scalar_one()


def format_number(number: int, type_code: str, issuer_code: str) -> str:
    """'12-KH/BDVTU' (print 'Số 12-KH/BDVTU': Party documents put no colon after Số)."""
    return f"{number}-{type_code}/{issuer_code}"
