"""Calls for submissions, their targets, the submissions answering them and the reminders sent.

The tables keep their first names (plan_call…): calls were born inside the plans feature."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from danvan.calls.kinds import kind_label
from danvan.core.audit import Audited
from danvan.core.models import Timestamped, UTCDateTime, Versioned
from danvan.core.numbering import TYPE_CODES
from danvan.core.units import Unit
from danvan.extensions import db

SUBMISSION_STATES = ("draft", "submitted", "returned", "approved", "withdrawn")


class Call(Audited, Versioned, Timestamped, db.Model):
    """A call for submissions (yêu cầu nộp) from `unit` to target units, with a deadline.

    `kind` is one a feature registered (calls.register_kind) and says what answers the call;
    `year` is the year the call is about (a registration year, a report's year)."""

    __tablename__ = "plan_call"
    __table_args__ = (sa.Index("ix_plan_call_kind_year", "kind", "year"),)

    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    search_key: Mapped[str] = mapped_column(sa.String(400), default="", index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    year: Mapped[int] = mapped_column(sa.Integer)
    type_code: Mapped[str] = mapped_column(sa.String(10), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    deadline: Mapped[date] = mapped_column(sa.Date, index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit: Mapped[Unit] = relationship(lazy="joined")
    targets: Mapped[list[CallTarget]] = relationship(back_populates="call", cascade="all, delete-orphan")

    __repr_attrs__ = ("id", "kind", "year", "title")

    @property
    def type_label(self) -> str:
        return TYPE_CODES.get(self.type_code, self.type_code) if self.type_code else ""

    @property
    def kind_label(self) -> str:
        """What the call asks for, in Vietnamese (the registered kind's label)."""
        return kind_label(self.kind)

    @property
    def asks_for(self) -> str:
        """The kind's label, and the document type when the call names one."""
        return f"{self.kind_label}: {self.type_label}" if self.type_label else self.kind_label


class CallTarget(Audited, db.Model):
    """One target unit of a call, with its own extension of the deadline if granted."""

    __tablename__ = "plan_call_target"
    __table_args__ = (sa.UniqueConstraint("call_id", "unit_id", name="uq_plan_call_target_call_unit"),)

    call_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_call.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    extended_until: Mapped[date | None] = mapped_column(sa.Date)

    call: Mapped[Call] = relationship(back_populates="targets")
    unit: Mapped[Unit] = relationship()

    __repr_attrs__ = ("call_id", "unit_id")

    def deadline(self) -> date:
        return self.extended_until or self.call.deadline


class CallChange(db.Model):
    """One change of a deadline after the call was sent: the general one (`unit_id` None) or one
    target's own date; who, when, why. The call's history, read on its page."""

    __tablename__ = "plan_call_change"

    call_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_call.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    before: Mapped[date | None] = mapped_column(sa.Date)
    after: Mapped[date | None] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())

    unit: Mapped[Unit | None] = relationship()
    actor = relationship("User")

    __repr_attrs__ = ("call_id", "unit_id", "before", "after")


class _ForTarget:
    """A row about one target unit of one call (its answer, a reminder sent to it)."""

    call_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_call.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))


class CallSubmission(_ForTarget, db.Model):
    """A target unit's answer to a call: any object (object_type, object_id), its state mirrored."""

    __tablename__ = "plan_submission"
    __table_args__ = (
        sa.UniqueConstraint("call_id", "object_type", "object_id", name="uq_plan_submission_object"),
        sa.CheckConstraint("state IN ('draft','submitted','returned','approved','withdrawn')", name="state"),
        sa.Index("ix_plan_submission_call_unit", "call_id", "unit_id"),
    )

    object_type: Mapped[str] = mapped_column(sa.String(60))
    object_id: Mapped[int] = mapped_column(sa.Integer)
    state: Mapped[str] = mapped_column(sa.String(20), default="draft")
    # First time it was sent (on-time/late is judged on this), last time it was sent.
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit: Mapped[Unit] = relationship()

    __repr_attrs__ = ("call_id", "unit_id", "object_type", "object_id")


class CallReminder(_ForTarget, db.Model):
    """A reminder sent to one target of one call; (call, unit, kind) is sent once only."""

    __tablename__ = "plan_reminder"
    __table_args__ = (
        sa.UniqueConstraint("call_id", "unit_id", "kind", name="uq_plan_reminder_call_unit_kind"),
    )

    kind: Mapped[str] = mapped_column(sa.String(40))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    __repr_attrs__ = ("call_id", "unit_id", "kind")
