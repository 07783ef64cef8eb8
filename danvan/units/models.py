"""Where an account worked before a merge: one line per account moved to the successor unit."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from danvan.core.models import UTCDateTime
from danvan.core.units import Unit
from danvan.core.vntext import now_utc
from danvan.extensions import db


class AccountMove(db.Model):
    """The account's history line; the audit log keeps who did it and the before/after unit too."""

    __tablename__ = "account_move"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    from_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    to_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    moved_on: Mapped[date] = mapped_column(sa.Date)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(sa.String(200), default="")

    from_unit: Mapped[Unit] = relationship(foreign_keys=[from_unit_id], lazy="joined")
    to_unit: Mapped[Unit] = relationship(foreign_keys=[to_unit_id], lazy="joined")
    user = relationship("User", foreign_keys=[user_id], lazy="joined")

    __repr_attrs__ = ("user_id", "from_unit_id", "to_unit_id")
