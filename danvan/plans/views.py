"""Documents (kế hoạch, báo cáo…), calls for submissions and their tracking pages."""
from __future__ import annotations

import io
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, flash, render_template, request, send_file
from flask_login import current_user

from danvan.core import access, files, nav, panels, workflow
from danvan.core.access import requires
from danvan.core.forms import ConfirmForm
from danvan.core.htmx import redirect_to, render_page_or_partial
from danvan.core.models import StaleEdit
from danvan.core.pagination import paginate
from danvan.core.units import Unit, register_open_work_mover, scope_root
from danvan.core.vntext import date_line, fmt_date, matches, today_local
from danvan.core.workflow import TransitionError
from danvan.extensions import db
from danvan.plans import calls as calls_service
from danvan.plans import documents as service
from danvan.plans.forms import (
    DEFAULT_SECTIONS,
    CallForm,
    DelegationForm,
    DocumentFilterForm,
    DocumentForm,
    ExtendForm,
    TransitionForm,
)
from danvan.plans.models import STATES, PlanCall, PlanDelegation, PlanDocument

bp = Blueprint("plans", __name__, cli_group=None)
nav.register("Văn bản", "plans.index", "plans.view", 20)
nav.register("Yêu cầu nộp", "plans.calls", "plans.view", 21)
nav.register("Ủy quyền duyệt", "plans.delegations", "plans.approve", 70, group="admin")
calls_service.register_object_link("PlanDocument", "plans.document_detail", "document_id")
register_open_work_mover("Văn bản chưa duyệt, yêu cầu nộp đang mở", service.move_open_work)
OWNER_TYPE = "PlanDocument"


# documents: list ----------------------------------------------------------------------

def _documents_query(user, filters: DocumentFilterForm) -> sa.Select:
    loc = filters.loc.data or ""
    if loc == "cho_duyet":
        stmt = service.waiting_for(user)
    elif loc == "nhap":
        stmt = service.my_drafts(user)
    else:
        stmt = sa.select(PlanDocument)
    stmt = access.scoped(stmt, PlanDocument.unit_id, user)
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

def _open_calls() -> dict[int, PlanCall]:
    return {c.id: c for c in calls_service.open_calls_for_unit(current_user.unit, kind="document")}


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
    form = DocumentForm()
    if request.method == "GET":
        form.year.data = today_local().year
        for entry, heading in zip(form.sections, DEFAULT_SECTIONS):
            entry.form.heading.data = heading
        form.recipients.data = "Như trên,\nLưu Văn phòng"
        form.signer_name.data = ""
        wanted = request.args.get("call_id", "")
        if wanted.isdigit() and int(wanted) in calls_by_id:
            call = calls_by_id[int(wanted)]
            form.call_id.data = wanted
            form.type_code.data = call.type_code or form.type_code.data
            form.summary.data = call.title
    _prepare(form, calls_by_id)
    if form.validate_on_submit():
        try:
            doc = service.create_document(current_user.unit, form.data_dict(calls_by_id), actor=current_user)
        except service.DocumentError as exc:
            getattr(form, exc.field or "summary", form.summary).errors.append(exc.message)
            return _render_form(form, None, exc.status)
        flash("Đã lưu bản nháp.", "success")
        return redirect_to("plans.document_detail", document_id=doc.id)
    return _render_form(form, None, 422 if request.method == "POST" else 200)


def _load(document_id: int) -> PlanDocument:
    return access.get_scoped_or_404(PlanDocument, document_id, current_user)


@bp.route("/van-ban/<int:document_id>/sua", methods=["GET", "POST"])
@requires("plans.edit")
def document_edit(document_id: int):
    doc = _load(document_id)
    if doc.unit_id != current_user.unit_id or doc.state not in service.EDITABLE:
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
    if form.validate_on_submit():
        data = form.data_dict(calls_by_id)
        if (data["call"].id if data["call"] else None) != doc.call_id:
            form.call_id.errors.append("Không đổi được yêu cầu mà văn bản trả lời; hãy tạo văn bản mới.")
            return _render_form(form, doc, 422)
        try:
            service.update_document(doc, data, actor=current_user, version=form.version.data)
        except StaleEdit as exc:
            flash(exc.message, "danger")
            return _render_form(form, doc, 409)
        except service.DocumentError as exc:
            getattr(form, exc.field or "summary", form.summary).errors.append(exc.message)
            return _render_form(form, doc, exc.status)
        flash("Đã lưu văn bản.", "success")
        return redirect_to("plans.document_detail", document_id=doc.id)
    return _render_form(form, doc, 422 if request.method == "POST" else 200)


