"""'Dân vận khéo': list and search, register, review, recognise, consolidate, Excel, configuration."""
from __future__ import annotations

import secrets
import time
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, render_template, request, send_file, session
from flask_login import current_user

from danvan.core import access, files, nav, panels, workflow
from danvan.core.access import requires
from danvan.core.htmx import redirect_to, render_page_or_partial
from danvan.core.models import StaleEdit
from danvan.core.pagination import paginate
from danvan.core.units import Unit, register_open_work_mover, register_province_setup
from danvan.core.vntext import date_line, today_local
from danvan.core.workflow import TransitionError
from danvan.extensions import db
from danvan.initiatives import excel, service
from danvan.initiatives.forms import (
    DeadlineForm,
    ImportForm,
    InitiativeForm,
    OptionForm,
    OptionToggleForm,
    RecognitionForm,
    ReportForm,
    SubmitAllForm,
    TransitionForm,
)
from danvan.initiatives.models import STATES, Initiative, InitiativeRecognition, InitiativeReport
from danvan.initiatives.service import InitiativeError

bp = Blueprint("initiatives", __name__, url_prefix="/dan-van-kheo")
nav.register("Dân vận khéo", "initiatives.index", "initiatives.view", 25)
panels.register("initiatives", "initiatives/_panel.html", service.panel_context, 30)
register_open_work_mover("Đăng ký Dân vận khéo", service.move_open_work)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
if (_calls := service._calls()) is not None:   # the call tracking page links to what answered
    _calls.register_object_link("Initiative", "initiatives.detail", "initiative_id")
    _calls.register_object_link("InitiativeReport", "initiatives.report", "initiative_report_id")


# A new province gets its default fields, kinds and criteria when it is created (not on a GET).
register_province_setup(service.ensure_config)


def _config():
    province = service.province_of(current_user.scope)
    if request.method != "GET":  # GET never writes: the first write makes the default lists
        service.ensure_config(province)
    return province


def _list_context():
    province = _config()
    filters = service.parse_filters(request.args)
    page = paginate(service.list_stmt(current_user, filters))
    return dict(page=page, filters=filters, fields=service.fields_of(province.id, active_only=False),
                kinds=service.kinds_of(province.id, active_only=False), states=STATES,
                years=service.years_in_scope(current_user), units=service.registrable_units(current_user),
                submit_all_form=SubmitAllForm(year=filters.year or today_local().year))


@bp.route("/")
@requires("initiatives.view")
def index():
    return render_page_or_partial("initiatives/index.html", "initiatives/_rows.html", **_list_context())


def _form_choices(form: InitiativeForm, province, obj: Initiative | None = None) -> None:
    form.unit_id.choices = [(u.id, u.name) for u in service.registrable_units(current_user)]
    form.kind_id.choices = [(k.id, k.name) for k in service.kinds_of(province.id)]
    form.field_id.choices = [(f.id, f.name) for f in service.fields_of(province.id)]
    unit_id = form.unit_id.data or (obj.unit_id if obj else None)
    year = form.year.data if isinstance(form.year.data, int) else None
    form.previous_id.choices = [(0, "— Không chọn —")] + [
        (o.id, f"{o.name} ({o.year})") for o in service.previous_choices(current_user, unit_id, year)]


def _save_form(form: InitiativeForm, obj: Initiative | None):
    """Validate and save; returns (object or None, status)."""
    if not form.validate_on_submit():
        return None, 422
    try:
        if obj is None:
            obj = service.create(form.data_dict(), actor=current_user)
        else:
            service.update(obj, form.data_dict(), actor=current_user)
    except InitiativeError as exc:
        target = getattr(form, exc.field, None) if exc.field else None
        if target is not None:
            target.errors = [*target.errors, exc.message]
        else:
            flash(exc.message, "danger")
        return None, exc.status
    except StaleEdit as exc:
        flash(exc.message, "danger")
        return None, 409
    return obj, 200


