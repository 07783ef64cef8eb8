"""'Dân vận khéo' models: configuration per province, yearly registrations, scores,
recognition decisions and the consolidated lists districts send up."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from danvan.core.audit import Audited
from danvan.core.models import Label, NameSorted, Timestamped, UTCDateTime, Versioned
from danvan.core.units import Unit
from danvan.core.vntext import now_utc
from danvan.extensions import db

STATES: dict[str, str] = {
    "draft": "Nháp",
    "submitted": "Đã gửi, chờ duyệt",
    "returned": "Trả lại để sửa",
    "accepted": "Đã tiếp nhận",
    "recognised": "Đã công nhận",
}
# A registration counts as "registered" once it was sent (returned ones were sent too).
REGISTERED_STATES = ("submitted", "returned", "accepted", "recognised")


class _ProvinceConfigured:
    """A row a province configures (an option, a review criterion): listed by position, kept, never
    deleted, switched off (`active`) instead."""

    # sort_order: the key column stays first (after `id`), as the migrations created the tables
    province_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True, sort_order=-1)
    position: Mapped[int] = mapped_column(sa.Integer, default=0)
    active: Mapped[bool] = mapped_column(sa.Boolean(name="active"), default=True)


class _ProvinceOption(_ProvinceConfigured):
    """A named choice a province configures (lĩnh vực, loại)."""

    name: Mapped[str] = mapped_column(sa.String(120))
    name_key: Mapped[str] = mapped_column(sa.String(120))

    __repr_attrs__ = ("id", "name")


class InitiativeField(_ProvinceOption, Audited, db.Model):
    """Lĩnh vực, configured per province."""

    __tablename__ = "initiative_field"
    __table_args__ = (sa.UniqueConstraint("province_id", "name_key", name="uq_initiative_field_name"),)


class InitiativeKind(_ProvinceOption, Audited, db.Model):
    """Loại: mô hình (tập thể), điển hình cá nhân, điển hình tập thể — per province."""

    __tablename__ = "initiative_kind"
    __table_args__ = (sa.UniqueConstraint("province_id", "name_key", name="uq_initiative_kind_name"),)


class InitiativeCriterion(_ProvinceConfigured, Audited, db.Model):
    """One criterion of the review set; the active criteria of a province total 100 points."""

    __tablename__ = "initiative_criterion"
    __table_args__ = (sa.CheckConstraint("max_score > 0 AND max_score <= 100", name="max_score"),)

    name: Mapped[str] = mapped_column(sa.String(300))
    max_score: Mapped[int] = mapped_column(sa.Integer)

    __repr_attrs__ = ("id", "name", "max_score")


class InitiativeRecognition(Audited, Timestamped, db.Model):
    """A recognition decision (Quyết định công nhận) covering a batch of registrations."""

    __tablename__ = "initiative_recognition"

    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)  # issuing committee
    year: Mapped[int] = mapped_column(sa.Integer)
    number: Mapped[int] = mapped_column(sa.Integer)
    number_text: Mapped[str] = mapped_column(sa.String(40))
    decided_on: Mapped[date] = mapped_column(sa.Date)
    title: Mapped[str] = mapped_column(sa.String(300))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    unit: Mapped[Unit] = relationship(lazy="joined")

    __repr_attrs__ = ("number_text",)


class Initiative(NameSorted, Audited, Versioned, Timestamped, db.Model):
    """One registration of a model or an exemplary person/collective for one year."""

    __tablename__ = "initiative"
    __table_args__ = (
        sa.CheckConstraint(
            "state IN ('draft','submitted','returned','accepted','recognised')", name="state"),
        sa.CheckConstraint("year >= 2000 AND year <= 2100", name="year"),
        sa.CheckConstraint("end_on IS NULL OR start_on IS NULL OR end_on >= start_on", name="period"),
        # Scope first: every list, search and statistic walks the units of a subtree and, per unit,
        # this index. On PostgreSQL it also carries what searches and statistics read, so they run
        # as index-only scans over the province's entries, never the national table (bench/initiatives.py).
        sa.Index("ix_initiative_unit_year", "unit_id", "year",
                 postgresql_include=["id", "field_id", "is_new", "state", "submitted_at", "search_key"]),
    )

    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    year: Mapped[int] = mapped_column(sa.Integer)
    name: Mapped[str] = mapped_column(sa.String(300))
    search_key: Mapped[str] = mapped_column(sa.String(800), default="")
    kind_id: Mapped[int] = mapped_column(sa.ForeignKey("initiative_kind.id"), index=True)
    field_id: Mapped[int] = mapped_column(sa.ForeignKey("initiative_field.id"), index=True)
    organisation: Mapped[str] = mapped_column(sa.String(200))
    is_new: Mapped[bool] = mapped_column(sa.Boolean(name="is_new"), default=True)
    previous_id: Mapped[int | None] = mapped_column(sa.ForeignKey("initiative.id"), index=True)
    situation: Mapped[str] = mapped_column(sa.Text, default="")
    goals: Mapped[str] = mapped_column(sa.Text, default="")
    content: Mapped[str] = mapped_column(sa.Text, default="")
    area: Mapped[str] = mapped_column(sa.Text, default="")
    forces: Mapped[str] = mapped_column(sa.Text, default="")
    resources: Mapped[str] = mapped_column(sa.Text, default="")
    budget: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))  # triệu đồng
    start_on: Mapped[date | None] = mapped_column(sa.Date)
    end_on: Mapped[date | None] = mapped_column(sa.Date)
    expected_results: Mapped[str] = mapped_column(sa.Text, default="")
    sustain: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[str] = mapped_column(sa.String(20), default="draft")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    total_score: Mapped[int | None] = mapped_column(sa.Integer)
    exemplary: Mapped[bool] = mapped_column(sa.Boolean(name="exemplary"), default=False)
    recognition_id: Mapped[int | None] = mapped_column(sa.ForeignKey("initiative_recognition.id"),
                                                       index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    unit: Mapped[Unit] = relationship(lazy="joined")
    field: Mapped[InitiativeField] = relationship(lazy="joined")
    kind: Mapped[InitiativeKind] = relationship(lazy="joined")
    previous: Mapped[Initiative | None] = relationship(remote_side="Initiative.id")
    recognition: Mapped[InitiativeRecognition | None] = relationship()

    __repr_attrs__ = ("id", "year", "name")

    state_label = Label("state", STATES)

    @property
    def title(self) -> str:  # audit label
        return self.name


class InitiativeScore(db.Model):
    __tablename__ = "initiative_score"
    __table_args__ = (
        sa.UniqueConstraint("initiative_id", "criterion_id", name="uq_initiative_score_key"),
        sa.CheckConstraint("score >= 0", name="score"),
    )

    initiative_id: Mapped[int] = mapped_column(sa.ForeignKey("initiative.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("initiative_criterion.id"))
    score: Mapped[int] = mapped_column(sa.Integer)
    scored_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    __repr_attrs__ = ("initiative_id", "criterion_id", "score")


class InitiativeReport(Audited, Timestamped, db.Model):
    """The consolidated list a district (or đảng ủy trực thuộc) sends up for a year."""

    __tablename__ = "initiative_report"
    __table_args__ = (sa.UniqueConstraint("unit_id", "year", name="uq_initiative_report_key"),)

    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    year: Mapped[int] = mapped_column(sa.Integer)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    total: Mapped[int] = mapped_column(sa.Integer, default=0)
    new_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    maintained_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    recognised_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    note: Mapped[str] = mapped_column(sa.Text, default="")

    unit: Mapped[Unit] = relationship(lazy="joined")

    __repr_attrs__ = ("unit_id", "year")
