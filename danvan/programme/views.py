"""Đề án tracker: programmes, task groups, tasks, progress reports, heatmap, timeline, sơ kết draft."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from flask import abort, flash, render_template, request
from flask_login import current_user

from danvan.core import access, cache, files, nav, panels, structure, workflow
from danvan.core.access import requires
from danvan.core.forms import ConfirmForm
from danvan.core.formviews import form_page, prefill, start_job
from danvan.core.htmx import is_htmx, redirect_to, render_page_or_partial
from danvan.core.pagination import Page, page_arg, paginate
from danvan.core.units import register_open_work_mover, scope_root
from danvan.core.vntext import int_or_none, today_local
from danvan.extensions import db
from danvan.programme import heatmap as heatmap_rows
from danvan.programme import jobs as programme_jobs
from danvan.programme import rollup, service, soket, summary, trends  # noqa: F401 (summary: flush hook)
from danvan.programme.forms import (
    AsOfForm,
    EditReportForm,
    FilterForm,
    GroupForm,
    ProgrammeForm,
    ReportForm,
    TaskForm,
    TransitionForm,
    level_choices,
)
from danvan.programme.models import PERIOD_KINDS, REPORT_STATES, STATUSES

bp = nav.blueprint("programme", __name__, "Đề án", "programme.view", 30, url_prefix="/de-an")
HEAT_PER_PAGE = 50
register_open_work_mover("Báo cáo tiến độ Đề án chưa duyệt", service.move_open_work)


def _data(form) -> dict:
    return {name: f.data for name, f in form._fields.items() if name not in ("csrf_token", "evidence")}



def _as_of() -> tuple[AsOfForm, object]:
    form = AsOfForm(request.args)
    form.validate()
    return form, (form.as_of.data or today_local())


# ---------------------------------------------------------------- programmes


@bp.route("/")
@requires("programme.view")
def index():
    q = request.args.get("q", "")
    page = paginate(service.programmes_query(current_user, q))
    root = scope_root(current_user.unit)
    today = today_local()
    figures = {p.id: rollup.headline(p, root, today) for p in page.items}
    return render_page_or_partial("programme/index.html", "programme/_rows.html", page=page, q=q,
                                  figures=figures, pct=rollup.pct)


@bp.route("/moi", methods=["GET", "POST"])
@requires("programme.manage")
def new():
    form = prefill(ProgrammeForm(), start_year=today_local().year, end_year=today_local().year + 2)
    return form_page(form, lambda: service.create_programme(scope_root(current_user.unit), _data(form),
                                                            actor=current_user),
                     render=lambda status: _programme_page(form, None, status),
                     message="Đã tạo Đề án. Hãy thêm các nhóm nhiệm vụ, giải pháp.", done=_to_programme)


def _programme_page(form, programme, status: int):
    return render_template("programme/programme_form.html", form=form, programme=programme), status


def _to_programme(programme):
    return redirect_to("programme.detail", programme_id=programme.id)


@bp.route("/<int:programme_id>")
@requires("programme.view")
def detail(programme_id: int):
    programme = service.load_programme_or_404(programme_id, current_user)
    asof_form, as_of = _as_of()
    root = scope_root(current_user.unit)
    can_manage = service.can_manage(current_user, programme)
    key = f"figures:{programme.id}:{root.id}:{as_of.isoformat()}:{int(can_manage)}"
    figures_html = cache.cached_html([summary.SCOPE], key, lambda: render_template(
        "programme/_figures.html", programme=programme, figure=rollup.figures(programme, root, as_of),
        pct=rollup.pct, can_manage=can_manage))
    charts_html = cache.cached_html([summary.SCOPE], f"charts:{programme.id}:{root.id}:{as_of.isoformat()}",
                                    lambda: render_template("programme/_charts.html", root=root,
                                                            timeline=trends.timeline(programme, root, as_of),
                                                            bands=trends.band_counts(programme, root, as_of),
                                                            band_labels=trends.BANDS))
    return render_template("programme/detail.html", programme=programme, figures_html=figures_html, as_of=as_of,
                           asof_form=asof_form, rules=rollup.RULES, root=root, can_manage=can_manage,
                           charts_html=charts_html)


@bp.route("/<int:programme_id>/sua", methods=["GET", "POST"])
@requires("programme.manage")
def edit(programme_id: int):
    programme = service.load_programme_or_404(programme_id, current_user)
    service.require_manage(current_user, programme)  # 403 on GET too: no form that cannot be saved
    form = ProgrammeForm(obj=programme)
    return form_page(form, lambda: service.update_programme(programme, _data(form), actor=current_user),
                     version_of=programme, render=lambda status: _programme_page(form, programme, status),
                     message="Đã lưu Đề án.", done=_to_programme)


def _part_form(slug: str, kind: str, id_arg: str, load_part):
    """Register a view adding a part (task group, task) to a programme, endpoint `<kind>_new` at
    /<programme_id>/<slug>/moi, that also edits one by its id, endpoint `<kind>_edit` at
    /<slug>/<id_arg>/sua. The view is called with the programme and the part (None when new); 403 on
    GET too unless the user manages the programme: no form that cannot be saved."""
    def register(view):
        @requires("programme.manage")
        @wraps(view)
        def part_view(programme_id: int | None = None, **ids):
            part_id = ids.get(id_arg)
            part = load_part(part_id, current_user) if part_id is not None else None
            programme = part.programme if part is not None else service.load_programme_or_404(programme_id,
                                                                                               current_user)
            service.require_manage(current_user, programme)
            return view(programme, part)

        bp.add_url_rule(f"/<int:programme_id>/{slug}/moi", f"{kind}_new", part_view, methods=["GET", "POST"])
        bp.add_url_rule(f"/{slug}/<int:{id_arg}>/sua", f"{kind}_edit", part_view, methods=["GET", "POST"])
        return part_view

    return register


@_part_form("nhom", "group", "task_group_id", service.load_group_or_404)
def group_form(programme, group):
    form = GroupForm(obj=group)
    if request.method == "GET" and group is None:
        form.position.data = len(programme.groups) + 1
    return form_page(form, lambda: service.save_group(programme, group, _data(form), actor=current_user),
                     version_of=group, message="Đã lưu nhóm nhiệm vụ.", done=lambda _: _to_programme(programme),
                     render=lambda status: (render_template("programme/group_form.html", form=form,
                                                            programme=programme, group=group), status))


@_part_form("nhiem-vu", "task", "task_id", service.load_task_or_404)
def task_form(programme, task):
    form = TaskForm(obj=task)
    form.group_id.choices = [(g.id, f"{g.position}. {g.title}") for g in programme.groups]
    form.level.choices = level_choices(programme, task)
    if request.method == "GET" and task is None and (wanted := int_or_none(request.args.get("task_group_id"))):
        form.group_id.data = wanted

    def page(status: int):
        return render_template("programme/task_form.html", form=form, programme=programme, task=task), status

    if request.method == "POST" and not form.group_id.choices:
        flash("Đề án chưa có nhóm nhiệm vụ nào: hãy thêm nhóm trước.", "danger")
        return page(422)
    return form_page(form, lambda: service.save_task(programme, task, _data(form), actor=current_user),
                     version_of=task, render=page, message="Đã lưu nhiệm vụ.",
                     done=lambda saved: redirect_to("programme.task", task_id=saved.id))


# ---------------------------------------------------------------- task page, timeline


@bp.route("/nhiem-vu/<int:task_id>")
@requires("programme.view")
def task(task_id: int):
    task = service.load_task_or_404(task_id, current_user)
    programme = task.programme
    root = scope_root(current_user.unit)
    figure = rollup.figures(programme, root, today_local())
    task_figure = next((t for g in figure.groups for t in g.tasks if t.task.id == task.id), None)
    page = paginate(service.timeline_query(current_user, task), scalars=False)
    own_unit = service.reporting_unit(current_user)
    own_reports = list(db.session.scalars(service.reports_query(current_user, programme, task_id=task.id,
                                                                unit=own_unit)))
    context = dict(task=task, programme=programme, figure=task_figure, page=page, pct=rollup.pct,
                   own_unit=own_unit, responsible=service.is_responsible(task, own_unit), own_reports=own_reports)
    return render_page_or_partial("programme/task.html", "programme/_timeline.html", **context)


# ---------------------------------------------------------------- progress reports


@bp.route("/<int:programme_id>/bao-cao")
@requires("programme.view")
def reports(programme_id: int):
    programme = service.load_programme_or_404(programme_id, current_user)
    filters = FilterForm(request.args)
    filters.validate()
    page = paginate(service.reports_query(current_user, programme, state=filters.state.data or None,
                                          q=filters.q.data))
    return render_page_or_partial("programme/reports.html", "programme/_report_rows.html", programme=programme,
                                  page=page, filters=filters)


@bp.route("/nhiem-vu/<int:task_id>/bao-cao/moi", methods=["GET", "POST"])
@requires("programme.report")
def report_new(task_id: int):
    task = service.load_task_or_404(task_id, current_user)
    unit = service.reporting_unit(current_user)
    form = prefill(ReportForm(), year=min(today_local().year, task.programme.end_year), period_kind="6thang", number=1)
    responsible = service.is_responsible(task, unit)
    return form_page(form, lambda: service.save_report(task, None, _data(form), form.evidence.data or [],
                                                       actor=current_user),
                     message="Đã lưu báo cáo (bản nháp). Kiểm tra lại rồi bấm «Gửi báo cáo».", done=_to_report,
                     render=lambda status: (render_template("programme/report_form.html", form=form, task=task,
                                                            unit=unit, report=None, responsible=responsible,
                                                            period_kinds=PERIOD_KINDS, evidence=[]), status))


def _to_report(report):
    return redirect_to("programme.report", progress_id=report.id)


@bp.route("/bao-cao/<int:progress_id>", methods=["GET", "POST"])
@requires("programme.view")
def report(progress_id: int):
    report = service.load_report_or_404(progress_id, current_user)
    form = EditReportForm(obj=report)
    return form_page(form, lambda: service.save_report(report.task, report, _data(form), form.evidence.data or [],
                                                       actor=current_user),
                     version_of=report, write_rule="programme.report", message="Đã lưu báo cáo.", done=_to_report,
                     render=lambda status: _render_report(report, form, status))


@bp.route("/bao-cao/<int:progress_id>/minh-chung/go", methods=["POST"])
@requires("programme.report")
def report_evidence_remove(progress_id: int):
    report = service.load_report_or_404(progress_id, current_user)
    form = ConfirmForm()
    attachment_id = int_or_none(request.form.get("attachment_id"))
    if not form.validate_on_submit() or not attachment_id:
        abort(400)
    try:
        removed = service.remove_evidence(report, attachment_id, actor=current_user)
    except service.ProgrammeError as exc:
        flash(exc.message, "danger")
        return _render_report(report, EditReportForm(obj=report), exc.status)
    flash(f"Đã gỡ tệp minh chứng «{removed.filename}».", "success")
    return redirect_to("programme.report", progress_id=report.id)


def _render_report(report, form, status=200, transition_form=None):
    editable = access.can(current_user, "edit", report)
    evidence = files.attachments_of(service.OWNER_TYPE, [report.id])[report.id]
    transitions = service.available_transitions(report, current_user)
    return render_template("programme/report.html", report=report, form=form, editable=editable,
                           evidence=evidence, transitions=transitions, history=workflow.history(report),
                           transition_form=transition_form or TransitionForm(), states=REPORT_STATES,
                           statuses=STATUSES), status


@bp.route("/bao-cao/<int:progress_id>/chuyen", methods=["POST"])
@requires("programme.report")
def report_transition(progress_id: int):
    report = service.load_report_or_404(progress_id, current_user)
    form = TransitionForm()
    if not form.validate_on_submit():
        flash("Thao tác không hợp lệ.", "danger")
        return _render_report(report, EditReportForm(obj=report), 422, form)
    try:
        t = service.workflow_for(report).get(form.transition.data)
        service.transition(report, t.name, actor=current_user, comment=form.comment.data)
    except workflow.TransitionError as exc:
        flash(exc.message, "danger")
        edit_form = EditReportForm(obj=report)
        edit_form.version.data = report.version
        return _render_report(report, edit_form, exc.status, form)
    flash(f"Đã {t.label.lower()}: {report.task.title[:60]} — {report.unit.name}.", "success")
    return redirect_to("programme.report", progress_id=report.id)


# ---------------------------------------------------------------- heatmap and sơ kết


def _heat_context(programme):
    asof_form, as_of = _as_of()
    root = scope_root(current_user.unit)
    groups = rollup.load_structure(programme)
    bucket = "unit" if asof_form.level.data == "unit" else "child"
    sort = "lag" if asof_form.sort.data == "lag" else "name"
    q = (request.args.get("q") or "").strip()[:100]
    number = page_arg()
    current = structure.wants_current()
    heat = heatmap_rows.heat_page(programme, root, as_of, bucket, sort=sort, q=q, page=number, per_page=HEAT_PER_PAGE,
                                  current_structure=current)
    if heat.total and not heat.rows:  # past the last page: show the last one
        number = -(-heat.total // HEAT_PER_PAGE)
        heat = heatmap_rows.heat_page(programme, root, as_of, bucket, sort=sort, q=q, page=number,
                                      per_page=HEAT_PER_PAGE, current_structure=current)
    page = Page(items=heat.rows, page=number, per_page=HEAT_PER_PAGE, total=heat.total)
    return dict(programme=programme, groups=groups, page=page, as_of=as_of, asof_form=asof_form, q=q,
                threshold=float(programme.lagging_below), lagging=heat.lagging, total_rows=heat.total,
                pct=rollup.pct, bucket=bucket)


@bp.route("/<int:programme_id>/ban-do-nhiet")
@requires("programme.view")
def heatmap(programme_id: int):
    """The heatmap fragment depends only on the programme, the viewer's scope and the query string:
    its HTML is cached per data version and shared by every viewer of that scope."""
    programme = service.load_programme_or_404(programme_id, current_user)
    asof_form, as_of = _as_of()
    root = scope_root(current_user.unit)
    key = f"heat:{programme.id}:{root.id}:{as_of.isoformat()}:{urlencode(sorted(request.args.items(multi=True)))}"
    html = cache.cached_html([summary.SCOPE], key, lambda: render_template("programme/_heatmap.html",
                                                                             **_heat_context(programme)))
    if is_htmx():
        return html
    return render_template("programme/heatmap.html", programme=programme, asof_form=asof_form, as_of=as_of,
                           q=request.args.get("q", ""), heat_html=html, structure=structure.toggle())


@bp.route("/<int:programme_id>/so-ket", methods=["GET", "POST"])
@requires("programme.view")
def soket_draft(programme_id: int):
    """The sơ kết rolls up the whole scope: drafting it is a background job. POST: the draft as a
    BC document in the plans feature (also a job)."""
    programme = service.load_programme_or_404(programme_id, current_user)
    if request.method == "POST":
        access.authorize(current_user, "draft_soket", programme)
        return start_job(lambda: programme_jobs.submit(current_user, programme, document=True))
    return render_template("programme/soket.html", programme=programme, root=scope_root(current_user.unit))


@bp.route("/<int:programme_id>/so-ket/du-thao", methods=["POST"])
@requires("programme.view")
def soket_text(programme_id: int):
    programme = service.load_programme_or_404(programme_id, current_user)
    return start_job(lambda: programme_jobs.submit(current_user, programme, document=False))


@bp.route("/<int:programme_id>/so-ket/pdf")
@requires("programme.view")
def soket_pdf(programme_id: int):
    from danvan.printing import pdf_response, render_pdf

    programme = service.load_programme_or_404(programme_id, current_user)
    data = soket.print_data(programme, scope_root(current_user.unit), today_local(), current_user.unit)
    return pdf_response(render_pdf("print/programme_soket.html", **data), "du-thao-bao-cao-so-ket.pdf")


def _panel(user) -> dict:
    programme = db.session.scalar(service.programmes_query(user).limit(1))
    if programme is None:
        return {}
    figure = rollup.figures(programme, scope_root(user.unit), today_local())
    return {"programme": programme, "figure": figure, "pct": rollup.pct}


panels.register("programme", "programme/_panel.html", _panel, 40)
