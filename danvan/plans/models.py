"""Filed documents (KH, BC, CTr, TB…), calls for submissions, submissions, reminders, delegations."""
from __future__ import annotations

import json
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from danvan.core.audit import Audited
from danvan.core.models import Timestamped, UTCDateTime, Versioned
from danvan.core.numbering import TYPE_CODES
from danvan.core.units import Unit
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

    id: Mapped[int] = mapped_column(primary_key=True)
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
    call: Mapped[PlanCall | None] = relationship()
    created_by = relationship("User", foreign_keys=[created_by_id])

    def __repr__(self) -> str:
        return f"<PlanDocument {self.id} {self.type_code} {self.state}>"

    @property
    def type_label(self) -> str:
        return TYPE_CODES.get(self.type_code, self.type_code)

    @property
    def state_label(self) -> str:
        return STATES.get(self.state, self.state)

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


class PlanCall(Audited, Versioned, Timestamped, db.Model):
    """A call for submissions (yêu cầu nộp) from `unit` to target units, with a deadline."""

    __tablename__ = "plan_call"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    search_key: Mapped[str] = mapped_column(sa.String(400), default="", index=True)
    # "document" (answered by a PlanDocument of type_code) or another feature's kind, e.g.
    # "initiative_registration".
    kind: Mapped[str] = mapped_column(sa.String(40), default="document")
    type_code: Mapped[str] = mapped_column(sa.String(10), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    deadline: Mapped[date] = mapped_column(sa.Date, index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit: Mapped[Unit] = relationship(lazy="joined")
    targets: Mapped[list[PlanCallTarget]] = relationship(back_populates="call", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<PlanCall {self.id} {self.title!r}>"

    @property
    def type_label(self) -> str:
        return TYPE_CODES.get(self.type_code, self.type_code) if self.type_code else ""


class PlanCallTarget(Audited, db.Model):
    """One target unit of a call, with its own extension of the deadline if granted."""

    __tablename__ = "plan_call_target"
    __table_args__ = (sa.UniqueConstraint("call_id", "unit_id", name="uq_plan_call_target_call_unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_call.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    extended_until: Mapped[date | None] = mapped_column(sa.Date)

    call: Mapped[PlanCall] = relationship(back_populates="targets")
    unit: Mapped[Unit] = relationship()

    def __repr__(self) -> str:
        return f"<PlanCallTarget call {self.call_id} unit {self.unit_id}>"

    def deadline(self) -> date:
        return self.extended_until or self.call.deadline


class PlanSubmission(db.Model):
    """A target unit's answer to a call: any object (object_type, object_id), its state mirrored."""

    __tablename__ = "plan_submission"
    __table_args__ = (
        sa.UniqueConstraint("call_id", "object_type", "object_id", name="uq_plan_submission_object"),
        sa.CheckConstraint("state IN ('draft','submitted','returned','approved','withdrawn')", name="state"),
        sa.Index("ix_plan_submission_call_unit", "call_id", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_call.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    object_type: Mapped[str] = mapped_column(sa.String(60))
    object_id: Mapped[int] = mapped_column(sa.Integer)
    state: Mapped[str] = mapped_column(sa.String(20), default="draft")
    # First time it was sent (on-time/late is judged on this), last time it was sent.
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit: Mapped[Unit] = relationship()

    def __repr__(self) -> str:
        return f"<PlanSubmission call {self.call_id} unit {self.unit_id} {self.object_type}#{self.object_id}>"


class PlanReminder(db.Model):
    """A reminder sent to one target of one call; (call, unit, kind) is sent once only."""

    __tablename__ = "plan_reminder"
    __table_args__ = (
        sa.UniqueConstraint("call_id", "unit_id", "kind", name="uq_plan_reminder_call_unit_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_call.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    def __repr__(self) -> str:
        return f"<PlanReminder call {self.call_id} unit {self.unit_id} {self.kind}>"


class PlanDelegation(Audited, Timestamped, db.Model):
    """A leader lets a named user approve on their behalf from starts_on to ends_on (inclusive)."""

    __tablename__ = "plan_delegation"
    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="dates"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    delegator_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    delegate_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit: Mapped[Unit] = relationship()
    delegator = relationship("User", foreign_keys=[delegator_id], lazy="joined")
    delegate = relationship("User", foreign_keys=[delegate_id], lazy="joined")

    def __repr__(self) -> str:
        return f"<PlanDelegation {self.delegator_id}→{self.delegate_id} {self.starts_on}..{self.ends_on}>"
