"""Rules for changing the organisation tree. History stays with the unit that owned it."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from danvan.core import access, audit
from danvan.core.errors import ServiceError
from danvan.core.models import by_name
from danvan.core.units import KINDS, Unit, add_unit, open_work_movers, set_path
from danvan.core.vntext import fold, matches, today_local
from danvan.extensions import db

# Which kinds may sit under which: the tree's shape is data, so both the 2023 shape
# (province → district → commune) and the 2025 one (province → commune) are valid.
ALLOWED_CHILDREN: dict[str, tuple[str, ...]] = {
    "tinh_uy": ("ban", "huyen_uy", "dang_uy_truc_thuoc", "xa"),
    "ban": (),
    "huyen_uy": ("ban", "xa"),
    "dang_uy_truc_thuoc": ("ban", "xa"),
    "xa": ("thon",),
    "thon": (),
}


ACCOUNTS_LABEL = "tài khoản"


class UnitError(ServiceError):
    """Refused input: message for the user, field, HTTP status."""


def children_of(parent_id: int, actor) -> list[tuple[Unit, int]]:
    """Open children of a unit with their own child counts, in two queries."""
    children = list(db.session.scalars(access.scoped(
        sa.select(Unit).where(Unit.parent_id == parent_id, Unit.valid_to.is_(None)).order_by(by_name(Unit), Unit.id),
        Unit.id, actor)))
    counts = dict(db.session.execute(
        sa.select(Unit.parent_id, sa.func.count()).where(
            Unit.parent_id.in_([c.id for c in children]), Unit.valid_to.is_(None)
        ).group_by(Unit.parent_id)).all()) if children else {}
    return [(c, counts.get(c.id, 0)) for c in children]


def search(actor, q: str, *, include_closed: bool = False, limit: int = 50) -> list[Unit]:
    found = matches(q, Unit.name_key)
    if found is None:
        return []
    stmt = access.scoped(sa.select(Unit).where(found), Unit.id, actor)
    if not include_closed:
        stmt = stmt.where(Unit.valid_to.is_(None))
    return list(db.session.scalars(stmt.order_by(by_name(Unit), Unit.id).limit(limit)))


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise UnitError("Nhập tên đơn vị.", "name")
    if len(name) > 200:
        raise UnitError("Tên đơn vị tối đa 200 ký tự.", "name")
    return name


def _check_parent(actor, parent: Unit | None, kind: str) -> Unit:
    if parent is None or not access.in_scope(actor, parent):
        raise UnitError("Đơn vị cấp trên không hợp lệ hoặc nằm ngoài phạm vi quản lý.", "parent_id")
    if not parent.is_open:
        raise UnitError("Đơn vị cấp trên đã giải thể hoặc sáp nhập.", "parent_id")
    if kind not in ALLOWED_CHILDREN.get(parent.kind, ()):
        raise UnitError(f"Không thể đặt «{KINDS.get(kind, kind)}» trực thuộc «{parent.kind_label}».", "kind")
    return parent


def _check_code(code: str) -> str:
    code = (code or "").strip()
    if len(code) > 20:
        raise UnitError("Ký hiệu tối đa 20 ký tự.", "code")
    if any(ch in code for ch in " /"):
        raise UnitError("Ký hiệu viết liền, không có dấu cách hay dấu «/», ví dụ BDVTU.", "code")
    return code


def create(data: dict, *, actor) -> Unit:
    kind = data.get("kind")
    if kind not in KINDS:
        raise UnitError("Chọn loại đơn vị.", "kind")
    parent = _check_parent(actor, db.session.get(Unit, data.get("parent_id") or 0), kind)
    return add_unit(_check_name(data.get("name")), kind, parent=parent,
                    code=_check_code(data.get("code", "")),
                    valid_from=data.get("valid_from") or today_local())


def update(unit: Unit, data: dict, *, actor) -> Unit:
    """Rename and recode; moving to another parent rewrites the subtree's paths."""
    unit.check_version(data.get("version"))
    if not unit.is_open:
        raise UnitError("Đơn vị đã đóng; không thể sửa.")
    unit.name = _check_name(data.get("name"))
    unit.name_key = fold(unit.name)
    unit.code = _check_code(data.get("code", ""))
    new_parent_id = data.get("parent_id")
    if new_parent_id and new_parent_id != unit.parent_id:
        move(unit, db.session.get(Unit, new_parent_id), actor=actor)
    db.session.flush()
    return unit