@bp.route("/moi", methods=["GET", "POST"])
@requires("initiatives.edit")
def new():
    province = _config()
    form = InitiativeForm()
    if request.method == "GET":
        form.year.data = service._int(request.args.get("year")) or today_local().year
        form.unit_id.data = current_user.unit_id if current_user.unit.kind in service.REGISTERING_KINDS \
            else current_user.scope.id
    _form_choices(form, province)
    status = 200
    if request.method == "POST":
        obj, status = _save_form(form, None)
        if obj is not None:
            flash(f"Đã lưu bản nháp «{obj.name}». Kiểm tra lại rồi bấm «Gửi đăng ký».", "success")
            return redirect_to("initiatives.detail", initiative_id=obj.id)
    return render_template("initiatives/form.html", form=form, obj=None,
                           organisations=service.ORGANISATIONS), status


@bp.route("/<int:initiative_id>")
@requires("initiatives.view")
def detail(initiative_id: int):
    obj = access.get_scoped_or_404(Initiative, initiative_id, current_user)
    return render_template("initiatives/detail.html", **_detail_context(obj))


def _detail_context(obj: Initiative, **extra) -> dict:
    province = service.province_of(obj.unit)
    rows = workflow.history(obj)
    return dict(
        obj=obj, history=rows, time_in_states=workflow.time_in_states(rows),
        transitions=[t for t in service.WORKFLOW.available(obj, current_user) if t.name in service.PAGE_TRANSITIONS],
        transition_form=extra.pop("transition_form", None) or TransitionForm(),
        criteria=service.criteria_of(province.id), scores=extra.pop("scores", None) or service.scores_of(obj),
        may_edit=service.may_edit(current_user, obj), may_review=service.may_review(current_user, obj),
        may_upload=access.can(current_user, "initiatives.edit", obj),
        attachments=files.attachments_of("Initiative", [obj.id])[obj.id],
        chain=service.history_chain(obj), states=STATES, **extra)


@bp.route("/<int:initiative_id>/sua", methods=["GET", "POST"])
@requires("initiatives.edit")
def edit(initiative_id: int):
    obj = access.get_scoped_or_404(Initiative, initiative_id, current_user)
    province = service.province_of(obj.unit)
    if not service.may_edit(current_user, obj):
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
                           organisations=service.ORGANISATIONS), status


@bp.route("/<int:initiative_id>/chuyen", methods=["POST"])
@requires("initiatives.view")
def transition(initiative_id: int):
    obj = access.get_scoped_or_404(Initiative, initiative_id, current_user)
    form = TransitionForm()
    status, message = 422, "Thiếu thao tác."
    if form.validate_on_submit():
        try:
            t = service.WORKFLOW.get(form.transition.data)
            service.transition(obj, t.name, actor=current_user, comment=form.comment.data)
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
    return render_template("initiatives/detail.html", **_detail_context(obj, transition_form=form)), status


@bp.route("/<int:initiative_id>/cham-diem", methods=["POST"])
@requires("initiatives.review")
def score(initiative_id: int):
    obj = access.get_scoped_or_404(Initiative, initiative_id, current_user)
    values, bad = {}, []
    for c in service.criteria_of(service.province_of(obj.unit).id):
        raw = (request.form.get(f"score_{c.id}") or "").strip()
        if raw == "":
            values[c.id] = None
            continue
        try:
            values[c.id] = int(raw)
        except ValueError:
            bad.append(f"Điểm «{c.name}» phải là số nguyên.")
            values[c.id] = None
    try:
        if bad:
            raise InitiativeError(" ".join(bad))
        total = service.score(obj, values, actor=current_user)
    except InitiativeError as exc:
        db.session.rollback()
        obj = access.get_scoped_or_404(Initiative, initiative_id, current_user)
        flash(exc.message, "danger")
        return render_template("initiatives/detail.html",
                               **_detail_context(obj, scores={k: v for k, v in values.items() if v is not None})), \
            exc.status
    flash(f"Đã chấm điểm: {total}/100.", "success")
    return redirect_to("initiatives.detail", initiative_id=obj.id)


