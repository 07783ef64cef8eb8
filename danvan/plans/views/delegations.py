"""Approval delegations: a leader lets a named colleague approve for a while."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, render_template, request
from flask_login import current_user

from danvan.core import access
from danvan.core.access import requires
from danvan.core.forms import ConfirmForm
from danvan.core.htmx import redirect_to
from danvan.core.models import by_name
from danvan.core.units import Unit, scope_root
from danvan.extensions import db
from danvan.plans import documents as service
from danvan.plans.forms import DelegationForm
from danvan.plans.models import PlanDelegation
from danvan.plans.views.common import bp


def _delegation_form() -> DelegationForm:
    form = DelegationForm()
    from danvan.auth.models import User

    root = scope_root(current_user.unit)
    same = sa.select(Unit.id).where(sa.or_(Unit.id == root.id, sa.and_(Unit.parent_id == root.id,
                                                                        Unit.kind == "ban")))
    users = db.session.scalars(sa.select(User).where(User.unit_id.in_(same), User.active.is_(True),
                                                     User.id != current_user.id).order_by(by_name(User), User.id))
    form.delegate_id.choices = [(u.id, f"{u.full_name} — {u.title or u.unit.name}") for u in users]
    return form


@bp.route("/uy-quyen", methods=["GET", "POST"])
@requires("plans.approve")
def delegations():
    form = _delegation_form()
    status = 200
    if form.validate_on_submit():
        from danvan.auth.models import User

        user = db.session.get(User, form.delegate_id.data)
        try:
            service.delegate(current_user, user, form.starts_on.data, form.ends_on.data, actor=current_user)
        except service.DocumentError as exc:
            getattr(form, exc.field or "delegate_id", form.delegate_id).errors.append(exc.message)
            status = exc.status
        else:
            flash(f"Đã ủy quyền duyệt văn bản cho {user.full_name}.", "success")
            return redirect_to("plans.delegations")
    elif request.method == "POST":
        status = 422
    rows = list(db.session.scalars(sa.select(PlanDelegation).where(
        sa.or_(PlanDelegation.delegator_id == current_user.id, PlanDelegation.delegate_id == current_user.id))
        .order_by(PlanDelegation.starts_on.desc())))
    return render_template("plans/delegations.html", form=form, rows=rows,
                           confirm_form=ConfirmForm(formdata=None)), status


@bp.route("/uy-quyen/<int:delegation_id>/huy", methods=["POST"])
@requires("plans.approve")
def delegation_revoke(delegation_id: int):
    row = access.get_scoped_or_404(PlanDelegation, delegation_id, current_user)
    if not access.can(current_user, "revoke", row):
        flash("Chỉ người ủy quyền mới hủy được, khi ủy quyền còn hiệu lực.", "warning")
        return redirect_to("plans.delegations")
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    service.revoke_delegation(row, actor=current_user)
    flash("Đã hủy ủy quyền.", "success")
    return redirect_to("plans.delegations")
