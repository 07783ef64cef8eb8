"""Documents (kế hoạch, báo cáo…): list, drafting, detail and workflow, attachments, printing."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from danvan import calls
from danvan.core import access, files, workflow
from danvan.core.access import requires
from danvan.core.forms import ConfirmForm
from danvan.core.formviews import form_page, prefill
from danvan.core.htmx import redirect_to, render_page_or_partial
from danvan.core.pagination import paginate
from danvan.core.policies import plans as plan_policy
from danvan.core.vntext import date_line, fmt_date, int_or_none, matches, today_local
from danvan.core.workflow import TransitionError
from danvan.extensions import db
from danvan.plans import documents as service
from danvan.plans import issued
from danvan.plans.forms import (
    DEFAULT_SECTIONS,
    DocumentFilterForm,
    DocumentForm,
    TransitionForm,
)
from danvan.plans.models import STATES, PlanDocument
from danvan.plans.views.common import bp

OWNER_TYPE = "PlanDocument"


def _documents_query(user, filters: DocumentFilterForm) -> sa.Select:
    loc = filters.loc.data or ""
    if loc == "cho_duyet":
        stmt = service.waiting_for(user)
    elif loc == "nhap":
        stmt = service.my_drafts(user)
    else:
        stmt = sa.select(PlanDocument)
    stmt = access.scoped(stmt, PlanDocument.unit_id, user).where(plan_policy.readable(user, PlanDocument))
    if (found := matches(filters.q.data, PlanDocument.search_key)) is not None:
        stmt = stmt.where(found)
    if filters.state.data in STATES:
        stmt = stmt.where(PlanDocument.state == filters.state.data)
    elif loc != "nhap":
        stmt = stmt.where(PlanDocument.state != "archived")
    if filters.type_code.data:
        stmt = stmt.where(PlanDocument.type_code == filters.type_code.data)
    return stmt.order_by(PlanDocument.updated_at.desc(), PlanDocument.id.desc())


@bp.route("/van-ban/")
@requires("plans.view")
def index():
    filters = DocumentFilterForm(request.args)
    filters.state.choices = [("", "Mọi trạng thái (trừ lưu trữ)"), *STATES.items()]
    filters.validate()
    page = paginate(_documents_query(current_user, filters))
    return render_page_or_partial("plans/index.html", "plans/_rows.html", page=page, filters=filters)


# documents: create / edit -----------------------------------------------------------

def _open_calls() -> dict[int, calls.Call]:
    return {c.id: c for c in calls.open_calls_for_unit(current_user.unit, kind=service.CALL_KIND)}


def _prepare(form: DocumentForm, calls_by_id: dict, doc: PlanDocument | None = None) -> None:
    form.call_id.choices = [("", "— Không trả lời yêu cầu nào —")] + [
        (str(c.id), f"{c.title} (hạn {fmt_date(c.deadline)})") for c in calls_by_id.values()]
    if doc is not None and doc.call is not None and doc.call_id not in calls_by_id:
        form.call_id.choices.append((str(doc.call_id), doc.call.title))
    filled = len([e for e in form.sections if (e.form.heading.data or e.form.body.data)])
    while len(form.sections) < min(12, max(3, filled + 2)):
        form.sections.append_entry()


def _render_form(form, doc, status: int):
    return render_template("plans/form.html", form=form, doc=doc), status


@bp.route("/van-ban/moi", methods=["GET", "POST"])
@requires("plans.edit")
def document_new():
    calls_by_id = _open_calls()
    form = prefill(DocumentForm(), year=today_local().year, recipients="Như trên,\nLưu Văn phòng", signer_name="")
    if request.method == "GET":
        for entry, heading in zip(form.sections, DEFAULT_SECTIONS):
            entry.form.heading.data = heading
        wanted = request.args.get("call_id", "")
        wanted = int_or_none(wanted)
        if wanted in calls_by_id:
            call = calls_by_id[wanted]
            form.call_id.data = str(wanted)
            form.type_code.data = call.type_code or form.type_code.data
            form.summary.data = call.title
    _prepare(form, calls_by_id)
    return _drafted(form, None, lambda: service.create_document(
        current_user.unit, _form_data(form, calls_by_id), actor=current_user), "Đã lưu bản nháp.")


def _form_data(form: DocumentForm, calls_by_id: dict) -> dict:
    """The form's data with the call it answers; a call not offered is refused on its field."""
    if form.call_id.data and form.chosen_call(calls_by_id) is None:
        raise service.DocumentError(form.call_id.errors.pop(), "call_id")
    return form.data_dict(calls_by_id)


