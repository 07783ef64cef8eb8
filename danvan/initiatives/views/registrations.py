"""Registrations: the list and search, the form, the detail page, workflow steps, evidence."""
from __future__ import annotations

from flask import flash, render_template, request
from flask_login import current_user

from danvan.core import access, cache, files, workflow
from danvan.core.access import requires
from danvan.core.forms import add_error
from danvan.core.formviews import prefill
from danvan.core.htmx import is_htmx, redirect_to, render_page_or_partial
from danvan.core.models import StaleEdit
from danvan.core.pagination import cached_table, list_key
from danvan.core.vntext import int_or_none, today_local
from danvan.core.workflow import TransitionError
from danvan.extensions import db
from danvan.initiatives import config, registration, review, search
from danvan.initiatives.config import InitiativeError
from danvan.initiatives.forms import (
    InitiativeForm,
    SubmitAllForm,
    TransitionForm,
)
from danvan.initiatives.models import STATES, Initiative
from danvan.initiatives.views.common import bp, load_province

# the list shows registrations (with their fields and kinds) and unit names
LIST_SCOPES = ("initiatives", "units")
cache.declare(*LIST_SCOPES)


def _rows_context() -> dict:
    """What the rows and the pager need, nothing else: the active search's fragment costs only this.
    The table of a page of results is cached per scope, filters and data version (it names no user and
    carries no token); the pager and the toolbar (CSRF tokens) are rendered around it."""
    filters = search.parse_filters(request.args)
    key = list_key(f"dvk-list:{current_user.scope.id}", sorted(filters.as_args().items()))
    page, table = cached_table(LIST_SCOPES, key, lambda: search.list_stmt(current_user, filters),
                               "initiatives/_table.html")
    # "Gửi tất cả bản nháp" on a list of drafts, for those who may send them
    offer_submit_all = (filters.state == "draft" and page.total
                        and access.has_permission(current_user, "initiatives.edit"))
    return dict(page=page, table=table, filters=filters,
                submit_all_form=SubmitAllForm(year=filters.year or today_local().year) if offer_submit_all else None)


def _filter_choices() -> dict[str, list[tuple[int, str]]]:
    """The filter bar's fields, kinds and units as (id, name), cached per scope and data version:
    read and tree-sorted on every view they were half of the page's cost (bench)."""
    def compute() -> dict[str, list[tuple[int, str]]]:
        province = load_province()

        def pairs(rows) -> list[tuple[int, str]]:
            return [(row.id, row.name) for row in rows]
        return dict(fields=pairs(config.fields_of(province.id, active_only=False)),
                    kinds=pairs(config.kinds_of(province.id, active_only=False)),
                    units=pairs(registration.registrable_units(current_user)))
    return cache.cached(LIST_SCOPES, f"dvk-filters:{current_user.scope.id}", compute)


def _list_context():
    return dict(_rows_context(), **_filter_choices(), states=STATES, years=search.years_in_scope(current_user))


@bp.route("/")
@requires("initiatives.view")
def index():
    context = _rows_context() if is_htmx() else _list_context()
    return render_page_or_partial("initiatives/index.html", "initiatives/_rows.html", **context)


def _form_choices(form: InitiativeForm, province, obj: Initiative | None = None) -> None:
    form.unit_id.choices = [(u.id, u.name) for u in registration.registrable_units(current_user)]
    form.kind_id.choices = [(k.id, k.name) for k in config.kinds_of(province.id)]
    form.field_id.choices = [(f.id, f.name) for f in config.fields_of(province.id)]
    unit_id = form.unit_id.data or (obj.unit_id if obj else None)
    year = form.year.data if isinstance(form.year.data, int) else None
    _previous_options(form, unit_id, year)


def _previous_options(form: InitiativeForm, unit_id: int | None, year: int | None) -> None:
    form.previous_id.choices = [(0, "— Không chọn —")] + [
        (o.id, f"{o.name} ({o.year})") for o in registration.previous_choices(current_user, unit_id, year)]


@bp.route("/mo-hinh-nam-truoc")
@requires("initiatives.edit")
def previous_options():
    """The "model of last year" field for the unit and year chosen (htmx, on change of either):
    the unit's registrations of the year before, within the user's scope."""
    form = InitiativeForm(formdata=None, meta={"csrf": False})
    form.previous_id.data = int_or_none(request.args.get("previous_id")) or 0
    _previous_options(form, int_or_none(request.args.get("unit_id")),
                      int_or_none(request.args.get("year"), 2000, 2100))
    return render_template("initiatives/_previous.html", form=form)


def _save_form(form: InitiativeForm, obj: Initiative | None):
    """Validate and save; returns (object or None, status)."""
    if not form.validate_on_submit():
        return None, 422
    try:
        if obj is None:
            obj = registration.create(form.data_dict(), actor=current_user)
        else:
            registration.update(obj, form.data_dict(), actor=current_user)
    except InitiativeError as exc:
        add_error(form, exc.field, exc.message)
        return None, exc.status
    except StaleEdit as exc:
        flash(exc.message, "danger")
        return None, 409
    return obj, 200


