"""Filed documents (KH, BC, CTr, TB…) and approval delegations."""
from __future__ import annotations

import json
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from danvan.calls.models import Call
from danvan.core.audit import Audited
from danvan.core.models import Label, Timestamped, UTCDateTime, Versioned
from danvan.core.numbering import TYPE_CODES
from danvan.core.units import Unit
from danvan.core.vntext import today_local
from danvan.extensions import db

STATES: dict[str, str] = {
    "draft": "Nháp",
    "submitted": "Đã gửi",
    "returned": "Bị trả lại",
    "approved": "Đã duyệt",
    "archived": "Đã lưu trữ",
}
SIGNER_MODES: dict[str, str] = {"": "(ký trực tiếp)", "T/M": "T/M", "K/T": "K/T", "T/L": "T/L"}


class PlanDocument(Audited, Versioned, Timestamped, db.Model):
    """A plan, report, programme, notice… issued by `unit`; numbered on approval."""

    __tablename__ = "plan_document"
    __table_args__ = (
        sa.CheckConstraint("state IN ('draft','submitted','returned','approved','archived')", name="state"),
        sa.UniqueConstraint("unit_id", "type_code", "number_year", "number", name="uq_plan_document_number"),
        sa.Index("ix_plan_document_approver_state", "approver_unit_id", "state"),
    )

    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    # The committee whose leaders approve: the call issuer's committee, else the unit above.
    approver_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    call_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plan_call.id"), index=True)
    type_code: Mapped[str] = mapped_column(sa.String(10))
    summary: Mapped[str] = mapped_column(sa.String(500), default="")
    search_key: Mapped[str] = mapped_column(sa.String(600), default="", index=True)
    year: Mapped[int] = mapped_column(sa.Integer)
    period: Mapped[str] = mapped_column(sa.String(120), default="")
    body_json: Mapped[str] = mapped_column(sa.Text, default="[]")
    signer_mode: Mapped[str] = mapped_column(sa.String(10), default="")
    signer_authority: Mapped[str] = mapped_column(sa.String(120), default="")
    signer_title: Mapped[str] = mapped_column(sa.String(120), default="")
    signer_name: Mapped[str] = mapped_column(sa.String(120), default="")
    recipients: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[str] = mapped_column(sa.String(20), default="draft", index=True)
    archived_from: Mapped[str] = mapped_column(sa.String(20), default="")
    number: Mapped[int | None] = mapped_column(sa.Integer)
    number_year: Mapped[int | None] = mapped_column(sa.Integer)
    number_text: Mapped[str] = mapped_column(sa.String(60), default="")
    issued_on: Mapped[date | None] = mapped_column(sa.Date)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id], lazy="joined")
    approver_unit: Mapped[Unit] = relationship(foreign_keys=[approver_unit_id])
    call: Mapped[Call | None] = relationship()
    created_by = relationship("User", foreign_keys=[created_by_id])

    __repr_attrs__ = ("id", "type_code", "state")

    type_label = Label("type_code", TYPE_CODES)
    state_label = Label("state", STATES)

    @property
    def issued(self) -> bool:
        """Approved, so numbered and sent out; still so once an administrator archived it (the number
        stays). Any other document prints as a draft without a number."""
        return self.state == "approved" or (self.state == "archived" and self.archived_from == "approved")

    @property
    def sections(self) -> list[dict]:
        try:
            data = json.loads(self.body_json or "[]")
        except ValueError:
            return []
        return [s for s in data if isinstance(s, dict)]

    @sections.setter
    def sections(self, value: list[dict]) -> None:
        self.body_json = json.dumps(value, ensure_ascii=False)

    @property
    def recipient_lines(self) -> list[str]:
        lines = (line.strip().lstrip("-–+ ").rstrip(",;. ") for line in (self.recipients or "").splitlines())
        return [line for line in lines if line]


class PlanDelegation(Audited, Timestamped, db.Model):
    """A leader lets a named user approve on their behalf from starts_on to ends_on (inclusive)."""

    __tablename__ = "plan_delegation"
    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="dates"),)

    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    delegator_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    delegate_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit: Mapped[Unit] = relationship()
    delegator = relationship("User", foreign_keys=[delegator_id], lazy="joined")
    delegate = relationship("User", foreign_keys=[delegate_id], lazy="joined")

    @property
    def status(self) -> str:
        """revoked, expired, pending or active, today in Asia/Ho_Chi_Minh."""
        today = today_local()
        if self.revoked_at is not None:
            return "revoked"
        if self.ends_on < today:
            return "expired"
        return "pending" if self.starts_on > today else "active"

    __repr_attrs__ = ("delegator_id", "delegate_id", "starts_on", "ends_on")
