"""Conferences: chairs, connection points (điểm cầu), invitees, agenda, tham luận, documents."""
from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from danvan.core.audit import Audited
from danvan.core.models import InState, InUnit, Label, Timestamped, UTCDateTime, Versioned
from danvan.core.units import Unit
from danvan.core.vntext import today_local
from danvan.extensions import db

KINDS: dict[str, str] = {
    "so_ket": "Sơ kết",
    "tong_ket": "Tổng kết",
    "chuyen_de": "Chuyên đề",
    "hoi_thao": "Hội thảo",
}
INVITEE_STATES: dict[str, str] = {"pending": "Chưa xác nhận", "confirmed": "Tham dự", "declined": "Vắng"}
CONTRIBUTION_STATES: dict[str, str] = {
    "invited": "Đã đề nghị", "submitted": "Đã gửi", "accepted": "Đã nhận", "returned": "Trả lại",
    "withdrawn": "Đã rút đề nghị",
}
# Documents of a conference: (label, type code when numbered, print template)
DOCUMENTS: dict[str, tuple[str, str | None]] = {
    "giay-moi": ("Giấy mời", "GM"),
    "chuong-trinh": ("Chương trình hội nghị", "CTr"),
    "diem-cau": ("Danh sách điểm cầu", None),
    "tham-luan": ("Danh sách tham luận", None),
    "ket-luan": ("Thông báo kết luận", "TB"),
}
# Lists exported to Excel; a participating unit reads only the list of điểm cầu.
LISTS: dict[str, str] = {"dai-bieu": "Danh sách đại biểu", "diem-cau": "Danh sách điểm cầu"}
PUBLIC_LISTS = ("diem-cau",)


def _parts(order_by: str):
    """A list of the conference's own rows (ConferencePart), deleted with it."""
    return relationship(back_populates="conference", cascade="all, delete-orphan", order_by=order_by)


