"""Views: one visit — the unit's report, the checklist (edited row by row with htmx), the record,
recommendations, and the Thông báo kết luận (draft preview, then the frozen issued files)."""
from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, render_template, request, url_for
from flask_login import current_user

from danvan.core import access
from danvan.core.access import object_page, requires
from danvan.core.files import attachments_of
from danvan.core.forms import ConfirmForm, add_error
from danvan.core.formviews import submit
from danvan.core.htmx import is_htmx, redirect_to
from danvan.core.models import StaleEdit
from danvan.core.units import tree_choices
from danvan.core.vntext import today_local
from danvan.extensions import db
from danvan.printing import file_response, pdf_response

from . import checklists, planning, recommendations, report_call, visits
from .blueprint import bp
from .errors import InspectionError
from .forms import ConclusionForm, RecommendationForm, RecordForm, ResultForm, UploadForm
from .models import LINKS, ChecklistResult

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def unit_links(insp) -> dict[str, str]:
    """Read-only links to the inspected unit's own data elsewhere in the portal."""
    return {"initiatives": url_for("initiatives.index", unit_id=insp.unit_id, year=insp.year),
            "programme": url_for("programme.index"),
            "blocs": url_for("blocs.index", q=insp.unit.name)}


def _recommendation_form(insp, form=None) -> RecommendationForm:
    form = form or RecommendationForm()
    form.unit_id.choices = tree_choices(db.session.scalars(recommendations.responsible_units(insp)))
    if request.method == "GET":
        form.unit_id.data = insp.unit_id
    return form


def _context(insp, **forms) -> dict:
    results = insp.results_rows
    evidence = attachments_of(visits.EVIDENCE_OWNER, [r.id for r in results])
    conduct = access.can(current_user, "conduct", insp)
    ctx = dict(
        insp=insp, groups=checklists.grouped(results), evidence=evidence, tally=checklists.tally(results),
        reports=attachments_of(visits.REPORT_OWNER, [insp.id])[insp.id], call_status=report_call.status(insp),
        carried=planning.carried_over(insp), recs=insp.recommendations, today=today_local(),
        is_overdue=recommendations.is_overdue, links=unit_links(insp), LINKS=LINKS, conduct=conduct,
        can_report=access.can(current_user, "report", insp), can_conclude=access.can(current_user, "conclude", insp),
        problems=visits.conclusion_problems(insp), document=planning.document_of(insp.plan),
        confirm=ConfirmForm(), upload_form=UploadForm(),
        result_forms={r.id: ResultForm(prefix=f"r{r.id}", verdict=r.verdict, note=r.note, version=r.version)
                      for r in results} if conduct else {},
        record_form=RecordForm(obj=insp, version=insp.version),
        conclusion_form=ConclusionForm(obj=insp, version=insp.version),
        rec_form=_recommendation_form(insp) if conduct else None,
        conclusion_record=visits.conclusion_record(insp), can_reissue=access.can(current_user, "reissue", insp),
    )
    ctx.update(forms)
    return ctx


def _render(insp, status: int = 200, **forms):
    return render_template("inspections/detail.html", **_context(insp, **forms)), status


def _visit_form(inspection_id: int, rule: str, name: str, make_form: Callable, save: Callable,
                message: str | Callable, anchor: str | None = None):
    """A form on the visit page: the inspection in scope, the object rule `rule`, then `save(insp, form)`;
    a refusal shows the whole page again with this form (context key `name`) as the user typed it."""
    insp = planning.load_inspection_or_404(inspection_id, current_user)
    access.authorize(current_user, rule, insp)
    form = make_form(insp)
    return submit(form, lambda: save(insp, form), render=lambda status: _render(insp, status, **{name: form}),
                  message=message,
                  done=lambda _: redirect_to(url_for("inspections.detail", inspection_id=insp.id, _anchor=anchor)))


object_page(bp, "/<int:inspection_id>", "detail", "inspections.view", planning.load_inspection_or_404, _render)


@bp.route("/<int:inspection_id>/bao-cao", methods=["POST"])
@requires("inspections.followup")
def upload_report(inspection_id: int):
    return _visit_form(inspection_id, "report", "upload_form", lambda _: UploadForm(),
                       lambda insp, _: visits.upload_report(insp, request.files.get("file"), actor=current_user),
                       "Đã gửi báo cáo của đơn vị cho đoàn kiểm tra.")


