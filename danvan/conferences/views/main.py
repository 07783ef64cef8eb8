"""The conference itself: list, create, edit, archive, page, conclusion, numbers and documents."""
from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from danvan.core import signers
from danvan.core.access import requires
from danvan.core.files import UploadError
from danvan.core.forms import ConfirmForm, add_error
from danvan.core.formviews import start_job
from danvan.core.htmx import redirect_to, render_page_or_partial
from danvan.core.models import StaleEdit
from danvan.core.pagination import paginate
from danvan.core.signers import SignerError
from danvan.core.units import Unit, subtree, tree_choices
from danvan.core.vntext import to_local
from danvan.extensions import db
from danvan.printing import file_response, pdf_response
from danvan.printing.office import DOCX_MIME, XLSX_MIME

from .. import documents, issued, service
from .. import jobs as conference_jobs
from ..forms import ConclusionForm, ConferenceForm, SignerForm
from ..models import DOCUMENTS
from ..service import ConferenceError
from .page import bp, detail_context, load_managed_or_404, prefix, stated


def _organiser_units() -> list[tuple[int, str]]:
    root = current_user.scope
    return tree_choices(u for u in db.session.scalars(subtree(root)) if u.code and u.kind != "thon")


def _form_data(form) -> dict:
    return {name: f.data for name, f in form._fields.items()}


@bp.route("/")
@requires("conferences.view")
def index():
    q = request.args.get("q", "")
    page = paginate(service.search(current_user, q))
    ctx = dict(page=page, q=q, invitations=service.invitations_for(current_user),
               contributions=service.contributions_for(current_user),
               participating=service.participating(current_user))
    return render_page_or_partial("conferences/index.html", "conferences/_rows.html", **ctx)


@bp.route("/moi", methods=["GET", "POST"])
@requires("conferences.edit")
def new():
    form = ConferenceForm()
    form.unit_id.choices = _organiser_units()
    if request.method == "GET":
        form.unit_id.data = current_user.unit_id
        # the issuing unit's leader signs, not the officer who drafts
        signer = signers.default_signer(current_user.unit)
        form.signer_authority.data = signer["signer_authority"]
        form.signer_title.data, form.signer_name.data = signer["signer_title"], signer["signer_name"]
        form.recipients.data = "\n".join(signer["recipients"])
    if form.validate_on_submit():
        unit = db.session.get(Unit, form.unit_id.data or 0)
        try:
            conf = service.create(unit, _form_data(form), actor=current_user) if unit else None
            if conf is None:
                raise ConferenceError("Chọn đơn vị tổ chức.", "unit_id")
        except ConferenceError as exc:
            add_error(form, exc.field, exc.message)
        else:
            flash("Đã tạo hội nghị.", "success")
            return redirect_to("conferences.detail", conference_id=conf.id)
    status = 422 if request.method == "POST" else 200
    return render_template("conferences/form.html", form=form, conf=None), status


@bp.route("/<int:conference_id>/sua", methods=["GET", "POST"])
@requires("conferences.edit")
def edit(conference_id: int):
    conf = load_managed_or_404(conference_id)
    form = ConferenceForm(obj=conf)
    form.unit_id.choices = [(conf.unit_id, conf.unit.name)]
    status = 200
    if request.method == "GET":
        start, end = to_local(conf.starts_at), to_local(conf.ends_at)
        form.day.data, form.start.data = start.date(), start.time().replace(tzinfo=None)
        form.end_day.data, form.end.data = end.date(), end.time().replace(tzinfo=None)
        form.version.data = conf.version
    elif form.validate_on_submit():
        try:
            service.update(conf, _form_data(form), actor=current_user)
        except ConferenceError as exc:
            add_error(form, exc.field, exc.message)
        except StaleEdit as exc:
            flash(exc.message, "danger")
            status = 409
        else:
            flash("Đã lưu hội nghị.", "success")
            return redirect_to("conferences.detail", conference_id=conf.id)
    if request.method == "POST" and status == 200:
        status = 422
    return render_template("conferences/form.html", form=form, conf=conf), status


@bp.route("/<int:conference_id>/luu-tru", methods=["POST"])
@requires("conferences.edit")
def archive(conference_id: int):
    conf = load_managed_or_404(conference_id)
    service.archive(conf, actor=current_user)
    flash(f"Đã lưu trữ hội nghị «{conf.title}».", "success")
    return redirect_to("conferences.index")


@bp.route("/<int:conference_id>")
@requires("conferences.view")
def detail(conference_id: int):
    conf, is_organiser = service.load_conference_for_reader_or_404(conference_id, current_user)
    return render_template("conferences/detail.html", **detail_context(conf, is_organiser))


@bp.route("/<int:conference_id>/ket-luan", methods=["POST"])
@requires("conferences.edit")
def conclude(conference_id: int):
    conf = load_managed_or_404(conference_id)
    form = ConclusionForm()
    # flashed, not on the field: before the meeting the page shows no conclusion form
    return _page_form(conf, form, lambda: service.conclude(conf, form.conclusion.data, actor=current_user),
                      "Đã ghi kết luận hội nghị.", "conclusion", lambda: {"conclusion_form": form}, on_field=False)


