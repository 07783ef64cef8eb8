"""Shared column helpers for models."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from danvan.core.vntext import now_utc, sort_key

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


class InState:
    """A flag read like a property, true while the row is in one of `states`: the meaning of a state
    named once on its model (`returned = InState("returned")`), asked by services and templates alike
    instead of comparing state codes."""

    def __init__(self, *states: str, column: str = "state") -> None:
        self.states, self.column = frozenset(states), column

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        return getattr(obj, self.column) in self.states


# Vietnamese sort keys compare byte by byte: SQLite's default BINARY, PostgreSQL's "C" (the database's
# own collation, en_US or C.UTF-8, would reorder the level marks).
SORT_KEY = sa.String(1000).with_variant(sa.String(1000, collation="C"), "postgresql")


class NameSorted:
    """Rows listed by name: `sort_key` holds vntext.sort_key(<the name column>), kept on every write,
    so that lists sort in Vietnamese alphabetical order on both databases (see `by_name`)."""

    __sort_source__ = "name"

    @declared_attr
    def sort_key(cls) -> Mapped[str]:
        # The column default also serves Core bulk inserts (demo data, bench, restoring an older backup).
        source = cls.__sort_source__
        return mapped_column(SORT_KEY, default=lambda ctx: sort_key(ctx.get_current_parameters().get(source)))


def _fill_sort_key(mapper, connection, target: NameSorted) -> None:
    target.sort_key = sort_key(getattr(target, target.__sort_source__))


sa.event.listen(NameSorted, "before_insert", _fill_sort_key, propagate=True)
sa.event.listen(NameSorted, "before_update", _fill_sort_key, propagate=True)


def by_name(entity) -> sa.ColumnElement:
    """ORDER BY expression for Vietnamese alphabetical order of a NameSorted model (or an alias, or
    a subquery that selected its `sort_key`). Every list sorted by a name goes through here."""
    return entity.c.sort_key if hasattr(entity, "c") else entity.sort_key
