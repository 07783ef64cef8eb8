"""Views: the list of visits, inspection plans, scheduling a visit, the plan's KH and its issue."""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import render_template, request
from flask_login import current_user

from danvan.core import access
from danvan.core.access import object_page, requires
from danvan.core.forms import ConfirmForm
from danvan.core.formviews import confirmed, form_page, submit
from danvan.core.htmx import redirect_to, render_page_or_partial
from danvan.core.pagination import paginate
from danvan.core.units import tree_choices
from danvan.core.vntext import today_local
from danvan.extensions import db

from . import checklists, listing, planning
from .blueprint import bp
from .forms import InspectionForm, PlanForm
from .models import INSPECTION_STATES, Inspection, InspectionPlan


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 6 else None


@bp.route("/")
@requires("inspections.view")
def index():
    year, state = _int_arg("year"), request.args.get("state", "")
    state = state if state in INSPECTION_STATES else ""

    def stmt() -> sa.Select:
        stmt = planning.visible(current_user)
        if year:
            stmt = stmt.where(Inspection.year == year)
        if state:
            stmt = stmt.where(Inspection.state == state)
        return (stmt.options(sa.orm.selectinload(Inspection.plan))
                .order_by(Inspection.scheduled_on.desc(), Inspection.id.desc()))

    page, table = listing.cached_table("visits", current_user, (year, state), stmt, "inspections/_table.html")
    return render_page_or_partial("inspections/index.html", "inspections/_rows.html", page=page, table=table,
                                  year=year, state=state, states=INSPECTION_STATES)


@bp.route("/ke-hoach/")
@requires("inspections.plans")
def plans():
    stmt = planning.plans_visible(current_user).order_by(InspectionPlan.year.desc(), InspectionPlan.id.desc())
    return render_page_or_partial("inspections/plans.html", "inspections/_plan_rows.html", page=paginate(stmt))


@bp.route("/ke-hoach/moi", methods=["GET", "POST"])
@requires("inspections.plan")
def plan_new():
    form = PlanForm()
    if request.method == "GET":
        form.year.data = today_local().year
        form.purpose.data = ("Nắm tình hình, đánh giá kết quả thực hiện Quy chế dân chủ ở cơ sở và phong trào "
                             "“Dân vận khéo”; kịp thời chấn chỉnh tồn tại, hạn chế.")
    return form_page(form, lambda: planning.create_plan(current_user.unit, form.data, actor=current_user),
                     render=lambda status: (render_template("inspections/plan_form.html", form=form), status),
                     message="Đã tạo kế hoạch kiểm tra; thêm các cuộc kiểm tra vào kế hoạch.",
                     done=lambda plan: _back_to(plan))


def _inspection_form(plan: InspectionPlan, form: InspectionForm | None = None) -> InspectionForm:
    form = form or InspectionForm()
    form.unit_id.choices = tree_choices(db.session.scalars(planning.inspectable_units(plan)))
    form.member_ids.choices = [(u.id, f"{u.full_name} — {u.unit.name}")
                               for u in db.session.scalars(planning.inspectors_for(plan))]
    form.template_id.choices = [(t.id, t.name) for t in checklists.templates_for(plan.unit)]
    return form


def _render_plan(plan: InspectionPlan, form: InspectionForm | None = None, status: int = 200):
    can_edit = access.can(current_user, "edit", plan)
    document = planning.document_of(plan)
    return render_template("inspections/plan_detail.html", plan=plan, document=document,
                           form=_inspection_form(plan, form) if can_edit else None, can_edit=can_edit,
                           can_issue=access.can(current_user, "issue", plan),
                           issue_refusal=planning.issue_refusal(plan, document), confirm=ConfirmForm()), status


def _back_to(plan: InspectionPlan):
    return redirect_to("inspections.plan_detail", plan_id=plan.id)


object_page(bp, "/ke-hoach/<int:plan_id>", "plan_detail", "inspections.plans", planning.load_plan_or_404, _render_plan)


@bp.route("/ke-hoach/<int:plan_id>/cuoc-kiem-tra", methods=["POST"])
@requires("inspections.plan")
def plan_add_inspection(plan_id: int):
    plan = planning.load_plan_or_404(plan_id, current_user)
    access.authorize(current_user, "edit", plan)
    form = _inspection_form(plan, InspectionForm())
    return submit(form, lambda: planning.add_inspection(plan, form.data_dict(), actor=current_user),
                  render=lambda status: _render_plan(plan, form, status),
                  message=lambda insp: f"Đã thêm cuộc kiểm tra {insp.unit.name}.", done=lambda _: _back_to(plan))


@bp.route("/ke-hoach/<int:plan_id>/van-ban", methods=["POST"])
@requires("inspections.plan")
def plan_document(plan_id: int):
    return _plan_button(plan_id, "edit", planning.make_document,
                        "Văn bản kế hoạch đã được lập; gửi duyệt để được cấp số.",
                        lambda doc: redirect_to("plans.document_detail", document_id=doc.id))


@bp.route("/ke-hoach/<int:plan_id>/ban-hanh", methods=["POST"])
@requires("inspections.plan")
def plan_issue(plan_id: int):
    return _plan_button(plan_id, "issue", planning.issue_plan,
                        "Đã ban hành kế hoạch: đơn vị được kiểm tra và thành viên đoàn đã được thông báo.")


def _plan_button(plan_id: int, rule: str, step: Callable, message: str, done: Callable | None = None):
    """A button on the plan's page that only POSTs: the plan in scope, its object rule `rule`, then
    `step(plan, actor=…)`; a refusal shows the plan's page again with the message."""
    plan = planning.load_plan_or_404(plan_id, current_user)
    access.authorize(current_user, rule, plan)
    return confirmed(lambda: step(plan, actor=current_user), render=lambda status: _render_plan(plan, status=status),
                     message=message, done=done or (lambda _: _back_to(plan)))