@bp.route("/<int:initiative_id>/tieu-bieu", methods=["POST"])
@requires("initiatives.review")
def exemplary(initiative_id: int):
    obj = access.get_scoped_or_404(Initiative, initiative_id, current_user)
    try:
        service.set_exemplary(obj, request.form.get("exemplary") == "1", actor=current_user)
    except InitiativeError as exc:
        flash(exc.message, "danger")
        return render_template("initiatives/detail.html", **_detail_context(obj)), exc.status
    flash("Đã chọn là mô hình tiêu biểu để giới thiệu tại hội nghị." if obj.exemplary
          else "Đã bỏ chọn tiêu biểu.", "success")
    return redirect_to("initiatives.detail", initiative_id=obj.id)


@bp.route("/<int:initiative_id>/minh-chung", methods=["POST"])
@requires("initiatives.edit")
def upload(initiative_id: int):
    obj = access.get_scoped_or_404(Initiative, initiative_id, current_user)
    try:
        stored = files.store(request.files.get("file"), owner_type="Initiative", owner_id=obj.id,
                             unit_id=obj.unit_id, actor=current_user)
    except files.UploadError as exc:
        flash(exc.message, "danger")
        return render_template("initiatives/detail.html", **_detail_context(obj)), 422
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
    units = [u.id for u in service.registrable_units(current_user)]
    try:
        n = service.submit_all(current_user, units, form.year.data)
    except InitiativeError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return render_page_or_partial("initiatives/index.html", "initiatives/_rows.html", status_code=exc.status,
                                      **_list_context())
    flash(f"Đã gửi {n} đăng ký năm {form.year.data}." if n else "Không có bản nháp nào để gửi.", "success")
    return redirect_to("initiatives.index", year=form.year.data)


# ---------------------------------------------------------------- recognition

@bp.route("/cong-nhan", methods=["GET", "POST"])
@requires("initiatives.review")
def recognise():
    year = service._int(request.values.get("year")) or today_local().year
    form = RecognitionForm()
    if request.method == "GET":
        form.year.data, form.decided_on.data = year, today_local()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                decision = service.recognise(current_user, form.initiative_ids.data or [], year=form.year.data,
                                             decided_on=form.decided_on.data, title=form.title.data)
            except InitiativeError as exc:
                db.session.rollback()
                target = getattr(form, exc.field, None) if exc.field else None
                if target is not None:
                    target.errors = [*target.errors, exc.message]
                else:
                    flash(exc.message, "danger")
                status = exc.status
            else:
                flash(f"Đã ban hành Quyết định số {decision.number_text} công nhận "
                      f"{len(form.initiative_ids.data)} mô hình.", "success")
                return redirect_to("initiatives.decision", recognition_id=decision.id)
    candidates = service.recognisable(current_user, year)
    decisions = db.session.scalars(access.scoped(
        db.select(InitiativeRecognition).where(InitiativeRecognition.year == year), InitiativeRecognition.unit_id,
        current_user).order_by(InitiativeRecognition.decided_on.desc())).all()
    return render_template("initiatives/recognise.html", form=form, candidates=candidates, year=year,
                           years=service.years_in_scope(current_user), decisions=decisions), status


@bp.route("/cong-nhan/<int:recognition_id>")
@requires("initiatives.view")
def decision(recognition_id: int):
    decision = access.get_scoped_or_404(InitiativeRecognition, recognition_id, current_user)
    items = db.session.scalars(access.scoped(
        db.select(Initiative).where(Initiative.recognition_id == decision.id), Initiative.unit_id, current_user)
        .order_by(Initiative.unit_id, Initiative.name)).all()
    return render_template("initiatives/decision.html", decision=decision, items=items)


