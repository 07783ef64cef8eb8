"""Who may do what, and where. The only place where access rules live.

Two checks, always both:
- role: PERMISSIONS maps a permission name to the roles that hold it (unknown names raise);
- scope: a user sees their unit's subtree (a ban sees its committee's tree). Lists go
  through `scoped()`; objects fetched by id go through `get_scoped_or_404()`, so another
  unit's id answers 404 and leaks nothing.
Templates call `can()` to hide buttons; hiding is never the protection.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

import sqlalchemy as sa
from flask import abort
from flask_login import current_user, login_required

from danvan.core import policies
from danvan.core.units import Unit, scope_root
from danvan.core.vntext import INT_MAX
from danvan.extensions import db

ROLES: dict[str, str] = {
    "admin": "Quản trị hệ thống",
    "leader": "Lãnh đạo (phê duyệt)",
    "officer": "Cán bộ (soạn, gửi)",
    "inspector": "Kiểm tra, giám sát",
    "viewer": "Chỉ xem",
}
# The role sets the table below is written in, named once.
ALL = frozenset(ROLES)
ADMIN = frozenset({"admin"})
LEADER = frozenset({"leader"})
STAFF = frozenset({"leader", "officer"})         # draft, send, manage a unit's own work
WRITERS = ADMIN | STAFF
READERS = ALL
NOT_INSPECTORS = ALL - {"inspector"}            # inspectors see only the inspections they sit on

PERMISSIONS: dict[str, frozenset[str]] = {
    # foundation
    "dashboard.view": ALL,
    "account.self": ALL,
    "units.view": ALL,
    "units.manage": ADMIN,
    "users.manage": ADMIN,
    "audit.view": ADMIN,
    "files.download": ALL,
    "notifications.view": ALL,
    "jobs.view": ALL,
    # filed documents (plans)
    "plans.view": ALL,
    "plans.edit": STAFF,
    "plans.approve": LEADER,
    "plans.restore": ADMIN,
    # calls for submissions and their deadlines
    "calls.view": ALL,
    "calls.manage": STAFF,
    "calls.restore": ADMIN,
    # Dân vận khéo
    "initiatives.view": ALL,
    "initiatives.edit": STAFF,
    "initiatives.review": LEADER,
    "initiatives.configure": ADMIN,
    # Đề án tracker and blocs
    "programme.view": ALL,
    "programme.report": STAFF,
    "programme.review": LEADER,
    "programme.manage": ADMIN | LEADER,
    "blocs.view": ALL,
    "blocs.edit": STAFF,
    # lay down a commune's bloc: its own staff or the level above, and the admin who made the commune
    "blocs.create": WRITERS,
    "blocs.evaluate": LEADER,
    "blocs.configure": ADMIN,
    # conferences and printing
    "conferences.view": ALL,
    "conferences.edit": STAFF,
    "conferences.print": ALL,
    # issued records: upload the signed copy, set a document's signer (the owner's rule decides where)
    "records.sign": STAFF,
    # inspections (kiểm tra QCDC, Dân vận khéo): object rules in core/policies/inspections.py
    "inspections.view": ALL,
    "inspections.plans": NOT_INSPECTORS,
    "inspections.plan": STAFF,
    "inspections.conduct": STAFF | {"inspector"},
    "inspections.followup": STAFF,
    "inspections.overview": NOT_INSPECTORS,
    "inspections.configure": ADMIN,
    # in-app notifications are personal
    "notifications.read": ALL,
}


def roles_for(permission: str) -> frozenset[str]:
    try:
        return PERMISSIONS[permission]
    except KeyError:
        raise KeyError(f"unknown permission {permission!r}: add it to core/access.py") from None


def has_permission(user, permission: str) -> bool:
    allowed = roles_for(permission)
    return bool(getattr(user, "is_authenticated", False)) and bool(user.roles & allowed)


def in_scope(user, unit: Unit | None) -> bool:
    """The unit lies in the part of the tree the user may see."""
    return unit is not None and scope_root(user.unit).contains(unit)


def can(user, permission: str, obj=None) -> bool:
    """Views, services and templates ask this, and only this.

    - `can(user, "plans.edit")`: the role holds the permission;
    - `can(user, "plans.edit", unit_or_obj)`: role, and the object's unit lies in scope;
    - `can(user, "edit", doc)`: an object action (no dot): the policy registered for the
      object's class in core/policies decides (role, scope and state together).
    """
    if "." not in permission:
        if obj is None:
            raise ValueError(f"object action {permission!r} needs an object")
        if not getattr(user, "is_authenticated", False):
            return False
        return bool(policies.lookup(type(obj).__name__, permission)(user, obj))
    if not has_permission(user, permission):
        return False
    if obj is None:
        return True
    unit = obj if isinstance(obj, Unit) else getattr(obj, "unit", None)
    return in_scope(user, unit)


def authorize(user, action: str, obj) -> None:
    """In a view after loading the object in scope: 403 unless `can(user, action, obj)`."""
    if not can(user, action, obj):
        abort(403)


F = TypeVar("F", bound=Callable)
M = TypeVar("M")


def requires(permission: str) -> Callable[[F], F]:
    """View decorator: login, then the role check (403). The matrix test reads `_permission`."""
    roles_for(permission)  # fail at import for a misspelt name

    def decorate(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if not has_permission(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        wrapper._permission = permission  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def route(bp, rule: str, endpoint: str, permission: str, view: Callable, methods: tuple[str, ...] = ("GET",)) -> None:
    """Register a view a factory made (one function body for several routes) on the blueprint `bp` as
    `endpoint`, behind `@requires(permission)`, as `@bp.route` + `@requires` do for a written view."""
    view.__name__ = endpoint
    bp.add_url_rule(rule, endpoint, requires(permission)(view), methods=list(methods))


def object_page(bp, rule: str, endpoint: str, permission: str, load: Callable[[int, object], M],
                render: Callable[[M], object]) -> None:
    """Register GET `rule` (its one URL argument the object's id) on the blueprint `bp` as the page of
    one object: `@requires(permission)`, then `load(id, current_user)` (404 outside the user's scope,
    as every loader), then `render(obj)`. The actions on that object stay views of their own."""

    def page(**ids: int):
        (object_id,) = ids.values()
        return render(load(object_id, current_user))

    route(bp, rule, endpoint, permission, page)


def scope_ids(user) -> sa.Select:
    """Subquery of the unit ids the user may see (open and closed units alike)."""
    root = scope_root(user.unit)
    return sa.select(Unit.id).where(Unit.path.startswith(root.path, autoescape=True))


def scoped(stmt: sa.Select, unit_column, user) -> sa.Select:
    """Restrict a list query to rows whose unit lies in the user's scope."""
    return stmt.where(unit_column.in_(scope_ids(user)))


def one_or_404(visible: sa.Select, model: type[M], object_id: int | None) -> M:
    """The object with this id among those the `visible` query lets the user see; anything else,
    existing or not (or an id no column can hold), is 404."""
    if object_id is None or not 0 < object_id <= INT_MAX:
        abort(404)
    obj = db.session.scalar(visible.where(model.id == object_id))
    if obj is None:
        abort(404)
    return obj


def visible_or_404(obj: M | None, user, action: str = "view") -> M:
    """`obj` when the user may `action` it; None or a refusal is 404, as for an id that does not exist."""
    if obj is None or not can(user, action, obj):
        abort(404)
    return obj


def get_scoped_or_404(model: type[M], object_id: int, user, *, unit_attr: str = "unit_id",
                      may: str | None = None) -> M:
    """Fetch by id within the user's scope; anything else, existing or not, is 404. With `may`
    (an action such as "edit"), a visible object the user may not act on that way is 403."""
    obj = one_or_404(scoped(sa.select(model), getattr(model, unit_attr), user), model, object_id)
    if may is not None:
        authorize(user, may, obj)
    return obj
