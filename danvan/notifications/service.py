"""In-app notifications: who receives them, and writing them.

    from danvan.notifications.service import notify, users_serving, approvers_of

    notify(users_serving(unit, roles=("officer", "leader")), "Yêu cầu nộp mới: …",
           kind="call_new", link=url, obj=call)

- `users_serving(unit_or_units, roles)`: active users working for a unit — members of the unit
  itself and of its advisory bodies (a district's Ban Dân vận works for the district).
- `approvers_of(unit)`: the leaders serving the committee that approves — never every holder of
  a role everywhere (frappe#19205).
- `notify(recipients, title, *, kind, link, body, obj)`: one row per distinct active recipient,
  inserted in one statement; returns how many were written. Only flushes, like every service.
"""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from danvan.auth.models import User, UserRole
from danvan.core.units import ADVISORY_KINDS, Unit
from danvan.core.vntext import now_utc
from danvan.extensions import db
from danvan.notifications.models import Notification


def users_serving(units: Unit | Iterable[Unit] | Iterable[int],
                  roles: Iterable[str] = ("officer", "leader")) -> list[User]:
    """Active users of the units (or of their advisory bans) holding one of `roles`; one query."""
    if isinstance(units, Unit):
        units = [units]
    ids = [u.id if isinstance(u, Unit) else int(u) for u in units]
    if not ids:
        return []
    ban = sa.orm.aliased(Unit)
    served = sa.select(ban.id).where(ban.parent_id.in_(ids), ban.kind.in_(ADVISORY_KINDS))
    stmt = (sa.select(User)
            .where(User.active.is_(True),
                   sa.or_(User.unit_id.in_(ids), User.unit_id.in_(served)),
                   User.id.in_(sa.select(UserRole.user_id).where(UserRole.role.in_(list(roles)))))
            .order_by(User.id))
    return list(db.session.scalars(stmt).unique())


def users_serving_map(unit_ids: Iterable[int], roles: Iterable[str] = ("officer", "leader")) -> dict[int, list[User]]:
    """{unit id: users serving it} for many units in one query (bans map to their committee)."""
    ids = sorted(set(unit_ids))
    out: dict[int, list[User]] = {i: [] for i in ids}
    if not ids:
        return out
    for user in users_serving(ids, roles):
        key = user.unit_id if user.unit_id in out else user.unit.parent_id
        if key in out:
            out[key].append(user)
    return out


def approvers_of(unit: Unit) -> list[User]:
    """Leaders who approve for the committee `unit` (its own leaders and its bans' leaders)."""
    return users_serving(unit, roles=("leader",))


def notify(recipients: Iterable[User], title: str, *, kind: str = "info", link: str = "",
           body: str = "", obj=None, exclude: User | None = None) -> int:
    seen: set[int] = set()
    rows = []
    now = now_utc()
    for user in recipients:
        if user is None or user.id in seen or (exclude is not None and user.id == exclude.id):
            continue
        if not getattr(user, "active", True):
            continue
        seen.add(user.id)
        rows.append({"user_id": user.id, "unit_id": user.unit_id, "kind": kind, "title": title[:300],
                     "body": body, "link": link[:500], "object_type": type(obj).__name__ if obj is not None else "",
                     "object_id": getattr(obj, "id", None), "created_at": now, "read_at": None})
    if rows:
        db.session.execute(sa.insert(Notification.__table__), rows)
    return len(rows)


def unread_count(user) -> int:
    return db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def list_query(user, *, unread_only: bool = False) -> sa.Select:
    stmt = sa.select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return stmt.order_by(Notification.created_at.desc(), Notification.id.desc())


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = now_utc()
        db.session.flush()


def mark_all_read(user) -> int:
    result = db.session.execute(sa.update(Notification)
                                .where(Notification.user_id == user.id, Notification.read_at.is_(None))
                                .values(read_at=now_utc()))
    return result.rowcount or 0