@bp.route("/moi", methods=["GET", "POST"])
@requires("initiatives.edit")
def new():
    province = load_province()
    form = prefill(InitiativeForm(), year=int_or_none(request.args.get("year")) or today_local().year,
                   unit_id=lambda: current_user.unit_id if current_user.unit.kind in config.REGISTERING_KINDS
                   else current_user.scope.id)
    _form_choices(form, province)
    status = 200
    if request.method == "POST":
        obj, status = _save_form(form, None)
        if obj is not None:
            flash(f"Đã lưu bản nháp «{obj.name}». Kiểm tra lại rồi bấm «Gửi đăng ký».", "success")
            return redirect_to("initiatives.detail", initiative_id=obj.id)
    return render_template("initiatives/form.html", form=form, obj=None,
                           organisations=config.ORGANISATIONS), status


@bp.route("/<int:initiative_id>")
@requires("initiatives.view")
def detail(initiative_id: int):
    obj = access.get_scoped_or_404(Initiative, initiative_id, current_user)
    return render_template("initiatives/detail.html", **detail_context(obj))


def detail_context(obj: Initiative, **extra) -> dict:
    province = config.province_of(obj.unit)
    rows = workflow.history(obj)
    return dict(
        obj=obj, history=rows, time_in_states=workflow.time_in_states(rows),
        transitions=[t for t in registration.WORKFLOW.available(obj, current_user)
                     if t.name in registration.PAGE_TRANSITIONS],
        transition_form=extra.pop("transition_form", None) or TransitionForm(),
        criteria=config.criteria_of(province.id), scores=extra.pop("scores", None) or review.scores_of(obj),
        may_upload=access.can(current_user, "initiatives.edit", obj),
        attachments=files.attachments_of("Initiative", [obj.id])[obj.id],
        chain=registration.history_chain(obj), states=STATES, **extra)


@bp.route("/<int:initiative_id>/sua", methods=["GET", "POST"])
@requires("initiatives.edit")
def edit(initiative_id: int):
    obj = access.get_scoped_or_404(Initiative, initiative_id, current_user)
    province = config.province_of(obj.unit)
    if not access.can(current_user, "edit", obj):
        flash(f"Không thể sửa khi đăng ký đang ở trạng thái «{obj.state_label}».", "warning")
        return redirect_to("initiatives.detail", initiative_id=obj.id)
    form = InitiativeForm(obj=obj)
    if request.method == "GET":
        form.version.data = obj.version
        form.is_new.data = "new" if obj.is_new else "maintained"
        form.previous_id.data = obj.previous_id or 0
    _form_choices(form, province, obj)
    status = 200
    if request.method == "POST":
        saved, status = _save_form(form, obj)
        if saved is not None:
            flash("Đã lưu thay đổi.", "success")
            return redirect_to("initiatives.detail", initiative_id=obj.id)
    return render_template("initiatives/form.html", form=form, obj=obj,
                           organisations=config.ORGANISATIONS), status


@bp.route("/<int:initiative_id>/chuyen", methods=["POST"])
@requires("initiatives.view")
def transition(initiative_id: int):
    obj = access.get_scoped_or_404(Initiative, initiative_id, current_user)
    form = TransitionForm()
    status, message = 422, "Thiếu thao tác."
    if form.validate_on_submit():
        try:
            t = registration.WORKFLOW.get(form.transition.data)
            registration.transition(obj, t.name, actor=current_user, comment=form.comment.data)
        except TransitionError as exc:
            status, message = exc.status, exc.message
        else:
            flash(f"Đã thực hiện: {t.label}.", "success")
            return redirect_to("initiatives.detail", initiative_id=obj.id)
    elif form.comment.errors:
        message = form.comment.errors[0]
    db.session.rollback()
    obj = access.get_scoped_or_404(Initiative, initiative_id, current_user)
    flash(message, "danger")
    return render_template("initiatives/detail.html", **detail_context(obj, transition_form=form)), status


@bp.route("/<int:initiative_id>/minh-chung", methods=["POST"])
@requires("initiatives.edit")
def upload(initiative_id: int):
    obj = access.get_scoped_or_404(Initiative, initiative_id, current_user)
    try:
        stored = files.store(request.files.get("file"), owner_type="Initiative", owner_id=obj.id,
                             unit_id=obj.unit_id, actor=current_user)
    except files.UploadError as exc:
        flash(exc.message, "danger")
        return render_template("initiatives/detail.html", **detail_context(obj)), 422
    flash(f"Đã lưu minh chứng «{stored.filename}» ({stored.size:,} byte).".replace(",", "."), "success")
    return redirect_to("initiatives.detail", initiative_id=obj.id)


@bp.route("/gui-tat-ca", methods=["POST"])
@requires("initiatives.edit")
def submit_all():
    form = SubmitAllForm()
    if not form.validate_on_submit():
        flash(" ".join(form.year.errors) or "Dữ liệu không hợp lệ.", "danger")
        return render_page_or_partial("initiatives/index.html", "initiatives/_rows.html", status_code=422,
                                      **_list_context())
    units = [u.id for u in registration.registrable_units(current_user)]
    try:
        n = registration.submit_all(current_user, units, form.year.data)
    except InitiativeError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return render_page_or_partial("initiatives/index.html", "initiatives/_rows.html", status_code=exc.status,
                                      **_list_context())
    flash(f"Đã gửi {n} đăng ký năm {form.year.data}." if n else "Không có bản nháp nào để gửi.", "success")
    return redirect_to("initiatives.index", year=form.year.data)
