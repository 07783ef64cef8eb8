"""Blocs, members (with from/to dates: the roster has history), criteria sets and evaluations."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from danvan.core.audit import Audited
from danvan.core.models import InState, InUnit, Label, NameSorted, Timestamped, UTCDateTime, Versioned
from danvan.core.units import Unit
from danvan.extensions import db

# Positions of bloc members (DOMAIN.md: who sits in a khối dân vận cơ sở).
POSITIONS: dict[str, str] = {
    "bi_thu": "Bí thư Đảng ủy",
    "pho_bi_thu": "Phó Bí thư Đảng ủy",
    "thuong_truc_hdnd": "Thường trực HĐND",
    "lanh_dao_ubnd": "Lãnh đạo UBND",
    "chu_tich_mttq": "Chủ tịch Ủy ban MTTQ",
    "hoi_phu_nu": "Chủ tịch Hội Liên hiệp Phụ nữ",
    "doan_thanh_nien": "Bí thư Đoàn Thanh niên",
    "hoi_nong_dan": "Chủ tịch Hội Nông dân",
    "hoi_ccb": "Chủ tịch Hội Cựu chiến binh",
    "truong_cong_an": "Trưởng Công an",
    "hoi_quan_chung": "Trưởng hội quần chúng",
    "cong_chuc": "Công chức",
    "hieu_truong": "Hiệu trưởng trường học",
    "y_te": "Cán bộ y tế",
    "bi_thu_chi_bo": "Bí thư chi bộ",
    "truong_thon": "Trưởng thôn, tổ trưởng tổ dân phố",
    "nguoi_uy_tin": "Người có uy tín",
    "khac": "Khác",
}
ROSTER_STATES: dict[str, str] = {"draft": "Bản nháp", "confirmed": "Đã xác nhận"}
SUBJECTS: dict[str, str] = {"bloc": "Khối dân vận", "member": "Thành viên khối"}
EVALUATION_STATES: dict[str, str] = {
    "draft": "Đang tự đánh giá", "submitted": "Chờ cấp trên chấm", "returned": "Bị trả lại",
    "scored": "Đã chấm, xếp loại",
}
RATINGS: dict[str, str] = {
    "xuat_sac": "Hoàn thành xuất sắc nhiệm vụ",
    "tot": "Hoàn thành tốt nhiệm vụ",
    "hoan_thanh": "Hoàn thành nhiệm vụ",
    "khong": "Không hoàn thành nhiệm vụ",
}
POINTS = sa.Numeric(5, 2)


class Bloc(NameSorted, Audited, Versioned, Timestamped, db.Model):
    __tablename__ = "bloc"
    __table_args__ = (sa.CheckConstraint("roster_state IN ('draft','confirmed')", name="roster_state"),)

    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), unique=True)
    name: Mapped[str] = mapped_column(sa.String(250))
    name_key: Mapped[str] = mapped_column(sa.String(250), default="", index=True)
    roster_state: Mapped[str] = mapped_column(sa.String(20), default="draft")
    # Why the roster is only a draft (one reason per line); empty when it follows the rules.
    flag_reasons: Mapped[str] = mapped_column(sa.Text, default="")
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    established_on: Mapped[date | None] = mapped_column(sa.Date)

    unit: Mapped[Unit] = relationship(lazy="joined")

    __repr_attrs__ = ("id", "name")

    @property
    def reasons(self) -> list[str]:
        return [r for r in (self.flag_reasons or "").splitlines() if r.strip()]

    roster_state_label = Label("roster_state", ROSTER_STATES)
    roster_confirmed = InState("confirmed", column="roster_state")


class BlocMember(NameSorted, Audited, Versioned, Timestamped, db.Model):
    __sort_source__ = "full_name"
    __tablename__ = "bloc_member"
    __table_args__ = (
        sa.CheckConstraint("to_date IS NULL OR to_date >= from_date", name="dates"),
        sa.Index("ix_bloc_member_current", "bloc_id", "to_date"),
    )

    bloc_id: Mapped[int] = mapped_column(sa.ForeignKey("bloc.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))
    name_key: Mapped[str] = mapped_column(sa.String(120), default="", index=True)
    position: Mapped[str] = mapped_column(sa.String(30))
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    is_head: Mapped[bool] = mapped_column(sa.Boolean(name="is_head"), default=False)
    from_date: Mapped[date] = mapped_column(sa.Date)
    to_date: Mapped[date | None] = mapped_column(sa.Date)
    phone: Mapped[str] = mapped_column(sa.String(30), default="")

    bloc: Mapped[Bloc] = relationship(lazy="joined")
    unit: Mapped[Unit] = relationship()

    __repr_attrs__ = ("id", "full_name")

    position_label = Label("position", POSITIONS)

    def is_current(self, on: date) -> bool:
        return self.from_date <= on and (self.to_date is None or self.to_date > on)


class CriteriaSet(InUnit, Audited, Versioned, Timestamped, db.Model):
    __tablename__ = "bloc_criteria_set"
    __table_args__ = (
        sa.CheckConstraint("subject IN ('bloc','member')", name="subject"),
        sa.CheckConstraint("pass_min >= 0 AND pass_min < good_min AND good_min < excellent_min "
                           "AND excellent_min <= 100", name="thresholds"),
    )

    name: Mapped[str] = mapped_column(sa.String(250))
    subject: Mapped[str] = mapped_column(sa.String(10))
    year_from: Mapped[int] = mapped_column(sa.Integer)
    excellent_min: Mapped[Decimal] = mapped_column(POINTS, default=Decimal(90))
    good_min: Mapped[Decimal] = mapped_column(POINTS, default=Decimal(70))
    pass_min: Mapped[Decimal] = mapped_column(POINTS, default=Decimal(50))
    active: Mapped[bool] = mapped_column(sa.Boolean(name="active"), default=True)

    criteria: Mapped[list[Criterion]] = relationship(back_populates="criteria_set", order_by="Criterion.position",
                                                     cascade="all, delete-orphan")

    __repr_attrs__ = ("id", "name")

    subject_label = Label("subject", SUBJECTS)


class Criterion(Audited, db.Model):
    __tablename__ = "bloc_criterion"
    __table_args__ = (sa.CheckConstraint("max_points > 0 AND max_points <= 100", name="max_points"),)

    set_id: Mapped[int] = mapped_column(sa.ForeignKey("bloc_criteria_set.id"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer, default=1)
    title: Mapped[str] = mapped_column(sa.String(500))
    max_points: Mapped[Decimal] = mapped_column(POINTS)

    criteria_set: Mapped[CriteriaSet] = relationship(back_populates="criteria")

    __repr_attrs__ = ("id", "max_points")


class Evaluation(InUnit, Audited, Versioned, Timestamped, db.Model):
    __tablename__ = "bloc_evaluation"
    __table_args__ = (
        sa.UniqueConstraint("subject_key", "year", name="uq_bloc_evaluation_subject_year"),
        sa.CheckConstraint("state IN ('draft','submitted','returned','scored')", name="state"),
        sa.CheckConstraint("self_total IS NULL OR (self_total >= 0 AND self_total <= 100)", name="self_total"),
        sa.CheckConstraint("final_total IS NULL OR (final_total >= 0 AND final_total <= 100)", name="final_total"),
    )

    bloc_id: Mapped[int] = mapped_column(sa.ForeignKey("bloc.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bloc_member.id"), index=True)
    subject_key: Mapped[str] = mapped_column(sa.String(30))
    set_id: Mapped[int] = mapped_column(sa.ForeignKey("bloc_criteria_set.id"), index=True)
    year: Mapped[int] = mapped_column(sa.Integer, index=True)
    state: Mapped[str] = mapped_column(sa.String(20), default="draft")
    self_total: Mapped[Decimal | None] = mapped_column(POINTS)
    final_total: Mapped[Decimal | None] = mapped_column(POINTS)
    rating: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    self_comment: Mapped[str] = mapped_column(sa.Text, default="")
    final_comment: Mapped[str] = mapped_column(sa.Text, default="")
    scored_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    bloc: Mapped[Bloc] = relationship(lazy="joined")
    member: Mapped[BlocMember | None] = relationship(lazy="joined")
    criteria_set: Mapped[CriteriaSet] = relationship(lazy="joined")
    scores: Mapped[list[EvaluationScore]] = relationship(back_populates="evaluation", cascade="all, delete-orphan")

    __repr_attrs__ = ("id", "subject_key", "year")

    @property
    def title(self) -> str:
        who = self.member.full_name if self.member is not None else self.bloc.name
        return f"Đánh giá {self.year}: {who}"

    rating_label = Label("rating", RATINGS, missing="")
    state_label = Label("state", EVALUATION_STATES)


class EvaluationScore(Audited, db.Model):
    __tablename__ = "bloc_evaluation_score"
    __table_args__ = (
        sa.UniqueConstraint("evaluation_id", "criterion_id", name="uq_bloc_evaluation_score_criterion"),
        sa.CheckConstraint("self_score IS NULL OR self_score >= 0", name="self_score"),
        sa.CheckConstraint("final_score IS NULL OR final_score >= 0", name="final_score"),
    )

    evaluation_id: Mapped[int] = mapped_column(sa.ForeignKey("bloc_evaluation.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("bloc_criterion.id"), index=True)
    self_score: Mapped[Decimal | None] = mapped_column(POINTS)
    final_score: Mapped[Decimal | None] = mapped_column(POINTS)

    evaluation: Mapped[Evaluation] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship(lazy="joined")

    __repr_attrs__ = ("evaluation_id", "criterion_id")