def move(unit: Unit, parent: Unit | None, *, actor) -> None:
    if unit.parent is None:
        raise UnitError("Không thể di chuyển đơn vị gốc.", "parent_id")
    parent = _check_parent(actor, parent, unit.kind)
    if unit.contains(parent):
        raise UnitError("Không thể chuyển đơn vị vào chính nó hoặc đơn vị cấp dưới của nó.", "parent_id")
    old_path = unit.path
    unit.parent = parent
    set_path(unit)
    # Rewrite the descendants' paths in one statement.
    db.session.execute(
        sa.update(Unit).where(Unit.path.startswith(old_path, autoescape=True), Unit.id != unit.id)
        .values(path=sa.func.replace(Unit.path, old_path, unit.path),
                depth=Unit.depth + (unit.depth - old_path.count("/") + 2))
        .execution_options(synchronize_session="fetch"))
    audit.record(actor, "move", unit, {"path": (old_path, unit.path)})


def close(unit: Unit, on: date, *, actor) -> None:
    if not unit.is_open:
        raise UnitError("Đơn vị đã đóng trước đó.")
    if unit.parent is None:
        raise UnitError("Không thể đóng đơn vị gốc.")
    open_children = db.session.scalar(sa.select(sa.func.count()).where(
        Unit.parent_id == unit.id, Unit.valid_to.is_(None)))
    if open_children:
        raise UnitError(f"Đơn vị còn {open_children} đơn vị trực thuộc đang hoạt động; "
                        "hãy chuyển hoặc đóng chúng trước.")
    if on < unit.valid_from:
        raise UnitError("Ngày đóng không được trước ngày thành lập.", "on")
    unit.valid_to = on
    db.session.flush()


def accounts_of(units: list[Unit]) -> list:
    """The accounts working in `units` (the merge form lists them, each moved unless unticked)."""
    from danvan.auth.models import User

    if not units:
        return []
    return list(db.session.scalars(sa.select(User).where(User.unit_id.in_([u.id for u in units]))
                                   .order_by(User.unit_id, User.full_name, User.id)))


def move_accounts(units: list[Unit], successor: Unit, on: date, account_ids: list[int] | None, *, actor) -> int:
    """Move the staff of merged units to their successor: all of them (None), or the chosen ones; one history
    line and one audit event per account. Accounts left behind keep only reading rights (auth User.roles)."""
    from danvan.units.models import AccountMove

    moved = 0
    names = {u.id: u.name for u in units}
    for user in accounts_of(units):
        if account_ids is not None and user.id not in account_ids:
            continue
        db.session.add(AccountMove(user_id=user.id, from_unit_id=user.unit_id, to_unit_id=successor.id,
                                   moved_on=on, by_id=getattr(actor, "id", None),
                                   reason=f"Sáp nhập vào {successor.name}"[:200]))
        audit.record(actor, "move_account", user, {"unit": (names[user.unit_id], successor.name)})
        user.unit_id = successor.id
        user.unit = successor
        moved += 1
    return moved


def account_history(unit: Unit) -> list:
    """History lines of accounts that came to or left `unit` by a merge, newest first."""
    from danvan.units.models import AccountMove

    return list(db.session.scalars(sa.select(AccountMove).where(
        sa.or_(AccountMove.to_unit_id == unit.id, AccountMove.from_unit_id == unit.id))
        .order_by(AccountMove.at.desc(), AccountMove.id.desc()).limit(200)))


def merge(units: list[Unit], *, name: str, code: str, parent: Unit | None, on: date,
          move_open_work: bool, actor, account_ids: list[int] | None = None) -> tuple[Unit, dict[str, int]]:
    """Close `units` and create their successor. Their history stays with them; open work
    (drafts, pending submissions) moves to the successor when asked, and their accounts move with it
    (`account_ids`: only those; None: every one). Returns counts moved."""
    if len(units) < 2:
        raise UnitError("Chọn ít nhất hai đơn vị để sáp nhập.", "unit_ids")
    kinds = {u.kind for u in units}
    if len(kinds) != 1:
        raise UnitError("Chỉ sáp nhập các đơn vị cùng loại.", "unit_ids")
    for u in units:
        if not access.in_scope(actor, u):
            raise UnitError("Có đơn vị nằm ngoài phạm vi quản lý.", "unit_ids")
        if not u.is_open:
            raise UnitError(f"«{u.name}» đã đóng trước đó.", "unit_ids")
    kind = kinds.pop()
    successor = add_unit(_check_name(name), kind, parent=_check_parent(actor, parent, kind),
                         code=_check_code(code), valid_from=on)
    moved: dict[str, int] = {ACCOUNTS_LABEL: move_accounts(units, successor, on, account_ids, actor=actor)}
    for old in units:
        for child in list(old.children):
            if child.is_open:
                move(child, successor, actor=actor)
        if move_open_work:
            for label, mover in open_work_movers().items():
                moved[label] = moved.get(label, 0) + mover(old, successor)
        old.valid_to = on
        old.successor = successor
        audit.record(actor, "merge", old, {"successor": (None, successor.name)})
    db.session.flush()
    return successor, moved
