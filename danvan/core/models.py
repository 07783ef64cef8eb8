"""Shared column helpers for models."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from danvan.core.vntext import now_utc

if TYPE_CHECKING:
    from danvan.core.units import Unit


class UTCDateTime(sa.types.TypeDecorator):
    """Timezone-aware UTC datetimes on both backends (SQLite keeps no offset)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store UTC-aware values")
        return value.astimezone(UTC)  # SQLite keeps the wall time only: it must be UTC's

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)  # whatever the PostgreSQL session's TimeZone is


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc, onupdate=now_utc)


class InUnit:
    """Filed by one unit of the tree: `unit_id` is the column scope queries filter on
    (access.scoped, get_scoped_or_404) and `unit`, loaded with the row, what object policies read."""

    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)

    @declared_attr
    def unit(cls) -> Mapped[Unit]:
        return relationship("Unit", lazy="joined")


class StaleEdit(Exception):
    """Someone saved the object after this user opened the form."""

    status = 409
    message = (
        "Nội dung này vừa được người khác cập nhật sau khi bạn mở biểu mẫu. "
        "Nội dung bạn nhập vẫn được giữ bên dưới; hãy tải lại để xem bản mới rồi lưu lại."
    )


class Versioned:
    """Optimistic locking: a version column bumped on every UPDATE.

    Forms carry the version they were opened with; `check_version` refuses a stale save with a
    clear message, and SQLAlchemy's version_id_col catches the race between check and write.
    """

    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}

    def check_version(self, submitted: int | str | None) -> None:
        try:
            stale = int(submitted or 0) != self.version
        except (TypeError, ValueError):
            stale = True
        if stale:
            raise StaleEdit()


class Label:
    """The Vietnamese label of a coded column, read like a property:
    `state_label = Label("state", STATES)`. An unknown code shows as itself, or as `missing`."""

    def __init__(self, column: str, labels: Mapping[str, str], missing: str | None = None) -> None:
        self.column, self.labels, self.missing = column, labels, missing

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        code = getattr(obj, self.column)
        return self.labels.get(code, code if self.missing is None else self.missing)
