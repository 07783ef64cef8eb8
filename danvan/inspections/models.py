"""Inspections of Quy chế dân chủ ở cơ sở and "Dân vận khéo": plans, visits, checklists,
conclusions (Thông báo kết luận, numbered and frozen) and recommendations followed to closure."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from danvan.core.audit import Audited
from danvan.core.models import InState, InUnit, Label, Timestamped, UTCDateTime, Versioned
from danvan.core.units import Unit
from danvan.extensions import db

# Law 10/2022/QH15 groups what a commune must do; Dân vận khéo is checked alongside.
CATEGORIES: dict[str, str] = {
    "cong_khai": "Những nội dung công khai",
    "ban_quyet_dinh": "Nhân dân bàn và quyết định",
    "tham_gia_y_kien": "Nhân dân tham gia ý kiến",
    "kiem_tra_giam_sat": "Nhân dân kiểm tra, giám sát",
    "dan_van_kheo": "Phong trào “Dân vận khéo”",
}
VERDICTS: dict[str, str] = {
    "dat": "Đạt",
    "dat_mot_phan": "Đạt một phần",
    "chua_dat": "Chưa đạt",
    "khong_ap_dung": "Không áp dụng",
}
# Read-only links from a checklist item to the inspected unit's own data elsewhere in the portal.
LINKS: dict[str, str] = {
    "initiatives": "Mô hình “Dân vận khéo” đã đăng ký",
    "programme": "Báo cáo tiến độ Đề án",
    "blocs": "Xếp loại khối dân vận",
}
PLAN_STATES = {"draft": "Đang lập", "issued": "Đã ban hành"}
INSPECTION_STATES = {"planned": "Đã lên lịch", "visited": "Đã kiểm tra", "concluded": "Đã ban hành kết luận"}
RECOMMENDATION_STATES = {
    "open": "Chưa thực hiện",
    "reported": "Đơn vị đã báo cáo",
    "accepted": "Đã hoàn thành",
    "reopened": "Yêu cầu thực hiện lại",
}
OPEN_RECOMMENDATION_STATES = ("open", "reported", "reopened")


class ChecklistTemplate(Audited, Versioned, Timestamped, db.Model):
    """A configurable set of checklist items; a unit uses its own or one configured above it."""

    __tablename__ = "inspection_checklist"

    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit: Mapped[Unit] = relationship()
    items: Mapped[list[ChecklistItem]] = relationship(
        back_populates="template", order_by="ChecklistItem.position", cascade="all, delete-orphan")

    __repr_attrs__ = ("id", "name")


class ChecklistItem(Audited, db.Model):
    __tablename__ = "inspection_checklist_item"
    __table_args__ = (
        sa.CheckConstraint("category IN ('cong_khai','ban_quyet_dinh','tham_gia_y_kien','kiem_tra_giam_sat',"
                           "'dan_van_kheo')", name="category"),
    )

    template_id: Mapped[int] = mapped_column(sa.ForeignKey("inspection_checklist.id", ondelete="CASCADE"),
                                             index=True)
    category: Mapped[str] = mapped_column(sa.String(30))
    position: Mapped[int] = mapped_column(sa.Integer, default=0)
    text: Mapped[str] = mapped_column(sa.String(500))
    link: Mapped[str] = mapped_column(sa.String(30), default="")

    template: Mapped[ChecklistTemplate] = relationship(back_populates="items")

    __repr_attrs__ = ("id", "category")


class InspectionPlan(InUnit, Audited, Versioned, Timestamped, db.Model):
    """Kế hoạch kiểm tra of `unit` for a year; its KH document goes through the plans workflow."""

    __tablename__ = "inspection_plan"
    __table_args__ = (sa.CheckConstraint("state IN ('draft','issued')", name="state"),)

    year: Mapped[int] = mapped_column(sa.Integer, index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    purpose: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[str] = mapped_column(sa.String(20), default="draft")
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plan_document.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    inspections: Mapped[list[Inspection]] = relationship(back_populates="plan", order_by="Inspection.scheduled_on")

    __repr_attrs__ = ("id", "year")

    state_label = Label("state", PLAN_STATES)


class Inspection(Audited, Versioned, Timestamped, db.Model):
    """One visit of a team to the inspected `unit`: its report, checklist, record and conclusion."""

    __tablename__ = "inspection"
    __table_args__ = (
        sa.CheckConstraint("state IN ('planned','visited','concluded')", name="state"),
        sa.Index("ix_inspection_organiser_year", "organiser_id", "year"),
        sa.Index("ix_inspection_unit_scheduled", "unit_id", "scheduled_on"),
        sa.Index("ix_inspection_scheduled", "scheduled_on", "id"),   # the list, newest first
    )

    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("inspection_plan.id"), index=True)
    organiser_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)   # = plan.unit_id
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))                   # the inspected unit
    year: Mapped[int] = mapped_column(sa.Integer)
    scheduled_on: Mapped[date] = mapped_column(sa.Date)
    report_due: Mapped[date] = mapped_column(sa.Date)
    content: Mapped[str] = mapped_column(sa.Text, default="")
    guests: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[str] = mapped_column(sa.String(20), default="planned", index=True)
    template_id: Mapped[int | None] = mapped_column(sa.ForeignKey("inspection_checklist.id"))
    previous_id: Mapped[int | None] = mapped_column(sa.ForeignKey("inspection.id"))
    call_id: Mapped[int | None] = mapped_column(sa.Integer)   # the call its report answers
    findings: Mapped[str] = mapped_column(sa.Text, default="")
    results: Mapped[str] = mapped_column(sa.Text, default="")
    shortcomings: Mapped[str] = mapped_column(sa.Text, default="")
    visited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    conclusion: Mapped[str] = mapped_column(sa.Text, default="")
    signer_title: Mapped[str] = mapped_column(sa.String(120), default="")
    signer_name: Mapped[str] = mapped_column(sa.String(120), default="")
    number: Mapped[int | None] = mapped_column(sa.Integer)
    number_text: Mapped[str] = mapped_column(sa.String(60), default="")
    issued_on: Mapped[date | None] = mapped_column(sa.Date)
    # Empty since 0013: the issued files are the conclusion's IssuedRecord (visits.conclusion_record).
    pdf_id: Mapped[int | None] = mapped_column(sa.ForeignKey("attachment.id"))
    docx_id: Mapped[int | None] = mapped_column(sa.ForeignKey("attachment.id"))

    plan: Mapped[InspectionPlan] = relationship(back_populates="inspections")
    organiser: Mapped[Unit] = relationship(foreign_keys=[organiser_id], lazy="joined")
    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id], lazy="joined")
    members: Mapped[list[InspectionMember]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan", lazy="selectin",
        order_by="InspectionMember.position")
    results_rows: Mapped[list[ChecklistResult]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan", order_by="ChecklistResult.position")
    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="inspection", order_by="Recommendation.position")

    __repr_attrs__ = ("id", "unit_id", "scheduled_on")

    state_label = Label("state", INSPECTION_STATES)

    concluded = InState("concluded")         # the conclusion (TB) is issued: numbered, frozen

    @property
    def member_ids(self) -> set[int]:
        return {m.user_id for m in self.members}


class InspectionMember(Audited, db.Model):
    __tablename__ = "inspection_member"
    __table_args__ = (sa.UniqueConstraint("inspection_id", "user_id", name="uq_inspection_member"),)

    inspection_id: Mapped[int] = mapped_column(sa.ForeignKey("inspection.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer, default=0)   # 0: trưởng đoàn

    inspection: Mapped[Inspection] = relationship(back_populates="members")
    user = relationship("User", lazy="joined")

    __repr_attrs__ = ("inspection_id", "user_id")


class ChecklistResult(Audited, Versioned, db.Model):
    """One checklist line of one visit; the item's wording is copied so later edits of the
    configuration do not rewrite past visits."""

    __tablename__ = "inspection_result"
    __table_args__ = (
        sa.CheckConstraint("verdict IN ('','dat','dat_mot_phan','chua_dat','khong_ap_dung')", name="verdict"),
        sa.Index("ix_inspection_result_inspection", "inspection_id", "position"),
    )

    inspection_id: Mapped[int] = mapped_column(sa.ForeignKey("inspection.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)   # the inspected unit
    category: Mapped[str] = mapped_column(sa.String(30))
    position: Mapped[int] = mapped_column(sa.Integer, default=0)
    text: Mapped[str] = mapped_column(sa.String(500))
    link: Mapped[str] = mapped_column(sa.String(30), default="")
    verdict: Mapped[str] = mapped_column(sa.String(20), default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")

    inspection: Mapped[Inspection] = relationship(back_populates="results_rows")

    __repr_attrs__ = ("id", "verdict")

    verdict_label = Label("verdict", VERDICTS, missing="Chưa đánh giá")
    category_label = Label("category", CATEGORIES)


class Recommendation(Audited, Versioned, Timestamped, db.Model):
    """Kiến nghị: a unit responsible, a deadline, a state followed until the team accepts it."""

    __tablename__ = "inspection_recommendation"
    __table_args__ = (
        sa.CheckConstraint("state IN ('open','reported','accepted','reopened')", name="state"),
        sa.Index("ix_inspection_recommendation_unit_state", "unit_id", "state", "deadline"),
    )

    inspection_id: Mapped[int] = mapped_column(sa.ForeignKey("inspection.id"), index=True)
    organiser_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))   # the unit responsible
    position: Mapped[int] = mapped_column(sa.Integer, default=0)
    text: Mapped[str] = mapped_column(sa.Text)
    deadline: Mapped[date] = mapped_column(sa.Date)
    state: Mapped[str] = mapped_column(sa.String(20), default="open")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    inspection: Mapped[Inspection] = relationship(back_populates="recommendations")
    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id], lazy="joined")

    __repr_attrs__ = ("id", "state")

    state_label = Label("state", RECOMMENDATION_STATES)

    is_open = InState(*OPEN_RECOMMENDATION_STATES)


class InspectionReminder(db.Model):
    """An overdue reminder sent for one recommendation; sent once per deadline."""

    __tablename__ = "inspection_reminder"
    __table_args__ = (sa.UniqueConstraint("recommendation_id", "deadline", name="uq_inspection_reminder"),)

    recommendation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("inspection_recommendation.id", ondelete="CASCADE"))
    deadline: Mapped[date] = mapped_column(sa.Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __repr_attrs__ = ("recommendation_id", "deadline")