def _page_form(conf, form, save: Callable[[], object], message: str, anchor: str, page: Callable[[], dict], *,
               errors: tuple[type[Exception], ...] = (ConferenceError,), on_field: bool = True) -> ResponseReturnValue:
    """A form inside the conference page: accepted, back to its section; else the page again (422)
    with the forms `page()` gives and the refusal on its field (or flashed)."""
    if form.validate_on_submit():
        try:
            save()
        except errors as exc:
            add_error(form, exc.field if on_field else None, exc.message)  # type: ignore[attr-defined]
        else:
            flash(message, "success")
            return redirect_to("conferences.detail", conference_id=conf.id, _anchor=anchor)
    return render_template("conferences/detail.html", **detail_context(conf, **page())), 422


@bp.route("/<int:conference_id>/ban-hanh/<conference_doc>", methods=["POST"])
@requires("conferences.edit")
def issue(conference_id: int, conference_doc: str):
    return _issued_step(conference_id, conference_doc, issued.issue, lambda record: (
        f"Đã cấp số {record.number_text} cho {DOCUMENTS[record.doc_key][0].lower()}; "
        "bản PDF và Word đã được lưu, số này luôn in đúng bản đã ban hành."))


@bp.route("/<int:conference_id>/thay-the/<conference_doc>", methods=["POST"])
@requires("conferences.edit")
def replace(conference_id: int, conference_doc: str):
    return _issued_step(conference_id, conference_doc, issued.replace, lambda record: (
        f"Đã ban hành văn bản thay thế số {record.number_text}; văn bản cũ được giữ và ghi "
        f"“đã được thay thế bởi số {record.number_text}”."))


def _issued_step(conference_id: int, conference_doc: str, step, message) -> ResponseReturnValue:
    """Issue or replace one of the conference's documents: a refusal is flashed, and either way
    the user lands back on the documents section."""
    conf = load_managed_or_404(conference_id)
    if conference_doc not in DOCUMENTS:
        abort(404)
    try:
        record = step(conf, conference_doc, actor=current_user)
    except ConferenceError as exc:
        flash(exc.message, "danger")
    else:
        flash(message(record), "success")
    return redirect_to("conferences.detail", conference_id=conf.id, _anchor="documents")


@bp.route("/<int:conference_id>/in/<conference_doc>.pdf")
@requires("conferences.print")
def document_pdf(conference_id: int, conference_doc: str):
    conf = service.load_document_for_reader_or_404(conference_id, conference_doc, current_user)
    data, state = issued.pdf(conf, conference_doc)
    return stated(pdf_response(data, f"{prefix(state)}{conference_doc}-{conf.id}.pdf"), state)


@bp.route("/<int:conference_id>/word/<conference_doc>.docx")
@requires("conferences.print")
def document_docx(conference_id: int, conference_doc: str):
    conf = service.load_document_for_reader_or_404(conference_id, conference_doc, current_user)
    data, state = issued.docx(conf, conference_doc)
    return stated(file_response(data, f"{prefix(state)}{conference_doc}-{conf.id}.docx", DOCX_MIME), state)


@bp.route("/<int:conference_id>/bo-tai-lieu.pdf", methods=["POST"])
@requires("conferences.print")
def packet_pdf(conference_id: int):
    """Dozens of pages and bound-in files: a background job with a progress panel."""
    conf = service.load_conference_or_404(conference_id, current_user)
    return start_job(lambda: conference_jobs.submit_packet(current_user, conf))


@bp.route("/<int:conference_id>/excel/<conference_list>.xlsx")
@requires("conferences.print")
def list_xlsx(conference_id: int, conference_list: str):
    conf = service.load_list_for_reader_or_404(conference_id, conference_list, current_user)
    return file_response(documents.list_xlsx(conf, conference_list), f"{conference_list}-{conf.id}.xlsx", XLSX_MIME)


@bp.route("/<int:conference_id>/nguoi-ky/<conference_doc>", methods=["POST"])
@requires("conferences.edit")
def set_signer(conference_id: int, conference_doc: str):
    """This document's own signer and Nơi nhận, until it is issued (then it is frozen)."""
    conf = load_managed_or_404(conference_id)
    if conference_doc not in DOCUMENTS or not DOCUMENTS[conference_doc][1]:
        abort(404)
    form = SignerForm(prefix=conference_doc)    # one form per document on the page: ids must differ
    return _page_form(conf, form, lambda: issued.set_signer(conf, conference_doc, form.data),
                      f"Đã lưu người ký của {DOCUMENTS[conference_doc][0].lower()}.", "documents",
                      lambda: {"signer_forms": issued.signer_forms(conf) | {conference_doc: form}},
                      errors=(ConferenceError, SignerError))


@bp.route("/<int:conference_id>/bao-cao", methods=["POST"])
@requires("conferences.edit")
def attach_report(conference_id: int):
    """The main báo cáo attached to the conference (PDF or Word); its PDF goes into the packet."""
    conf = load_managed_or_404(conference_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            attachment = documents.attach_report(conf, request.files.get("file"), actor=current_user)
        except UploadError as exc:
            flash(exc.message, "danger")
            return render_template("conferences/detail.html", **detail_context(conf)), 422
        flash(f"Đã đính kèm báo cáo «{attachment.filename}».", "success")
    return redirect_to("conferences.detail", conference_id=conf.id, _anchor="report")
