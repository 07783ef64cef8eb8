"""Organisation tree: browse with lazy expand, search, and (admins) change it."""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash, render_template, request
from flask_login import current_user

from danvan.core import access, nav
from danvan.core.access import requires
from danvan.core.forms import add_error
from danvan.core.htmx import redirect_to, render_page_or_partial
from danvan.core.models import StaleEdit
from danvan.core.units import Unit, subtree, tree_choices, tree_units
from danvan.core.vntext import int_or_none
from danvan.extensions import db
from danvan.units import service
from danvan.units.forms import CloseUnitForm, MergeForm, NewUnitForm, UnitForm

bp = nav.blueprint("units", __name__, "Đơn vị", "units.view", 80, group="admin", url_prefix="/don-vi")


def _parent_choices(exclude: Unit | None = None) -> list[tuple[int, str]]:
    root = current_user.scope
    return tree_choices(u for u in db.session.scalars(subtree(root))
                         if u.kind in ("tinh_uy", "huyen_uy", "dang_uy_truc_thuoc", "xa")
                         and not (exclude is not None and exclude.contains(u)))


@bp.route("/")
@requires("units.view")
def index():
    root = current_user.scope
    q = request.args.get("q", "")
    results = service.search(current_user, q) if q.strip() else None
    context = dict(root=root, children=service.children_of(root.id, current_user), q=q,
                   results=results)
    return render_page_or_partial("units/index.html", "units/_search_results.html", **context)


@bp.route("/<int:unit_id>/con")
@requires("units.view")
def children(unit_id: int):
    unit = access.get_scoped_or_404(Unit, unit_id, current_user, unit_attr="id")
    return render_template("units/_children.html", unit=unit,
                           children=service.children_of(unit.id, current_user))


@bp.route("/<int:unit_id>")
@requires("units.view")
def detail(unit_id: int):
    unit = access.get_scoped_or_404(Unit, unit_id, current_user, unit_attr="id")
    form = UnitForm(obj=unit)
    form.parent_id.choices = _parent_choices(exclude=unit)
    form.version.data = unit.version
    return _render_detail(unit, form, 200)


@bp.route("/<int:unit_id>", methods=["POST"])
@requires("units.manage")
def update(unit_id: int):
    unit = access.get_scoped_or_404(Unit, unit_id, current_user, unit_attr="id")
    form = UnitForm()
    form.parent_id.choices = _parent_choices(exclude=unit)
    if form.validate_on_submit():
        try:
            service.update(unit, {n: f.data for n, f in form._fields.items()}, actor=current_user)
        except service.UnitError as exc:
            add_error(form, exc.field or "name", exc.message)
        except StaleEdit as exc:
            flash(exc.message, "danger")
            return _render_detail(unit, form, 409)
        else:
            flash("Đã lưu đơn vị.", "success")
            return redirect_to("units.detail", unit_id=unit.id)
    return _render_detail(unit, form, 422)


def _render_detail(unit: Unit, form: UnitForm, status: int):
    from danvan.blocs import service as blocs

    predecessors = list(db.session.scalars(sa.select(Unit).where(Unit.successor_id == unit.id)))
    bloc = blocs.bloc_of(unit)
    return render_template("units/detail.html", unit=unit, form=form, close_form=CloseUnitForm(),
                           predecessors=predecessors, user_count=_user_count(unit), bloc=bloc,
                           old_blocs=blocs.predecessor_blocs(unit) if bloc is None and predecessors else [],
                           account_moves=service.account_history(unit)), status


def _user_count(unit: Unit) -> int:
    from danvan.auth.models import User

    return db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.unit_id == unit.id))


