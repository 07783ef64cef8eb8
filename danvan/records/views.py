"""An issued number serves its stored bytes; the signed copy is uploaded and served here.

Visibility is the owner's (the feature registers it with core.records.register_owner): a record
the user may not read answers 404 like any object out of scope.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField

from danvan.core import access, records
from danvan.core.access import requires
from danvan.core.files import UploadError
from danvan.core.forms import add_error
from danvan.core.htmx import redirect_to
from danvan.extensions import db
from danvan.printing import file_response, pdf_response

bp = Blueprint("records", __name__, url_prefix="/van-ban-ban-hanh")


class SignedCopyForm(FlaskForm):
    file = FileField("Bản đã ký, đóng dấu (PDF hoặc JPG, tối đa 20 MB)")


def _load(issued_record_id: int) -> records.IssuedRecord:
    record = db.session.get(records.IssuedRecord, issued_record_id)
    if record is None or not access.can(current_user, "view", record):
        abort(404)
    return record


def _stamp(response, record: records.IssuedRecord, copy: str):
    # The download says what it is: the stored issue of this number, or its signed scan.
    response.headers["X-Document-State"] = f"{record.state}; {copy}"
    return response


@bp.route("/<int:issued_record_id>")
@requires("files.download")
def detail(issued_record_id: int):
    record = _load(issued_record_id)
    return _page(record, SignedCopyForm())


def _page(record, form, status: int = 200):
    return render_template("records/detail.html", record=record, form=form,
                           can_sign=access.can(current_user, "sign", record)), status


@bp.route("/<int:issued_record_id>/tai-ban-ky", methods=["POST"])
@requires("records.sign")
def upload_signed(issued_record_id: int):
    record = _load(issued_record_id)
    access.authorize(current_user, "sign", record)
    form = SignedCopyForm()
    if form.validate_on_submit():
        try:
            records.attach_signed(record, request.files.get("file"), actor=current_user)
        except UploadError as exc:
            add_error(form, "file", exc.message)
        else:
            flash(f"Đã lưu bản ký của văn bản số {record.number_text}.", "success")
            return redirect_to("records.detail", issued_record_id=record.id)
    return _page(record, form, 422)


@bp.route("/<int:issued_record_id>/ban-luu.pdf")
@requires("files.download")
def issued_pdf(issued_record_id: int):
    record = _load(issued_record_id)
    return _stamp(pdf_response(records.pdf_bytes(record), f"{record.slug}.pdf"), record, "issued-pdf")


@bp.route("/<int:issued_record_id>/ban-luu.docx")
@requires("files.download")
def issued_docx(issued_record_id: int):
    record = _load(issued_record_id)
    data = records.docx_bytes(record)
    if data is None:
        abort(404)
    return _stamp(file_response(data, f"{record.slug}.docx", record.docx.mimetype), record, "issued-docx")


@bp.route("/<int:issued_record_id>/ban-ky")
@requires("files.download")
def signed_copy(issued_record_id: int):
    record = _load(issued_record_id)
    if record.signed is None:
        abort(404)
    name = f"{record.slug}-ban-ky.{record.signed.kind}"
    return _stamp(file_response(records.read(record.signed), name, record.signed.mimetype,
                                inline=True), record, "signed-copy")