@bp.route("/tieu-chi/<int:result_id>", methods=["POST"])
@requires("inspections.conduct")
def result(result_id: int):
    row = db.session.get(ChecklistResult, result_id) if result_id <= planning.MAX_ID else None
    insp = planning.load_inspection_or_404(row.inspection_id if row else 0, current_user)
    access.authorize(current_user, "edit", row)
    form = ResultForm(prefix=f"r{row.id}")
    status = 200
    if form.validate_on_submit():
        try:
            checklists.set_result(row, form.verdict.data, form.note.data, actor=current_user, version=form.version.data)
            upload = request.files.get(form.file.name)
            if upload is not None and upload.filename:
                visits.add_evidence(row, upload, actor=current_user)
            form = ResultForm(prefix=f"r{row.id}", formdata=None, verdict=row.verdict, note=row.note,
                              version=row.version)
        except InspectionError as exc:
            add_error(form, exc.field, exc.message)
            status = exc.status
        except StaleEdit as exc:
            form.verdict.errors = [*form.verdict.errors, exc.message]
            status = 409
    else:
        status = 422
    if is_htmx():
        evidence = attachments_of(visits.EVIDENCE_OWNER, [row.id])
        return render_template("inspections/_result.html", r=row, f=form, evidence=evidence, conduct=True,
                               links=unit_links(insp), LINKS=LINKS), status
    if status >= 400:
        return _render(insp, status, result_forms={row.id: form})
    return redirect_to(url_for("inspections.detail", inspection_id=insp.id, _anchor=f"result-{row.id}"))


@bp.route("/<int:inspection_id>/bien-ban", methods=["POST"])
@requires("inspections.conduct")
def record(inspection_id: int):
    return _visit_form(inspection_id, "conduct", "record_form", lambda _: RecordForm(),
                       lambda insp, form: visits.save_record(insp, form.data, actor=current_user,
                                                             version=form.version.data),
                       "Đã lưu biên bản làm việc.", "record")


@bp.route("/<int:inspection_id>/kien-nghi", methods=["POST"])
@requires("inspections.conduct")
def add_recommendation(inspection_id: int):
    return _visit_form(inspection_id, "conduct", "rec_form", _recommendation_form,
                       lambda insp, form: recommendations.add(insp, {"text": form.text.data,
                                                                     "unit_id": form.unit_id.data,
                                                                     "deadline": form.deadline.data},
                                                              actor=current_user),
                       "Đã thêm kiến nghị.", "recommendations")


@bp.route("/<int:inspection_id>/ket-luan", methods=["POST"])
@requires("inspections.conduct")
def conclusion(inspection_id: int):
    """Save the conclusion text; with action=issue, also number, freeze and send it."""
    issue = request.form.get("action") == "issue"

    def save(insp, form):   # a refusal rolls the request back: the typed text comes back in the form
        visits.save_conclusion(insp, form.data, actor=current_user, version=form.version.data)
        if issue:
            access.authorize(current_user, "conclude", insp)
            visits.issue_conclusion(insp, actor=current_user)
        return insp

    return _visit_form(inspection_id, "conduct", "conclusion_form", lambda _: ConclusionForm(), save,
                       lambda insp: (f"Đã ban hành Thông báo kết luận số {insp.number_text}." if issue
                                     else "Đã lưu dự thảo kết luận."), "tb")


@bp.route("/<int:inspection_id>/ket-luan/thay-the", methods=["POST"])
@requires("inspections.conduct")
def replace_conclusion(inspection_id: int):
    """A corrected Thông báo kết luận: a new number; the old one stays, marked as replaced by it."""
    insp = planning.load_inspection_or_404(inspection_id, current_user)
    form = ConclusionForm()
    if visits.conclusion_record(insp) is None:     # nothing issued to replace (the page offers no button)
        flash("Thông báo kết luận chưa ban hành: ban hành lần đầu thay vì thay thế.", "danger")
        return _render(insp, 409, conclusion_form=form)
    access.authorize(current_user, "reissue", insp)
    before = insp.number_text   # the request rolls back on a refusal: the typed text comes back in the form

    def message(record) -> str:
        return (f"Đã ban hành Thông báo kết luận số {record.number_text} thay thế số {before}; "
                f"văn bản cũ được giữ và ghi “đã được thay thế bởi số {record.number_text}”.")

    return submit(form, lambda: visits.replace_conclusion(insp, form.data, actor=current_user,
                                                          version=form.version.data),
                  render=lambda status: _render(insp, status, conclusion_form=form), message=message,
                  done=lambda _: redirect_to(url_for("inspections.detail", inspection_id=insp.id, _anchor="tb")))


@bp.route("/<int:inspection_id>/thong-bao-ket-luan.<any(pdf, docx):fmt>")
@requires("inspections.view")
def conclusion_file(inspection_id: int, fmt: str):
    """Issued: the frozen bytes, unchanged. Not yet issued: a draft printed now, marked DỰ THẢO."""
    insp = planning.load_inspection_or_404(inspection_id, current_user)
    stored = visits.frozen(insp, fmt)
    if stored is not None:
        data, name = stored
    else:
        if not access.can(current_user, "preview", insp):
            abort(404)
        from danvan.printing import render_pdf
        from danvan.printing.office import docx_document

        spec = visits.document_spec(insp)
        data = render_pdf("print/party_document.html", doc=spec) if fmt == "pdf" else docx_document(spec)
        name = f"TB-du-thao-{insp.id}.{fmt}"
    response = pdf_response(data, name) if fmt == "pdf" else file_response(data, name, DOCX_MIME)
    response.headers["X-Document-State"] = "issued" if stored is not None else "draft"   # which one this is
    return response
