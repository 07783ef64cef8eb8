"""Excel: export the list, the import template, import with a preview to confirm."""
from __future__ import annotations

import secrets
import time
from pathlib import Path

from flask import current_app, flash, render_template, request, send_file, session
from flask_login import current_user

from danvan.core.access import requires
from danvan.core.htmx import redirect_to
from danvan.initiatives import excel, search
from danvan.initiatives.forms import ImportForm
from danvan.initiatives.views.common import XLSX, bp


def _bytes_io(data):
    import io

    return io.BytesIO(data if isinstance(data, bytes) else data.getvalue())


@bp.route("/xuat-excel")
@requires("initiatives.view")
def export():
    filters = search.parse_filters(request.args)
    data = excel.export(search.list_stmt(current_user, filters))
    return send_file(_bytes_io(data), mimetype=XLSX, as_attachment=True,
                     download_name=f"dan-van-kheo-{filters.year or 'tat-ca'}.xlsx")


@bp.route("/mau-excel")
@requires("initiatives.view")
def template():
    return send_file(_bytes_io(excel.template(current_user)), mimetype=XLSX, as_attachment=True,
                     download_name="mau-dang-ky-dan-van-kheo.xlsx")


def _import_dir() -> Path:
    """Previews waiting for confirmation; files older than a day are removed."""
    path = Path(current_app.instance_path) / "initiative-imports"
    path.mkdir(parents=True, exist_ok=True)
    stale = time.time() - 86400
    for old in path.iterdir():
        if old.is_file() and old.stat().st_mtime < stale:
            old.unlink(missing_ok=True)
    return path


@bp.route("/nhap-excel", methods=["GET", "POST"])
@requires("initiatives.edit")
def import_excel():
    form = ImportForm()
    if request.method == "GET":
        return render_template("initiatives/import.html", form=form, result=None, token=None)
    if not form.validate_on_submit():
        return render_template("initiatives/import.html", form=form, result=None, token=None), 422
    token = form.token.data or ""
    if token:   # confirm the preview: parse the stored file again and save
        if token != session.get("initiative_import") or not token.isalnum():
            flash("Bản xem trước đã hết hạn; hãy tải tệp lên lại.", "danger")
            return render_template("initiatives/import.html", form=form, result=None, token=None), 409
        path = _import_dir() / token
        if not path.is_file():
            flash("Bản xem trước đã hết hạn; hãy tải tệp lên lại.", "danger")
            return render_template("initiatives/import.html", form=form, result=None, token=None), 409
        result = excel.parse(path.read_bytes(), current_user)
        if not result.ok:
            return render_template("initiatives/import.html", form=form, result=result, token=None), 422
        created = excel.save(result, current_user)
        path.unlink(missing_ok=True)
        session.pop("initiative_import", None)
        flash(f"Đã nhập {len(created)} đăng ký ở trạng thái Nháp. Kiểm tra rồi bấm «Gửi tất cả bản nháp».",
              "success")
        return redirect_to("initiatives.index", year=created[0].year, state="draft")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        form.file.errors = ["Chọn tệp Excel (.xlsx) để nhập."]
        return render_template("initiatives/import.html", form=form, result=None, token=None), 422
    data = upload.stream.read(excel.MAX_BYTES + 1)
    result = excel.parse(data, current_user)
    if not result.ok:
        return render_template("initiatives/import.html", form=form, result=result, token=None), 422
    token = secrets.token_hex(16)
    (_import_dir() / token).write_bytes(data)
    session["initiative_import"] = token
    return render_template("initiatives/import.html", form=form, result=result, token=token)