# documents: detail, workflow, attachments -------------------------------------------

def _pdf_enabled() -> bool:
    try:
        from danvan.printing import render_pdf  # noqa: F401
    except ImportError:
        return False
    return True


def _detail_context(doc: PlanDocument, *, transition_form=None, error=None) -> dict:
    rows = workflow.history(doc)
    spent = workflow.time_in_states(rows)
    return {
        "doc": doc, "history": rows, "spent": spent,
        "transitions": service.available(doc, current_user),
        "transition_form": transition_form or TransitionForm(formdata=None),
        "attachments": files.attachments_of(OWNER_TYPE, [doc.id])[doc.id],
        "confirm_form": ConfirmForm(formdata=None), "error": error,
        "can_edit": doc.unit_id == current_user.unit_id and doc.state in service.EDITABLE
        and access.has_permission(current_user, "plans.edit"),
        "problems": service.problems(doc) if doc.state in service.EDITABLE else [],
        "workflow": service.WORKFLOW, "labels": {t.name: t.label for t in service.WORKFLOW.transitions},
        "pdf_enabled": _pdf_enabled(),
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


@bp.route("/van-ban/<int:document_id>/tep", methods=["POST"])
@requires("plans.edit")
def document_upload(document_id: int):
    doc = _load(document_id)
    if doc.unit_id != current_user.unit_id or doc.state not in service.EDITABLE:
        return render_template("plans/detail.html", **_detail_context(
            doc, error="Chỉ đơn vị ban hành được đính kèm tệp, khi văn bản còn là nháp hoặc bị trả lại.")), 403
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
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
            att.path.unlink(missing_ok=True)
        doc = _load(document_id)
        return render_template("plans/detail.html", **_detail_context(
            doc, error=exc.message + " Không tệp nào được lưu; vui lòng chọn lại.")), 422
    flash("Đã lưu " + ", ".join(f"«{a.filename}» ({a.size:,} byte)".replace(",", ".") for a in stored) + ".",
          "success")
    return redirect_to("plans.document_detail", document_id=doc.id)


@bp.route("/van-ban/<int:document_id>/tep/xoa", methods=["POST"])
@requires("plans.edit")
def document_attachment_remove(document_id: int):
    doc = _load(document_id)
    if doc.unit_id != current_user.unit_id or doc.state not in service.EDITABLE:
        return render_template("plans/detail.html", **_detail_context(
            doc, error="Chỉ đơn vị ban hành gỡ được tệp, khi văn bản còn là nháp hoặc bị trả lại.")), 403
    raw = request.form.get("attachment_id", "")
    att = db.session.get(files.Attachment, int(raw)) if raw.isdigit() else None
    if att is None or att.owner_type != OWNER_TYPE or att.owner_id != doc.id or att.archived_at is not None:
        return render_template("plans/detail.html", **_detail_context(doc, error="Không tìm thấy tệp.")), 404
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
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
    from danvan.printing import pdf_response, render_pdf

    doc = _load(document_id)
    ctx = _print_context(doc)
    data = {
        "number_text": doc.number_text, "issued_on": doc.issued_on, "type_code": doc.type_code,
        "issuer_code": doc.unit.code or "", "kind": doc.type_label.upper(), "summary": doc.summary,
        "period": doc.period, "sections": doc.sections, "signer_title": doc.signer_title.upper(),
        "signer_name": doc.signer_name, "signed": doc.state == "approved",
        "recipients": [line.rstrip(",.;") for line in doc.recipient_lines],
    }
    pdf = render_pdf("print/plan_document.html", doc=data, superior=ctx["superior"], issuer=ctx["issuer"],
                     place=ctx["place"], authority=ctx["authority"])
    name = f"{doc.type_code}-{doc.number or 'du-thao'}-{doc.id}.pdf"
    return pdf_response(pdf, name)


# calls --------------------------------------------------------------------------------

def _load_call(call_id: int) -> tuple[PlanCall, bool]:
    """(call, issuer_side): in my scope (I see tracking) or targeting my committee; else 404."""
    call = db.session.get(PlanCall, call_id)
    if call is None:
        abort(404)
    if access.in_scope(current_user, call.unit):
        return call, True
    if calls_service.target_for(call, current_user.unit) is not None:
        return call, False
    abort(404)


@bp.route("/yeu-cau/")
@requires("plans.view")
def calls():
    tab = request.args.get("tab", "")
    loc = request.args.get("loc", "")
    today = today_local()
    mine = calls_service.my_calls(current_user)   # [(call, row)] for my committee
    if loc == "sap_han":
        mine = [(c, r) for c, r in mine if r.missing and today <= r.deadline <= today + timedelta(days=7)]
    elif loc == "qua_han":
        mine = [(c, r) for c, r in mine if r.missing and r.deadline < today]
    closed = tab == "da_dong"
    issued_stmt = access.scoped(
        sa.select(PlanCall).where(PlanCall.archived_at.is_not(None) if closed else PlanCall.archived_at.is_(None)),
        PlanCall.unit_id, current_user).order_by(PlanCall.deadline.desc(), PlanCall.id.desc())
    if (found := matches(request.args.get("q"), PlanCall.search_key)) is not None:
        issued_stmt = issued_stmt.where(found)
    page = paginate(issued_stmt)
    counts = calls_service.summaries(page.items)
    return render_page_or_partial("plans/calls.html", "plans/_call_rows.html", page=page, counts=counts,
                                  mine=mine, tab=tab, loc=loc, today=today, closed=closed)


def _target_choices() -> list[tuple[int, str]]:
    root = current_user.scope
    units = db.session.scalars(calls_service.allowed_targets(current_user.unit))
    return [(u.id, f"{'— ' * max(0, u.depth - root.depth - 1)}{u.name}") for u in units]


@bp.route("/yeu-cau/moi", methods=["GET", "POST"])
@requires("calls.manage")
def call_new():
    form = CallForm()
    form.kind.choices = list(calls_service.KINDS.items())
    form.targets.choices = _target_choices()
    if form.validate_on_submit():
        root = current_user.scope
        allowed = list(db.session.scalars(calls_service.allowed_targets(current_user.unit)))
        if form.target_mode.data == "reporting":
            targets = [u for u in allowed if u.parent_id == root.id]
        elif form.target_mode.data == "communes":
            targets = [u for u in allowed if u.kind == "xa"]
        else:
            wanted = set(form.targets.data or [])
            targets = list(db.session.scalars(sa.select(Unit).where(Unit.id.in_(wanted)))) if wanted else []
        data = {"title": form.title.data, "kind": form.kind.data, "type_code": form.type_code.data,
                "deadline": form.deadline.date, "description": form.description.data}
        try:
            call = calls_service.create_call(current_user.unit, data, targets, actor=current_user)
        except calls_service.CallError as exc:
            getattr(form, exc.field or "title", form.title).errors.append(exc.message)
            return render_template("plans/call_form.html", form=form), exc.status
        flash(f"Đã gửi yêu cầu tới {len(call.targets)} đơn vị.", "success")
        return redirect_to("plans.call_detail", call_id=call.id)
    return render_template("plans/call_form.html", form=form), 422 if request.method == "POST" else 200


STATUS_FILTERS = [("", "Tất cả"), ("missing", "Chưa nộp"), ("submitted", "Đã nộp"), ("late", "Nộp muộn"),
                  ("returned", "Bị trả lại"), ("approved", "Đã duyệt")]


def _call_context(call: PlanCall, issuer_side: bool, **extra) -> dict:
    archived = call.archived_at is not None
    ctx = {"call": call, "issuer_side": issuer_side, "status_filters": STATUS_FILTERS,
           "status": request.args.get("trang_thai", ""), "confirm_form": ConfirmForm(formdata=None),
           "extend_form": ExtendForm(formdata=None), "today": today_local(), "archived": archived,
           "can_manage": issuer_side and not archived and access.has_permission(current_user, "calls.manage"),
           "can_archive": issuer_side and not archived and access.has_permission(current_user, "calls.manage")
           and calls_service.issuing_committee(current_user, call),
           "can_restore": issuer_side and archived and access.has_permission(current_user, "plans.restore"),
           **extra}
    if issuer_side:
        t = calls_service.tracking(call)
        ctx.update(tracking=t, rows=t.filtered(ctx["status"]))
    else:
        ctx["mine"] = calls_service.my_target_status(current_user, [call.id]).get(call.id)
    return ctx


@bp.route("/yeu-cau/<int:call_id>")
@requires("plans.view")
def call_detail(call_id: int):
    call, issuer_side = _load_call(call_id)
    return render_page_or_partial("plans/call_detail.html", "plans/_tracking.html",
                                  **_call_context(call, issuer_side))


@bp.route("/yeu-cau/<int:call_id>/xlsx")
@requires("plans.view")
def call_export(call_id: int):
    call, issuer_side = _load_call(call_id)
    if not issuer_side:
        abort(404)
    from danvan.printing import office

    t = calls_service.tracking(call)
    rows = [[i, row.unit.name, row.deadline, row.status_label,
             row.submitted_at.astimezone(calls_service.TZ).replace(tzinfo=None) if row.submitted_at else None,
             row.days_late or None]
            for i, row in enumerate(t.filtered(request.args.get("trang_thai", "")), start=1)]
    columns = [("STT", 6), ("Đơn vị", 40), ("Hạn nộp", 12), ("Trạng thái", 18), ("Ngày nộp", 18), ("Số ngày muộn", 12)]
    buf = io.BytesIO(office.xlsx_table(call.title, columns, rows, subtitle=t.summary, sheet="Theo dõi"))
    return send_file(buf, mimetype=office.XLSX_MIME,
                     as_attachment=True, download_name=f"theo-doi-yeu-cau-{call.id}.xlsx", max_age=0)


@bp.route("/yeu-cau/<int:call_id>/nhac", methods=["POST"])
@requires("calls.manage")
def call_remind(call_id: int):
    call, issuer_side = _load_call(call_id)
    if not issuer_side:
        abort(404)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if call.archived_at is not None:
        return _closed(call)
    sent = calls_service.remind_missing(call, actor=current_user)
    if sent:
        flash(f"Đã nhắc {sent} đơn vị chưa nộp.", "success")
    else:
        flash("Không có đơn vị nào cần nhắc (các đơn vị chưa nộp đã được nhắc hôm nay).", "info")
    return redirect_to("plans.call_detail", call_id=call.id)


@bp.route("/yeu-cau/<int:call_id>/gia-han", methods=["POST"])
@requires("calls.manage")
def call_extend(call_id: int):
    call, issuer_side = _load_call(call_id)
    if not issuer_side:
        abort(404)
    form = ExtendForm()
    if call.archived_at is not None:
        return _closed(call)
    if not form.validate_on_submit():
        msg = " ".join(e for errs in form.errors.values() for e in errs)
        return render_page_or_partial("plans/call_detail.html", "plans/_tracking.html", status_code=422,
                                      **_call_context(call, True, error=msg or "Dữ liệu không hợp lệ."))
    unit = db.session.get(Unit, form.unit_id.data)
    try:
        if unit is None:
            raise calls_service.CallError("Đơn vị không nằm trong danh sách nhận yêu cầu.", "unit_id", 404)
        calls_service.extend_deadline(call, unit, form.extended_until.date, actor=current_user)
    except calls_service.CallError as exc:
        return render_page_or_partial("plans/call_detail.html", "plans/_tracking.html", status_code=exc.status,
                                      **_call_context(call, True, error=exc.message))
    flash(f"Đã gia hạn cho {unit.name}." if form.extended_until.date else f"Đã bỏ gia hạn của {unit.name}.",
          "success")
    return redirect_to("plans.call_detail", call_id=call.id)


CLOSED = "Yêu cầu này đã đóng: chỉ xem, không thao tác được."


def _closed(call: PlanCall, status: int = 409):
    return render_page_or_partial("plans/call_detail.html", "plans/_tracking.html", status_code=status,
                                  **_call_context(call, True, error=CLOSED))


@bp.route("/yeu-cau/<int:call_id>/dong", methods=["POST"])
@requires("calls.manage")
def call_archive(call_id: int):
    """Close (archive) a call: only the issuing committee's officers and leaders."""
    call, issuer_side = _load_call(call_id)
    if not issuer_side:
        abort(404)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if not calls_service.issuing_committee(current_user, call):
        return render_page_or_partial(
            "plans/call_detail.html", "plans/_tracking.html", status_code=403, **_call_context(
                call, True, error="Chỉ đơn vị đã gửi yêu cầu mới đóng được yêu cầu này."))
    try:
        calls_service.archive_call(call, actor=current_user)
    except calls_service.CallError as exc:
        return _closed(call, exc.status)
    flash(f"Đã đóng yêu cầu «{call.title}». Các đơn vị nhận không còn thấy yêu cầu trong danh sách phải nộp.",
          "success")
    return redirect_to("plans.call_detail", call_id=call.id)


@bp.route("/yeu-cau/<int:call_id>/khoi-phuc", methods=["POST"])
@requires("plans.restore")
def call_restore(call_id: int):
    """Reopen a closed call (administrators, as for archived documents)."""
    call, issuer_side = _load_call(call_id)
    if not issuer_side:
        abort(404)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        calls_service.restore_call(call, actor=current_user)
    except calls_service.CallError as exc:
        return render_page_or_partial("plans/call_detail.html", "plans/_tracking.html", status_code=exc.status,
                                      **_call_context(call, True, error=exc.message))
    flash(f"Đã khôi phục yêu cầu «{call.title}».", "success")
    return redirect_to("plans.call_detail", call_id=call.id)


# delegation ---------------------------------------------------------------------------

def _delegation_form() -> DelegationForm:
    form = DelegationForm()
    from danvan.auth.models import User

    root = scope_root(current_user.unit)
    same = sa.select(Unit.id).where(sa.or_(Unit.id == root.id, sa.and_(Unit.parent_id == root.id,
                                                                        Unit.kind == "ban")))
    users = db.session.scalars(sa.select(User).where(User.unit_id.in_(same), User.active.is_(True),
                                                     User.id != current_user.id).order_by(User.full_name))
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
            service.delegate(current_user, user, form.starts_on.date, form.ends_on.date, actor=current_user)
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
    return render_template("plans/delegations.html", form=form, rows=rows, today=today_local(),
                           confirm_form=ConfirmForm(formdata=None)), status


@bp.route("/uy-quyen/<int:delegation_id>/huy", methods=["POST"])
@requires("plans.approve")
def delegation_revoke(delegation_id: int):
    row = access.get_scoped_or_404(PlanDelegation, delegation_id, current_user)
    if row.delegator_id != current_user.id:
        flash("Chỉ người ủy quyền mới hủy được.", "warning")
        return redirect_to("plans.delegations")
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    service.revoke_delegation(row, actor=current_user)
    flash("Đã hủy ủy quyền.", "success")
    return redirect_to("plans.delegations")


# dashboard ------------------------------------------------------------------------------

def _panel(user) -> dict:
    if not access.has_permission(user, "plans.view"):
        return {}
    today = today_local()
    drafts = db.session.scalar(sa.select(sa.func.count()).select_from(service.my_drafts(user).subquery())) \
        if access.has_permission(user, "plans.edit") else 0
    waiting = db.session.scalar(sa.select(sa.func.count()).select_from(service.waiting_for(user).subquery()))
    mine = calls_service.my_calls(user)
    soon = [(c, r) for c, r in mine if r.missing and today <= r.deadline <= today + timedelta(days=7)]
    overdue = [(c, r) for c, r in mine if r.missing and r.deadline < today]
    pending = sum(1 for _, r in mine if r.missing)
    return {"drafts": drafts or 0, "waiting": waiting or 0, "soon": soon, "overdue": overdue, "today": today,
            "pending": pending,
            "can_edit": access.has_permission(user, "plans.edit")}


panels.register("plans", "plans/_panel.html", _panel, order=10)




def _days_left(d: date) -> int:
    return (d - today_local()).days


bp.add_app_template_filter(_days_left, "days_left")


@bp.cli.command("send-reminders")
def send_reminders_command() -> None:
    """Nhắc hạn nộp: 3 ngày trước hạn và khi quá hạn (mỗi đơn vị, mỗi yêu cầu một lần)."""
    import click

    sent = calls_service.send_reminders()
    db.session.commit()
    click.echo(f"Đã gửi {sent} lời nhắc.")