# ---------------------------------------------------------------- consolidation

def _stats_root() -> Unit:
    unit_id = service._int(request.args.get("unit_id"))
    if unit_id:
        return access.get_scoped_or_404(Unit, unit_id, current_user, unit_attr="id")
    return current_user.scope


def _stats_year() -> int:
    years = service.years_in_scope(current_user)
    year = service._int(request.args.get("year"))
    if year is None:
        past = [y for y in years if y <= today_local().year]
        with_data = [y for y in past if y != today_local().year] or past
        return with_data[0] if with_data else today_local().year
    if not 2000 <= year <= 2100:
        abort(404)
    return year


@bp.route("/tong-hop")
@requires("initiatives.view")
def statistics():
    _config()
    root, year = _stats_root(), _stats_year()
    stats = service.statistics(current_user, year, root)
    return render_template("initiatives/statistics.html", stats=stats, years=service.years_in_scope(current_user),
                           report_form=ReportForm(year=year),
                           may_send=service.may_send_report(current_user) and root.id == current_user.scope.id,
                           pdf_available=_pdf_available())


@bp.route("/tong-hop/gui", methods=["POST"])
@requires("initiatives.edit")
def send_report():
    form = ReportForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errs in form.errors.values() for e in errs), "danger")
        return _bad(422)
    try:
        report = service.send_report(current_user, form.year.data, form.note.data)
    except InitiativeError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _bad(exc.status)
    flash(f"Đã gửi danh sách tổng hợp năm {report.year} lên cấp trên: {report.total} mô hình.", "success")
    return redirect_to("initiatives.statistics", year=report.year)


@bp.route("/tong-hop/danh-sach/<int:initiative_report_id>")
@requires("initiatives.view")
def report(initiative_report_id: int):
    sent = access.get_scoped_or_404(InitiativeReport, initiative_report_id, current_user)
    return redirect_to("initiatives.statistics", year=sent.year, unit_id=sent.unit_id)


def _bad(status: int):
    year = service._int(request.form.get("year")) or today_local().year
    stats = service.statistics(current_user, year, current_user.scope)
    return render_template("initiatives/statistics.html", stats=stats, years=service.years_in_scope(current_user),
                           report_form=ReportForm(year=year), may_send=service.may_send_report(current_user),
                           pdf_available=_pdf_available()), status


def _pdf_available() -> bool:
    try:
        from danvan.printing import pdf_response, render_pdf  # noqa: F401
    except ImportError:
        return False
    return True


@bp.route("/tong-hop/in")
@requires("initiatives.view")
def print_consolidated():
    _config()
    root, year = _stats_root(), _stats_year()
    stats = service.statistics(current_user, year, root)
    data = dict(stats=stats, place=current_app.config["PROVINCE_PLACE"], today=today_local(),
                issuer=current_user.scope, date_line=date_line(current_app.config["PROVINCE_PLACE"], today_local()))
    if request.args.get("format") == "pdf" and _pdf_available():
        from danvan.printing import pdf_response, render_pdf

        issuer = current_user.scope
        pdf = render_pdf("print/initiatives_consolidated.html", **data,
                         superior=issuer.name.upper(), issuing="BAN DÂN VẬN",
                         issuer_code=_ban_code(issuer))
        return pdf_response(pdf, f"tong-hop-dan-van-kheo-{year}.pdf")
    return render_template("initiatives/print.html", **data)


def _ban_code(committee: Unit) -> str:
    ban = db.session.scalar(db.select(Unit).where(Unit.parent_id == committee.id, Unit.kind == "ban",
                                                  Unit.code.like("BDV%")).limit(1))
    return ban.code if ban is not None else (committee.code or "")


def _bytes_io(data):
    import io

    return io.BytesIO(data if isinstance(data, bytes) else data.getvalue())


# ---------------------------------------------------------------- Excel

