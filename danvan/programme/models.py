"""Programmes (Đề án), their task groups and tasks, and the progress reports units file on them."""
from __future__ import annotations

import calendar
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from danvan.core.audit import Audited
from danvan.core.models import InUnit, Label, Timestamped, UTCDateTime, Versioned
from danvan.core.units import LEVEL_KINDS, Unit  # noqa: F401  (LEVEL_KINDS: the programme reads it from here)
from danvan.extensions import db

# Who carries out a task: the issuing committee itself, every district / đảng ủy trực thuộc, every commune.
# The form offers only the levels present under the issuer (forms.level_choices).
LEVELS: dict[str, str] = {
    "province": "Đơn vị ban hành Đề án",
    "district": "Các huyện, thành ủy, đảng ủy trực thuộc",
    "commune": "Các xã, phường, thị trấn",
}
PERIOD_KINDS: dict[str, str] = {"quy": "Quý", "6thang": "6 tháng", "nam": "Năm"}
PERIOD_NUMBERS: dict[str, tuple[int, ...]] = {"quy": (1, 2, 3, 4), "6thang": (1, 2), "nam": (1,)}
STATUSES: dict[str, str] = {"chua": "Chưa triển khai", "dang": "Đang thực hiện", "xong": "Hoàn thành"}
REPORT_STATES: dict[str, str] = {
    "draft": "Bản nháp", "submitted": "Chờ duyệt", "returned": "Bị trả lại", "accepted": "Đã duyệt",
}
MONEY = sa.Numeric(12, 2)
WEIGHT = sa.Numeric(6, 2)
PERCENT = sa.Numeric(5, 2)


def period_end(kind: str, year: int, number: int) -> date:
    """The last day of a reporting period: quý 2/2024 → 30/06/2024, 6 tháng 1 → 30/06, năm → 31/12."""
    month = {"quy": number * 3, "6thang": number * 6, "nam": 12}[kind]
    return date(year, month, calendar.monthrange(year, month)[1])


def period_label(kind: str, year: int, number: int) -> str:
    if kind == "quy":
        return f"Quý {number}/{year}"
    if kind == "6thang":
        return f"6 tháng {'đầu' if number == 1 else 'cuối'} năm {year}"
    return f"Năm {year}"


class Programme(InUnit, Audited, Versioned, Timestamped, db.Model):
    __tablename__ = "programme"
    __table_args__ = (
        sa.CheckConstraint("end_year >= start_year", name="years"),
        sa.CheckConstraint("lagging_below >= 0 AND lagging_below <= 100", name="lagging"),
    )

    title: Mapped[str] = mapped_column(sa.String(400))
    title_key: Mapped[str] = mapped_column(sa.String(400), default="", index=True)
    decision_number: Mapped[str] = mapped_column(sa.String(60), default="")
    issued_on: Mapped[date | None] = mapped_column(sa.Date)
    start_year: Mapped[int] = mapped_column(sa.Integer)
    end_year: Mapped[int] = mapped_column(sa.Integer)
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    # A unit whose progress is below this percentage is shown as lagging on the heatmap.
    lagging_below: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal(50))

    groups: Mapped[list[TaskGroup]] = relationship(back_populates="programme", order_by="TaskGroup.position")

    __repr_attrs__ = ("id", "title")


class TaskGroup(Audited, Versioned, Timestamped, db.Model):
    __tablename__ = "programme_task_group"
    __table_args__ = (sa.CheckConstraint("weight >= 0", name="weight"),)

    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programme.id"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer, default=1)
    title: Mapped[str] = mapped_column(sa.String(400))
    weight: Mapped[Decimal] = mapped_column(WEIGHT, default=Decimal(1))

    programme: Mapped[Programme] = relationship(back_populates="groups", lazy="joined")
    tasks: Mapped[list[Task]] = relationship(back_populates="group", order_by="Task.position")

    __repr_attrs__ = ("id", "position")

    @property
    def unit(self) -> Unit:
        return self.programme.unit