def _drafted(form: DocumentForm, doc: PlanDocument | None, save, message: str) -> ResponseReturnValue:
    """Both drafting pages: GET shows the form; a refusal without a field of its own lands on the
    trích yếu; saved, the document's page."""
    return form_page(form, save, render=lambda status: _render_form(form, doc, status),
                     done=lambda saved: redirect_to("plans.document_detail", document_id=saved.id),
                     message=message, error_field="summary")


def _load(document_id: int) -> PlanDocument:
    """In scope and readable (another unit's draft answers 404 like an id out of scope)."""
    doc = access.get_scoped_or_404(PlanDocument, document_id, current_user)
    if not access.can(current_user, "view", doc):
        abort(404)
    return doc


@bp.route("/van-ban/<int:document_id>/sua", methods=["GET", "POST"])
@requires("plans.edit")
def document_edit(document_id: int):
    doc = _load(document_id)
    if not access.can(current_user, "edit", doc):
        flash("Chỉ đơn vị ban hành mới sửa được văn bản, và chỉ khi văn bản còn là nháp hoặc bị trả lại.",
              "warning")
        return redirect_to("plans.document_detail", document_id=doc.id)
    calls_by_id = _open_calls()
    if request.method == "GET":
        form = DocumentForm(obj=doc)
        form.version.data = doc.version
        form.call_id.data = str(doc.call_id or "")
        while len(form.sections):
            form.sections.pop_entry()
        for section in doc.sections:
            form.sections.append_entry(section)
    else:
        form = DocumentForm()
    _prepare(form, calls_by_id, doc)
    if doc.call is not None:
        calls_by_id.setdefault(doc.call.id, doc.call)   # its own call, even once closed

    def save() -> PlanDocument:
        data = _form_data(form, calls_by_id)
        if (data["call"].id if data["call"] else None) != doc.call_id:
            raise service.DocumentError("Không đổi được yêu cầu mà văn bản trả lời; hãy tạo văn bản mới.", "call_id")
        service.update_document(doc, data, actor=current_user, version=form.version.data)
        return doc

    return _drafted(form, doc, save, "Đã lưu văn bản.")


# documents: detail, workflow, attachments -------------------------------------------

def _detail_context(doc: PlanDocument, *, transition_form=None, error=None) -> dict:
    rows = workflow.history(doc)
    spent = workflow.time_in_states(rows)
    return {
        "doc": doc, "history": rows, "spent": spent,
        "transitions": service.available(doc, current_user),
        "transition_form": transition_form or TransitionForm(formdata=None),
        "attachments": files.attachments_of(OWNER_TYPE, [doc.id])[doc.id],
        "confirm_form": ConfirmForm(formdata=None), "error": error,
        "problems": service.pending_problems(doc),
        "workflow": service.WORKFLOW, "labels": {t.name: t.label for t in service.WORKFLOW.transitions},
        "record": issued.record_of(doc), "approval": service.approval_of(doc, rows),
    }


@bp.route("/van-ban/<int:document_id>")
@requires("plans.view")
def document_detail(document_id: int):
    doc = _load(document_id)
    return render_template("plans/detail.html", **_detail_context(doc))


@bp.route("/van-ban/<int:document_id>/thao-tac", methods=["POST"])
@requires("plans.view")
def document_transition(document_id: int):
    doc = _load(document_id)
    form = TransitionForm()
    if not form.validate_on_submit():
        return render_template("plans/detail.html", **_detail_context(
            doc, transition_form=form, error="Thao tác không hợp lệ.")), 400
    try:
        service.transition(doc, form.action.data, actor=current_user, comment=form.comment.data or "")
    except TransitionError as exc:
        db.session.rollback()
        doc = _load(document_id)
        return render_template("plans/detail.html", **_detail_context(
            doc, transition_form=form, error=exc.message)), exc.status
    messages = {"submit": "Đã gửi văn bản để duyệt.", "approve": f"Đã duyệt; văn bản được cấp số {doc.number_text}.",
                "return": "Đã trả lại văn bản kèm lý do.", "archive": "Đã chuyển văn bản vào lưu trữ.",
                "admin_archive": "Đã chuyển văn bản vào lưu trữ.", "restore": "Đã khôi phục văn bản."}
    flash(messages.get(form.action.data, "Đã thực hiện."), "success")
    return redirect_to("plans.document_detail", document_id=doc.id)


