"""Excel: the import template; export and import run as background jobs (initiatives/jobs.py):
the web worker stores the upload and shows progress, it never opens the file."""
from __future__ import annotations

import io

from flask import abort, flash, render_template, request, send_file
from flask_login import current_user

from danvan.core import access, files, jobs
from danvan.core.access import requires
from danvan.core.formviews import start_job
from danvan.core.htmx import redirect_to
from danvan.extensions import db
from danvan.initiatives import excel
from danvan.initiatives import jobs as initiative_jobs
from danvan.initiatives.forms import ImportForm
from danvan.initiatives.views.common import XLSX, bp


@bp.route("/xuat-excel", methods=["POST"])
@requires("initiatives.view")
def export():
    """Any size of list: a background job; the user watches its progress, then downloads."""
    return start_job(lambda: initiative_jobs.submit_export(current_user, request.args))


@bp.route("/mau-excel")
@requires("initiatives.view")
def template():
    return send_file(io.BytesIO(excel.template(current_user)), mimetype=XLSX, as_attachment=True,
                     download_name="mau-dang-ky-dan-van-kheo.xlsx")


def _page(form: ImportForm, summary: dict | None = None, job: jobs.Job | None = None, status: int = 200):
    """The import page; the limits it states are the ones enforced here and in excel.parse."""
    return render_template("initiatives/import.html", form=form, summary=summary, job=job,
                           limits=excel.limits_text()), status


@bp.route("/nhap-excel", methods=["GET", "POST"])
@requires("initiatives.edit")
def import_excel():
    """Upload only: reading and checking the file is a background job."""
    form = ImportForm()
    if request.method == "GET":
        return _page(form)
    if not form.validate_on_submit():
        return _page(form, status=422)
    upload = request.files.get("file")
    data = upload.stream.read(excel.MAX_BYTES + 1) if upload is not None and upload.filename else None
    if not data or len(data) > excel.MAX_BYTES:
        form.file.errors = ["Chọn tệp Excel (.xlsx) để nhập." if data is None else
                            "Tệp rỗng." if not data else f"Tệp lớn hơn {excel.MAX_BYTES // (1024 * 1024)} MB."]
        return _page(form, status=422)
    job = initiative_jobs.submit_import_check(current_user, data, files.safe_filename(upload.filename))
    return redirect_to("jobs.detail", job_id=job.id)


def _import_check_or_404(job_id: int) -> jobs.Job:
    """A finished import check of the user's; any other job, or one still running, is 404."""
    job = db.session.get(jobs.Job, job_id)
    done_check = job is not None and job.kind == "initiatives.import_check" and job.state == "done"
    return access.visible_or_404(job if done_check else None, current_user)


@bp.route("/nhap-excel/<int:job_id>", methods=["GET", "POST"])
@requires("initiatives.edit")
def import_result(job_id: int):
    """The check's preview (or its problems); POST saves the checked rows, once, as a job."""
    job = _import_check_or_404(job_id)
    summary = job.result_data or {}
    if request.method == "POST":
        if not ImportForm().validate_on_submit():
            abort(400)
        if not summary.get("ok") or summary.get("confirmed"):
            flash("Bản xem trước này đã được lưu hoặc còn lỗi; hãy tải tệp lên lại.", "danger")
            return _page(ImportForm(), summary, job, 409)
        return redirect_to("jobs.detail", job_id=initiative_jobs.submit_import_save(current_user, job).id)
    status = 200 if summary.get("ok") else 422
    return _page(ImportForm(), summary, job, status)
