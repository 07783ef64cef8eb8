"""Audit log: who changed what, when, in which unit, with the fields before and after.

Every model that mixes in `Audited` is logged automatically on flush (create, update,
delete), so a new write path cannot forget it. Services add domain events ('approve',
'merge', 'login_failed') with `record()`. The actor is the logged-in user, or the one a
service or CLI command names with `acting_as()`.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from danvan.core.models import UTCDateTime
from danvan.core.vntext import now_utc
from danvan.extensions import db

ACTOR_KEY = "audit_actor"


class Audited:
    """Marker mixin: changes to these rows are written to the audit log."""

    __audit_masked__: frozenset[str] = frozenset()   # logged as changed, values hidden
    __audit_ignored__: frozenset[str] = frozenset({"updated_at", "version"})


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    unit_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    object_type: Mapped[str] = mapped_column(sa.String(60), index=True)
    object_id: Mapped[int | None] = mapped_column(sa.Integer)
    object_label: Mapped[str] = mapped_column(sa.String(300), default="")
    action: Mapped[str] = mapped_column(sa.String(40))
    changes: Mapped[str] = mapped_column(sa.Text, default="{}")  # JSON {field: [before, after]}

    __repr_attrs__ = ("action", "object_type", "object_id")

    @property
    def change_items(self) -> list[tuple[str, Any, Any]]:
        data = json.loads(self.changes or "{}")
        return [(field, pair[0], pair[1]) for field, pair in data.items()]


def plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


@contextmanager
def acting_as(actor):
    """Attribute the writes inside the block to `actor` (services, CLI, tests)."""
    session = db.session()
    previous = session.info.get(ACTOR_KEY)
    session.info[ACTOR_KEY] = actor
    try:
        yield
    finally:
        session.info[ACTOR_KEY] = previous


def set_actor(actor) -> None:
    db.session().info[ACTOR_KEY] = actor


def _actor_ids(session: Session) -> tuple[int | None, int | None]:
    actor = session.info.get(ACTOR_KEY)
    if actor is None:
        return None, None
    return actor.id, actor.unit_id


def _label(obj) -> str:
    for attr in ("title", "name", "full_name", "username", "summary"):
        value = getattr(obj, attr, None)
        if isinstance(value, str) and value:
            return value[:300]
    return ""


def _unit_of(obj) -> int | None:
    unit_id = getattr(obj, "unit_id", None)
    if unit_id is None and type(obj).__name__ == "Unit":
        return obj.id
    return unit_id


def record(actor, action: str, obj, changes: dict | None = None) -> None:
    """A domain event (approve, merge, login_failed…) in addition to the automatic row log."""
    db.session.add(AuditEvent(
        user_id=getattr(actor, "id", None),
        unit_id=_unit_of(obj) if obj is not None else getattr(actor, "unit_id", None),
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=getattr(obj, "id", None),
        object_label=_label(obj) if obj is not None else "",
        action=action,
        changes=json.dumps({k: [plain(a), plain(b)] for k, (a, b) in (changes or {}).items()},
                           ensure_ascii=False),
    ))


def _diff(obj, *, new: bool) -> dict:
    mapper = sa.inspect(obj).mapper
    out: dict[str, list] = {}
    for attr in mapper.column_attrs:
        key = attr.key
        if key in obj.__audit_ignored__:
            continue
        hist = sa.inspect(obj).attrs[key].history
        if new:
            value = getattr(obj, key)
            if value is None or key == "id":
                continue
            before, after = None, value
        else:
            if not hist.has_changes():
                continue
            before = hist.deleted[0] if hist.deleted else None
            after = hist.added[0] if hist.added else None
            if before == after:
                continue
        if key in obj.__audit_masked__:
            before, after = ("***" if before else None), "***"
        out[key] = [plain(before), plain(after)]
    return out


@event.listens_for(Session, "after_flush")
def _log_changes(session: Session, flush_context) -> None:
    user_id, actor_unit = _actor_ids(session)
    rows = []
    for objects, action in ((session.new, "create"), (session.dirty, "update"),
                            (session.deleted, "delete")):
        for obj in objects:
            if not isinstance(obj, Audited):
                continue
            if action == "update" and not session.is_modified(obj, include_collections=False):
                continue
            changes = _diff(obj, new=(action == "create")) if action != "delete" else {}
            if action == "update" and not changes:
                continue
            rows.append({
                "at": now_utc(), "user_id": user_id,
                "unit_id": _unit_of(obj) or actor_unit,
                "object_type": type(obj).__name__, "object_id": getattr(obj, "id", None),
                "object_label": _label(obj), "action": action,
                "changes": json.dumps(changes, ensure_ascii=False),
            })
    if rows:
        session.connection().execute(sa.insert(AuditEvent.__table__), rows)