def _editable(document_id: int, refusal: str):
    """The document, and the page refusing the change (403) unless it may be edited; the token is checked."""
    doc = _load(document_id)
    if not access.can(current_user, "edit", doc):
        return doc, (render_template("plans/detail.html", **_detail_context(doc, error=refusal)), 403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return doc, None


@bp.route("/van-ban/<int:document_id>/tep", methods=["POST"])
@requires("plans.edit")
def document_upload(document_id: int):
    doc, refused = _editable(document_id,
                             "Chỉ đơn vị ban hành được đính kèm tệp, khi văn bản còn là nháp hoặc bị trả lại.")
    if refused:
        return refused
    uploads = [f for f in request.files.getlist("file") if f and f.filename]
    if not uploads:
        return render_template("plans/detail.html", **_detail_context(doc, error="Chưa chọn tệp.")), 422
    stored = []
    try:
        for upload in uploads:
            stored.append(files.store(upload, owner_type=OWNER_TYPE, owner_id=doc.id, unit_id=doc.unit_id,
                                      actor=current_user))
    except files.UploadError as exc:
        db.session.rollback()
        for att in stored:
            files.delete(att.stored_name)
        doc = _load(document_id)
        return render_template("plans/detail.html", **_detail_context(
            doc, error=exc.message + " Không tệp nào được lưu; vui lòng chọn lại.")), 422
    flash("Đã lưu " + ", ".join(f"«{a.filename}» ({a.size:,} byte)".replace(",", ".") for a in stored) + ".",
          "success")
    return redirect_to("plans.document_detail", document_id=doc.id)


@bp.route("/van-ban/<int:document_id>/tep/xoa", methods=["POST"])
@requires("plans.edit")
def document_attachment_remove(document_id: int):
    doc, refused = _editable(document_id, "Chỉ đơn vị ban hành gỡ được tệp, khi văn bản còn là nháp hoặc bị trả lại.")
    if refused:
        return refused
    raw = request.form.get("attachment_id", "")
    attachment_id = int_or_none(raw)
    att = db.session.get(files.Attachment, attachment_id) if attachment_id else None
    if att is None or att.owner_type != OWNER_TYPE or att.owner_id != doc.id or att.archived_at is not None:
        return render_template("plans/detail.html", **_detail_context(doc, error="Không tìm thấy tệp.")), 404
    from danvan.core.vntext import now_utc

    att.archived_at = now_utc()
    flash(f"Đã gỡ tệp «{att.filename}».", "success")
    return redirect_to("plans.document_detail", document_id=doc.id)


def _print_context(doc: PlanDocument) -> dict:
    from flask import current_app

    unit = doc.unit
    superior = unit.parent.name.upper() if unit.parent is not None else ""
    return {"doc": doc, "superior": superior, "issuer": unit.name.upper(),
            "place": current_app.config.get("PROVINCE_PLACE", ""), "date_line": date_line,
            "authority": (f"{doc.signer_mode} {doc.signer_authority}".strip() if doc.signer_mode else
                          doc.signer_authority).upper()}


@bp.route("/van-ban/<int:document_id>/in")
@requires("plans.view")
def document_print(document_id: int):
    doc = _load(document_id)
    return render_template("plans/print.html", **_print_context(doc))


@bp.route("/van-ban/<int:document_id>/pdf")
@requires("plans.view")
def document_pdf(document_id: int):
    from danvan.printing import pdf_response

    doc = _load(document_id)
    data, state = issued.pdf(doc)
    response = pdf_response(data, f"{doc.type_code}-{doc.number or 'du-thao'}-{doc.id}.pdf")
    response.headers["X-Document-State"] = state     # a draft rendered now, or the approved number's bytes
    return response


@bp.route("/van-ban/<int:document_id>/word")
@requires("plans.view")
def document_docx(document_id: int):
    from danvan.printing import file_response
    from danvan.printing.office import DOCX_MIME

    doc = _load(document_id)
    data, state = issued.docx(doc)
    response = file_response(data, f"{doc.type_code}-{doc.number or 'du-thao'}-{doc.id}.docx", DOCX_MIME)
    response.headers["X-Document-State"] = state
    return response