class Conference(Audited, Versioned, Timestamped, db.Model):
    __tablename__ = "conference"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('so_ket','tong_ket','chuyen_de','hoi_thao')", name="kind"),
        sa.CheckConstraint("ends_at > starts_at", name="period"),
    )

    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(300))
    search_key: Mapped[str] = mapped_column(sa.String(400), default="", index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    venue: Mapped[str] = mapped_column(sa.String(300), default="")
    online: Mapped[bool] = mapped_column(sa.Boolean(name="online"), default=False)
    purpose: Mapped[str] = mapped_column(sa.Text, default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    signer_authority: Mapped[str] = mapped_column(sa.String(120), default="")
    signer_title: Mapped[str] = mapped_column(sa.String(120), default="")
    signer_name: Mapped[str] = mapped_column(sa.String(120), default="")
    recipients: Mapped[str] = mapped_column(sa.Text, default="")
    conclusion: Mapped[str] = mapped_column(sa.Text, default="")
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit: Mapped[Unit] = relationship(lazy="joined")
    chairs: Mapped[list[ConferenceChair]] = _parts("ConferenceChair.position")
    points: Mapped[list[ConferencePoint]] = _parts("ConferencePoint.id")
    invitees: Mapped[list[ConferenceInvitee]] = _parts("ConferenceInvitee.id")
    items: Mapped[list[ConferenceItem]] = _parts("ConferenceItem.position")
    contributions: Mapped[list[ConferenceContribution]] = _parts("ConferenceContribution.id")
    documents: Mapped[list[ConferenceDocument]] = _parts("ConferenceDocument.id")

    __repr_attrs__ = ("id", "title")

    kind_label = Label("kind", KINDS)

    def document(self, key: str) -> ConferenceDocument | None:
        return next((d for d in self.documents if d.doc_key == key), None)


class ConferencePart:
    """A row of one conference, deleted with it; `__conference_list__` names the conference's
    collection it belongs to (the back-populated relationship)."""

    __conference_list__: str

    # sort_order: the key column stays first (after `id`), as the migrations created the tables
    conference_id: Mapped[int] = mapped_column(sa.ForeignKey("conference.id", ondelete="CASCADE"), index=True,
                                               sort_order=-1)

    @declared_attr
    def conference(cls) -> Mapped[Conference]:
        return relationship(back_populates=cls.__conference_list__)


class ConferenceChair(ConferencePart, Audited, Versioned, db.Model):
    __tablename__ = "conference_chair"
    __conference_list__ = "chairs"

    name: Mapped[str] = mapped_column(sa.String(120))
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    position: Mapped[int] = mapped_column(sa.Integer, default=0)

    __repr_attrs__ = ("name",)

    @property
    def unit(self) -> Unit:
        return self.conference.unit


class ConferencePoint(ConferencePart, InUnit, Audited, Versioned, db.Model):
    """A connection point (điểm cầu) of an online conference, hosted by a unit."""

    __tablename__ = "conference_point"
    __conference_list__ = "points"
    __table_args__ = (sa.UniqueConstraint("conference_id", "unit_id", name="uq_conference_point_unit"),)

    venue: Mapped[str] = mapped_column(sa.String(300), default="")
    contact_name: Mapped[str] = mapped_column(sa.String(120), default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(40), default="")

    __repr_attrs__ = ("conference_id", "unit_id")

    @property
    def name(self) -> str:
        return self.unit.name if self.unit else ""


class ConferenceInvitee(ConferencePart, InUnit, Audited, db.Model):
    """A unit invited to the conference; it (or the organiser) confirms attendance."""

    __tablename__ = "conference_invitee"
    __conference_list__ = "invitees"
    __table_args__ = (
        sa.UniqueConstraint("conference_id", "unit_id", name="uq_conference_invitee_unit"),
        sa.CheckConstraint("status IN ('pending','confirmed','declined')", name="status"),
        sa.CheckConstraint("delegates >= 0", name="delegates"),
    )

    addressee: Mapped[str] = mapped_column(sa.String(300), default="")
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")
    delegates: Mapped[int] = mapped_column(sa.Integer, default=0)
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __repr_attrs__ = ("conference_id", "unit_id")

    status_label = Label("status", INVITEE_STATES)
    pending = InState("pending", column="status")        # invited, not answered yet
    confirmed = InState("confirmed", column="status")    # attending, with its number of delegates

    @property
    def name(self) -> str:
        return self.unit.name if self.unit else ""


class ConferenceContribution(ConferencePart, InUnit, Audited, Versioned, Timestamped, db.Model):
    """A tham luận: a unit is asked for a contribution by a deadline, sends it, it is accepted or returned."""

    __tablename__ = "conference_contribution"
    __conference_list__ = "contributions"
    __table_args__ = (
        sa.UniqueConstraint("conference_id", "unit_id", name="uq_conference_contribution_unit"),
        sa.CheckConstraint("state IN ('invited','submitted','accepted','returned','withdrawn')", name="state"),
    )

    topic: Mapped[str] = mapped_column(sa.String(500), default="")
    deadline: Mapped[date] = mapped_column(sa.Date)
    state: Mapped[str] = mapped_column(sa.String(20), default="invited")
    title: Mapped[str] = mapped_column(sa.String(500), default="")
    presenter: Mapped[str] = mapped_column(sa.String(300), default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    return_reason: Mapped[str] = mapped_column(sa.Text, default="")

    __repr_attrs__ = ("conference_id", "unit_id", "state")

    state_label = Label("state", CONTRIBUTION_STATES)

    @property
    def name(self) -> str:
        return self.title or self.topic

    returned = InState("returned")           # sent back with a reason: the unit writes it again
    awaiting_review = InState("submitted")

    @property
    def overdue(self) -> bool:
        """Still owed after its deadline day (Asia/Ho_Chi_Minh)."""
        return self.state in ("invited", "returned") and self.deadline < today_local()


class ConferenceItem(ConferencePart, Audited, Versioned, db.Model):
    """One line of the programme: time, content, presenter, linked document or tham luận."""

    __tablename__ = "conference_item"
    __conference_list__ = "items"

    position: Mapped[int] = mapped_column(sa.Integer, default=0)
    start_time: Mapped[time | None] = mapped_column(sa.Time)
    content: Mapped[str] = mapped_column(sa.String(500))
    presenter: Mapped[str] = mapped_column(sa.String(300), default="")
    document: Mapped[str] = mapped_column(sa.String(300), default="")
    contribution_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("conference_contribution.id", ondelete="SET NULL"), index=True)

    contribution: Mapped[ConferenceContribution | None] = relationship()

    __repr_attrs__ = ("conference_id", "position")

    @property
    def unit(self) -> Unit:
        return self.conference.unit


class ConferenceDocument(ConferencePart, Audited, db.Model):
    """An issued document of the conference: its number is taken once, when it is issued."""

    __tablename__ = "conference_document"
    __conference_list__ = "documents"
    __table_args__ = (sa.UniqueConstraint("conference_id", "doc_key", name="uq_conference_document_key"),)

    doc_key: Mapped[str] = mapped_column(sa.String(20))
    type_code: Mapped[str] = mapped_column(sa.String(10))
    number: Mapped[int] = mapped_column(sa.Integer)
    number_text: Mapped[str] = mapped_column(sa.String(60))
    issued_on: Mapped[date] = mapped_column(sa.Date)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    __repr_attrs__ = ("number_text",)