@bp.route("/moi", methods=["GET", "POST"])
@requires("units.manage")
def new():
    form = NewUnitForm()
    form.parent_id.choices = _parent_choices()
    if request.method == "GET" and (parent_id := int_or_none(request.args.get("parent_id"))):
        form.parent_id.data = parent_id
    if form.validate_on_submit():
        try:
            unit = service.create({n: f.data for n, f in form._fields.items()}, actor=current_user)
        except service.UnitError as exc:
            add_error(form, exc.field or "name", exc.message)
        else:
            flash(f"Đã tạo đơn vị {unit.name}.", "success")
            return redirect_to("units.detail", unit_id=unit.id)
    status = 422 if request.method == "POST" else 200
    return render_template("units/new.html", form=form), status


@bp.route("/<int:unit_id>/dong", methods=["POST"])
@requires("units.manage")
def close(unit_id: int):
    unit = access.get_scoped_or_404(Unit, unit_id, current_user, unit_attr="id")
    form = CloseUnitForm()
    if form.validate_on_submit():
        try:
            service.close(unit, form.on.data, actor=current_user)
        except service.UnitError as exc:
            flash(exc.message, "danger")
            return redirect_to("units.detail", unit_id=unit.id)
        flash(f"Đã đóng đơn vị {unit.name} từ ngày {form.on.data:%d/%m/%Y}.", "success")
        return redirect_to("units.detail", unit_id=unit.id)
    flash(" ".join(form.on.errors) or "Dữ liệu không hợp lệ.", "danger")
    return redirect_to("units.detail", unit_id=unit.id)


@bp.route("/sap-nhap", methods=["GET", "POST"])
@requires("units.manage")
def merge():
    form = MergeForm()
    form.parent_id.choices = _parent_choices()
    candidates = [u for u in tree_units(current_user.scope) if u.parent_id]
    form.unit_ids.choices = [(u.id, u.name) for u in candidates]
    if request.method == "GET" and request.args.getlist("unit_ids"):
        form.unit_ids.data = [i for i in map(int_or_none, request.args.getlist("unit_ids")) if i]
    if form.validate_on_submit():
        units = _chosen_units(form.unit_ids.data)
        try:
            successor, moved = service.merge(
                units, name=form.name.data, code=form.code.data,
                parent=db.session.get(Unit, form.parent_id.data or 0), on=form.on.data,
                move_open_work=form.move_open_work.data, actor=current_user,
                account_ids=(form.account_ids.data or []) if form.accounts_shown.data else None)
        except service.UnitError as exc:
            add_error(form, exc.field or "name", exc.message)
        else:
            accounts = moved.pop(service.ACCOUNTS_LABEL, 0)
            detail = ", ".join(f"{label}: {n}" for label, n in moved.items() if n)
            flash(f"Đã sáp nhập {len(units)} đơn vị thành {successor.name}; đã chuyển {accounts} tài khoản."
                  + (f" Đã chuyển việc đang dở ({detail})." if detail else ""), "success")
            return redirect_to("units.detail", unit_id=successor.id)
    status = 422 if request.method == "POST" else 200
    chosen = _chosen_units(form.unit_ids.data)
    return render_template("units/merge.html", form=form, candidates=candidates, **_accounts_context(
        chosen, form.account_ids.data if form.accounts_shown.data else None)), status


def _chosen_units(ids) -> list[Unit]:
    if not ids:
        return []
    return list(db.session.scalars(access.scoped(sa.select(Unit).where(Unit.id.in_(ids)),
                                                 Unit.id, current_user).order_by(Unit.path)))


def _accounts_context(units: list[Unit], ticked: list[int] | None) -> dict:
    """The accounts of the chosen units, each ticked unless the admin unticked it (ticked=None: all)."""
    return {"accounts": service.accounts_of(units), "ticked": ticked, "chosen": units}


@bp.route("/sap-nhap/tai-khoan")
@requires("units.manage")
def merge_accounts():
    """Fragment of the merge form: the accounts of the units ticked so far."""
    ids = [i for i in map(int_or_none, request.args.getlist("unit_ids")) if i]
    return render_template("units/_merge_accounts.html", **_accounts_context(_chosen_units(ids), None))
