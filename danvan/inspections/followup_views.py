"""Views: recommendations followed to closure, the province overview (and its Excel), the
checklist configuration."""
from __future__ import annotations

from collections.abc import Callable

from flask import abort, render_template, request
from flask_login import current_user

from danvan.core import access, cache
from danvan.core.access import object_page, requires
from danvan.core.files import attachments_of
from danvan.core.formviews import confirmed, form_page, submit
from danvan.core.htmx import redirect_to, render_page_or_partial
from danvan.core.vntext import today_local
from danvan.printing import file_response

from . import checklists as checklist_config
from . import listing, overview, recommendations
from .blueprint import bp
from .forms import MAX_ID, FollowUpForm, ItemForm, ReviewForm, TemplateForm
from .models import CATEGORIES, LINKS, RECOMMENDATION_STATES, ChecklistTemplate

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HISTORY_LABELS = {"report": "Đơn vị báo cáo kết quả", "accept": "Đoàn công nhận hoàn thành",
                  "reopen": "Đoàn yêu cầu thực hiện lại"}
STATUS_FILTERS = {"": "Tất cả", "open": "Chưa hoàn thành", "overdue": "Quá hạn", **RECOMMENDATION_STATES}


@bp.route("/kien-nghi/")
@requires("inspections.view")
def recommendations_list():
    status = request.args.get("status", "")
    status = status if status in STATUS_FILTERS else ""
    today = today_local()
    page, table = listing.cached_table(
        "recommendations", current_user, (status, today.isoformat()),
        lambda: recommendations.search(current_user, status=status, today=today),
        "inspections/_recommendation_table.html", today=today, is_overdue=recommendations.is_overdue)
    return render_page_or_partial("inspections/recommendations.html", "inspections/_recommendation_rows.html",
                                  page=page, table=table, status=status, filters=STATUS_FILTERS)


def _render_rec(rec, status: int = 200, **forms):
    files = attachments_of(recommendations.EVIDENCE_OWNER, [rec.id])[rec.id]
    now = recommendations.actions(rec, current_user)
    ctx = dict(rec=rec, history=recommendations.history(rec), today=today_local(), labels=HISTORY_LABELS,
               overdue=recommendations.is_overdue(rec), files=files,
               can_followup="followup" in now, can_review="review" in now,
               followup_form=FollowUpForm(), review_form=ReviewForm())
    ctx.update(forms)
    return render_template("inspections/recommendation.html", **ctx), status


def _rec_form(recommendation_id: int, rule: str, name: str, form, save: Callable, message: str | Callable):
    """A form on the recommendation's page: the recommendation in scope, its object rule `rule`, then
    `save(rec, form)`; a refusal shows the page again with this form (context key `name`) as typed.
    `message` is the success flash, or a function of the recommendation once saved."""
    rec = recommendations.load_or_404(recommendation_id, current_user)
    access.authorize(current_user, rule, rec)
    return submit(form, lambda: save(rec, form), render=lambda status: _render_rec(rec, status, **{name: form}),
                  message=(lambda _: message(rec)) if callable(message) else message,
                  done=lambda _: redirect_to("inspections.recommendation", recommendation_id=rec.id))


object_page(bp, "/kien-nghi/<int:recommendation_id>", "recommendation", "inspections.view", recommendations.load_or_404,
            _render_rec)


@bp.route("/kien-nghi/<int:recommendation_id>/bao-cao", methods=["POST"])
@requires("inspections.followup")
def recommendation_followup(recommendation_id: int):
    return _rec_form(recommendation_id, "followup", "followup_form", FollowUpForm(),
                     lambda rec, form: recommendations.report(rec, form.comment.data, request.files.get("file"),
                                                              actor=current_user),
                     "Đã báo cáo kết quả thực hiện kiến nghị cho đoàn kiểm tra.")


@bp.route("/kien-nghi/<int:recommendation_id>/danh-gia", methods=["POST"])
@requires("inspections.conduct")
def recommendation_review(recommendation_id: int):
    return _rec_form(recommendation_id, "review", "review_form", ReviewForm(),
                     lambda rec, form: recommendations.review(rec, form.decision.data, form.comment.data,
                                                              actor=current_user),
                     lambda rec: ("Đã công nhận hoàn thành." if rec.state == "accepted"
                                  else "Đã yêu cầu đơn vị thực hiện lại."))


def _year() -> int | None:
    value = request.args.get("year", "")
    return int(value) if value.isdigit() and len(value) == 4 else None


@bp.route("/tong-quan")
@requires("inspections.overview")
def overview_page():
    year, today = _year(), today_local()
    ov = overview.build(current_user, year, today)
    # The tables name no user and carry no token: rendered once per figures (the same key).
    tables = cache.cached_html(overview.SCOPES, overview.cache_key(current_user, year, today), lambda: render_template(
        "inspections/_overview_tables.html", ov=ov, CATEGORIES=CATEGORIES, heat_class=overview.heat_class))
    return render_template("inspections/overview.html", ov=ov, tables=tables)


@bp.route("/tong-quan.xlsx")
@requires("inspections.overview")
def overview_xlsx():
    ov = overview.build(current_user, _year())
    return file_response(overview.xlsx(ov), f"tong-hop-kiem-tra-{ov.year or 'tat-ca'}.xlsx", XLSX_MIME)


# configuration ------------------------------------------------------------------------

@bp.route("/bo-tieu-chi/", methods=["GET", "POST"])
@requires("inspections.configure")
def checklists():
    form = TemplateForm()
    return form_page(form, lambda: checklist_config.create_template(current_user.unit, form.name.data,
                                                                    actor=current_user),
                     render=lambda status: _checklists_page(form, status),
                     done=lambda t: redirect_to("inspections.checklist", checklist_template_id=t.id))


@bp.route("/bo-tieu-chi/mac-dinh", methods=["POST"])
@requires("inspections.configure")
def checklist_default():
    """Creates (once) the default set of the province so that it can be edited before the first plan."""
    return confirmed(lambda: checklist_config.default_template(current_user.unit, actor=current_user),
                     render=lambda status: _checklists_page(TemplateForm(), status),
                     done=lambda t: redirect_to("inspections.checklist", checklist_template_id=t.id))


def _checklists_page(form: TemplateForm, status: int):
    # GET never writes: the default set is created by its own button or by the first plan.
    return render_template("inspections/checklists.html", templates=checklist_config.templates_for(current_user.unit),
                           form=form, default_name=checklist_config.DEFAULT_NAME), status


def _render_template_page(template: ChecklistTemplate, form: ItemForm | None = None, status: int = 200):
    return render_template("inspections/checklist.html", template=template, form=form or ItemForm(),
                           CATEGORIES=CATEGORIES, LINKS=LINKS), status


@bp.route("/bo-tieu-chi/<int:checklist_template_id>", methods=["GET", "POST"])
@requires("inspections.configure")
def checklist(checklist_template_id: int):
    if checklist_template_id > MAX_ID:
        abort(404)
    template = access.get_scoped_or_404(ChecklistTemplate, checklist_template_id, current_user)
    access.authorize(current_user, "configure", template)
    if request.method == "GET":
        return _render_template_page(template)
    form = ItemForm()
    return submit(form, lambda: checklist_config.add_item(template, form.category.data, form.text.data, form.link.data,
                                                          actor=current_user),
                  render=lambda status: _render_template_page(template, form, status), message="Đã thêm tiêu chí.",
                  done=lambda _: redirect_to("inspections.checklist", checklist_template_id=template.id))