@bp.route("/xuat-excel")
@requires("initiatives.view")
def export():
    filters = service.parse_filters(request.args)
    data = excel.export(service.list_stmt(current_user, filters))
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


# ---------------------------------------------------------------- configuration

@bp.route("/cau-hinh")
@requires("initiatives.configure")
def configure():
    return render_template("initiatives/configure.html", **_config_context())


def _config_context(**extra) -> dict:
    province = _config()
    years = service.years_in_scope(current_user)
    from danvan.initiatives.models import InitiativeYear

    deadlines = db.session.scalars(db.select(InitiativeYear).where(InitiativeYear.province_id == province.id)
                                   .order_by(InitiativeYear.year.desc())).all()
    return dict(province=province, fields=service.fields_of(province.id, active_only=False),
                kinds=service.kinds_of(province.id, active_only=False),
                criteria=service.criteria_of(province.id), may_configure=service.may_configure(current_user),
                option_form=extra.pop("option_form", None) or OptionForm(),
                deadline_form=extra.pop("deadline_form", None) or DeadlineForm(year=years[0]),
                deadlines=deadlines, **extra)


def _config_error(exc: InitiativeError, **forms):
    db.session.rollback()
    flash(exc.message, "danger")
    return render_template("initiatives/configure.html", **_config_context(**forms)), exc.status


@bp.route("/cau-hinh/muc", methods=["POST"])
@requires("initiatives.configure")
def add_option():
    form = OptionForm()
    if not form.validate_on_submit():
        return _config_error(InitiativeError(" ".join(e for errs in form.errors.values() for e in errs)),
                             option_form=form)
    try:
        service.add_option(current_user, form.what.data, form.name.data)
    except InitiativeError as exc:
        return _config_error(exc, option_form=form)
    flash(f"Đã thêm «{form.name.data}».", "success")
    return redirect_to("initiatives.configure")


@bp.route("/cau-hinh/muc/bat-tat", methods=["POST"])
@requires("initiatives.configure")
def toggle_option():
    form = OptionToggleForm()
    if not form.validate_on_submit():
        return _config_error(InitiativeError("Dữ liệu không hợp lệ."))
    try:
        service.set_option_active(current_user, form.what.data, form.option_id.data, form.active.data == "1")
    except InitiativeError as exc:
        return _config_error(exc)
    flash("Đã cập nhật.", "success")
    return redirect_to("initiatives.configure")


@bp.route("/cau-hinh/tieu-chi", methods=["POST"])
@requires("initiatives.configure")
def save_criteria():
    rows = []
    ids, names, points = (request.form.getlist("criterion_id"), request.form.getlist("criterion_name"),
                          request.form.getlist("criterion_max"))
    try:
        for cid, name, pts in zip(ids, names, points):
            try:
                value = int(pts) if pts.strip() else None
            except ValueError:
                raise InitiativeError(f"Điểm tối đa «{pts}» phải là số nguyên.") from None
            rows.append((service._int(cid), name, value))
        service.save_criteria(current_user, rows)
    except InitiativeError as exc:
        return _config_error(exc)
    flash("Đã lưu bộ tiêu chí (tổng 100 điểm).", "success")
    return redirect_to("initiatives.configure")


@bp.route("/cau-hinh/han", methods=["POST"])
@requires("initiatives.configure")
def set_deadline():
    form = DeadlineForm()
    if not form.validate_on_submit():
        return _config_error(InitiativeError(" ".join(e for errs in form.errors.values() for e in errs)),
                             deadline_form=form)
    try:
        service.set_deadline(current_user, form.year.data, form.deadline.data)
    except InitiativeError as exc:
        return _config_error(exc, deadline_form=form)
    flash(f"Đã đặt hạn gửi danh sách năm {form.year.data}: {form.deadline.data:%d/%m/%Y}.", "success")
    return redirect_to("initiatives.configure")