class Task(Audited, Versioned, Timestamped, db.Model):
    __tablename__ = "programme_task"
    __table_args__ = (
        sa.CheckConstraint("weight >= 0", name="weight"),
        sa.CheckConstraint("target IS NULL OR target > 0", name="target"),
        sa.CheckConstraint("level IN ('province','district','commune')", name="level"),
    )

    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programme.id"), index=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("programme_task_group.id"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer, default=1)
    title: Mapped[str] = mapped_column(sa.String(500))
    indicator: Mapped[str] = mapped_column(sa.String(300), default="")
    unit_of_measure: Mapped[str] = mapped_column(sa.String(60), default="")
    target: Mapped[Decimal | None] = mapped_column(MONEY)
    starts_on: Mapped[date] = mapped_column(sa.Date)
    deadline: Mapped[date | None] = mapped_column(sa.Date)
    weight: Mapped[Decimal] = mapped_column(WEIGHT, default=Decimal(1))
    level: Mapped[str] = mapped_column(sa.String(20), default="commune")

    programme: Mapped[Programme] = relationship(lazy="joined")
    group: Mapped[TaskGroup] = relationship(back_populates="tasks")

    __repr_attrs__ = ("id", "title")

    @property
    def unit(self) -> Unit:
        return self.programme.unit

    level_label = Label("level", LEVELS)


class ProgressReport(InUnit, Audited, Versioned, Timestamped, db.Model):
    __tablename__ = "progress_report"
    __table_args__ = (
        sa.UniqueConstraint("task_id", "unit_id", "period_kind", "year", "number", name="uq_progress_report_period"),
        sa.CheckConstraint("period_kind IN ('quy','6thang','nam')", name="period_kind"),
        sa.CheckConstraint("status IN ('chua','dang','xong')", name="status"),
        sa.CheckConstraint("state IN ('draft','submitted','returned','accepted')", name="state"),
        sa.CheckConstraint("percent >= 0 AND percent <= 100", name="percent"),
        sa.CheckConstraint("value IS NULL OR value >= 0", name="value"),
        sa.Index("ix_progress_report_rollup", "task_id", "unit_id", "state", "period_end"),
    )

    task_id: Mapped[int] = mapped_column(sa.ForeignKey("programme_task.id"), index=True)
    period_kind: Mapped[str] = mapped_column(sa.String(10))
    year: Mapped[int] = mapped_column(sa.Integer)
    number: Mapped[int] = mapped_column(sa.Integer, default=1)
    period_end: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(10), default="chua")
    value: Mapped[Decimal | None] = mapped_column(MONEY)
    percent: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal(0))
    narrative: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[str] = mapped_column(sa.String(20), default="draft", index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    task: Mapped[Task] = relationship(lazy="joined")

    __repr_attrs__ = ("id", "task_id", "unit_id")

    @property
    def title(self) -> str:
        return f"{self.unit.name if self.unit else ''} · {self.period_label}"

    @property
    def period_label(self) -> str:
        return period_label(self.period_kind, self.year, self.number)

    status_label = Label("status", STATUSES)
    state_label = Label("state", REPORT_STATES)


class ProgressLatest(db.Model):
    """The maintained summary: the latest accepted report of each (task, unit), written in the same
    transaction as the acceptance, reopening, edit or move that changes it (see programme/summary.py).
    Roll-ups for today read this table instead of ranking every report of the programme."""
    __tablename__ = "progress_latest"

    id = None  # keyed by (task, unit)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("programme_task.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), primary_key=True, index=True)
    report_id: Mapped[int] = mapped_column(sa.Integer)  # no FK: the row is rewritten after the report changes
    period_end: Mapped[date] = mapped_column(sa.Date)
    percent: Mapped[Decimal] = mapped_column(PERCENT)

    __repr_attrs__ = ("task_id", "unit_id", "percent")
