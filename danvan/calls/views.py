"""Call pages: the list (what my committee must send, what it asked for), creating a call,
its tracking page with extensions, reminders, the Excel export, closing and reopening."""
from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

import click
import sqlalchemy as sa
from flask import abort, flash, render_template, request, send_file
from flask_login import current_user

from danvan import calls
from danvan.calls.forms import CallForm, DeadlineForm, ExtendForm, target_modes
from danvan.calls.kinds import object_title
from danvan.core import access, nav, structure
from danvan.core.access import requires
from danvan.core.forms import ConfirmForm, add_error
from danvan.core.htmx import redirect_to, render_page_or_partial
from danvan.core.pagination import page_arg, paginate, paginate_rows
from danvan.core.units import Unit, levels_under, tree_choices
from danvan.core.vntext import TZ, fmt_date, matches, today_local
from danvan.extensions import db
from danvan.printing import office

bp = nav.blueprint("calls", __name__, "Yêu cầu nộp", "calls.view", 21, cli_group=None)

STATUS_FILTERS = [("", "Tất cả"), ("missing", "Chưa nộp"), ("submitted", "Đã nộp"), ("late", "Nộp muộn"),
                  ("returned", "Bị trả lại"), ("approved", "Đã duyệt")]
CLOSED = "Yêu cầu này đã đóng: chỉ xem, không thao tác được."
LOCS = ("chua_nop", "sap_han", "qua_han")


@bp.app_template_global()
def call_object_title(object_type: str, call: calls.Call) -> str:
    """'Danh sách tổng hợp đăng ký «Dân vận khéo» năm 2024', not '#45': what a unit sent, named."""
    return f"{object_title(object_type, call.kind)} năm {call.year}"


def _load_call(call_id: int) -> tuple[calls.Call, bool]:
    """(call, issuer_side): in my scope (I see tracking) or targeting my committee; else 404."""
    call = db.session.get(calls.Call, call_id)
    if call is None or not access.can(current_user, "view", call):
        abort(404)
    return call, access.in_scope(current_user, call.unit)


def _load_issued(call_id: int) -> calls.Call:
    call, issuer_side = _load_call(call_id)
    if not issuer_side:
        abort(404)
    return call


def _confirmed_issued(call_id: int) -> calls.Call:
    """The call behind a bare button of the issuing side: 400 without the CSRF token."""
    call = _load_issued(call_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return call


@bp.route("/yeu-cau/")
@requires("calls.view")
def index():
    tab = request.args.get("tab", "")
    loc = request.args.get("loc", "")
    today = today_local()
    mine = calls.my_calls(current_user)   # [(call, row)] for my committee
    if loc == "chua_nop":
        mine = calls.still_to_send(mine)
    elif loc == "sap_han":
        mine = calls.due_soon(mine, today)
    elif loc == "qua_han":
        mine = calls.overdue(mine, today)
    # A filter of my calls (the dashboard's counts link here): that list alone, paginated.
    mine_page = paginate_rows(mine) if loc in LOCS else None
    closed = tab == "da_dong"
    issued_stmt = access.scoped(
        sa.select(calls.Call).where(calls.Call.archived_at.is_not(None) if closed
                                    else calls.Call.archived_at.is_(None)),
        calls.Call.unit_id, current_user).order_by(calls.Call.deadline.desc(), calls.Call.id.desc())
    if (found := matches(request.args.get("q"), calls.Call.search_key)) is not None:
        issued_stmt = issued_stmt.where(found)
    page = paginate(issued_stmt)
    counts = calls.summaries(page.items)
    return render_page_or_partial("calls/index.html", "calls/_rows.html", page=page, counts=counts,
                                  mine=mine_page.items if mine_page else mine, mine_page=mine_page, tab=tab,
                                  loc=loc if loc in LOCS else "", closed=closed)


def _targets(form: CallForm) -> list[Unit]:
    root = current_user.scope
    allowed = list(db.session.scalars(calls.allowed_targets(current_user.unit)))
    if form.target_mode.data == "reporting":
        return [u for u in allowed if u.parent_id == root.id]
    if form.target_mode.data == "communes":
        return [u for u in allowed if u.kind == "xa"]
    wanted = set(form.targets.data or [])
    return list(db.session.scalars(sa.select(Unit).where(Unit.id.in_(wanted)))) if wanted else []


@bp.route("/yeu-cau/moi", methods=["GET", "POST"])
@requires("calls.manage")
def new():
    form = CallForm(kind=calls.default_kind())
    form.kind.choices = calls.kind_choices()
    form.target_mode.choices = target_modes(levels_under(current_user.scope))
    form.targets.choices = tree_choices(db.session.scalars(calls.allowed_targets(current_user.unit)))
    if form.validate_on_submit():
        data = {"title": form.title.data, "kind": form.kind.data, "type_code": form.type_code.data,
                "year": form.year.data, "deadline": form.deadline.data, "description": form.description.data}
        try:
            call = calls.create_call(current_user.unit, data, _targets(form), actor=current_user)
        except calls.CallError as exc:
            getattr(form, exc.field or "title", form.title).errors.append(exc.message)
            return _render_form(form, exc.status)
        flash(f"Đã gửi yêu cầu tới {len(call.targets)} đơn vị.", "success")
        return redirect_to("calls.detail", call_id=call.id)
    return _render_form(form, 422 if request.method == "POST" else 200)


def _render_form(form: CallForm, status: int):
    document_kinds = [k for k, _ in calls.kind_choices() if calls.get_kind(k).type_codes]
    return render_template("calls/form.html", form=form, document_kinds=document_kinds), status


def _context(call: calls.Call, issuer_side: bool, **extra) -> dict:
    archived = call.archived_at is not None
    manager = issuer_side and not archived and access.has_permission(current_user, "calls.manage")
    ctx = {"call": call, "kind": calls.get_kind(call.kind), "issuer_side": issuer_side,
           "status_filters": STATUS_FILTERS, "status": request.args.get("trang_thai", ""),
           "confirm_form": ConfirmForm(formdata=None), "extend_form": ExtendForm(formdata=None),
           "deadline_form": DeadlineForm(formdata=None),
           "can_change_deadline": access.can(current_user, "change_deadline", call),
           "today": today_local(), "archived": archived, "can_manage": manager,
           "can_archive": manager and calls.issuing_committee(current_user, call),
           "can_restore": issuer_side and archived and access.has_permission(current_user, "calls.restore"),
           **extra}
    if issuer_side:
        t, rows, table = calls.cached_tracking_page(
            call, ctx["status"], page_arg(), current_structure=structure.wants_current(),
            render=lambda page: render_template("calls/_tracking_table.html", call=call, rows=page))
        # most calls never change their deadline: the cached count spares the history query
        ctx.update(tracking=t, rows=rows, table=table, structure=structure.toggle(),
                   history=calls.deadline_history(call) if t.changes else [])
    else:
        ctx.update(mine=calls.my_target_status(current_user, [call.id]).get(call.id),
                   history=calls.deadline_history(call, current_user.unit))
    return ctx


def _render(call: calls.Call, status: int = 200, **extra):
    return render_page_or_partial("calls/detail.html", "calls/_tracking.html", status_code=status,
                                  **_context(call, True, **extra))


@bp.route("/yeu-cau/<int:call_id>")
@requires("calls.view")
def detail(call_id: int):
    call, issuer_side = _load_call(call_id)
    return render_page_or_partial("calls/detail.html", "calls/_tracking.html", **_context(call, issuer_side))


@bp.route("/yeu-cau/<int:call_id>/xlsx")
@requires("calls.view")
def export(call_id: int):
    call = _load_issued(call_id)
    t = calls.tracking(call)
    rows = [[i, row.unit.name, row.deadline, row.status_label,
             row.submitted_at.astimezone(TZ).replace(tzinfo=None) if row.submitted_at else None,
             row.days_late or None]
            for i, row in enumerate(t.filtered(request.args.get("trang_thai", "")), start=1)]
    columns = [("STT", 6), ("Đơn vị", 40), ("Hạn nộp", 12), ("Trạng thái", 18), ("Ngày nộp", 18), ("Số ngày muộn", 12)]
    buf = io.BytesIO(office.xlsx_table(call.title, columns, rows, subtitle=t.summary, sheet="Theo dõi"))
    return send_file(buf, mimetype=office.XLSX_MIME,
                     as_attachment=True, download_name=f"theo-doi-yeu-cau-{call.id}.xlsx", max_age=0)


@bp.route("/yeu-cau/<int:call_id>/nhac", methods=["POST"])
@requires("calls.manage")
def remind(call_id: int):
    call = _confirmed_issued(call_id)
    if call.archived_at is not None:
        return _render(call, 409, error=CLOSED)
    sent = calls.remind_missing(call, actor=current_user)
    if sent:
        flash(f"Đã nhắc {sent} đơn vị chưa nộp.", "success")
    else:
        flash("Không có đơn vị nào cần nhắc (các đơn vị chưa nộp đã được nhắc hôm nay).", "info")
    return redirect_to("calls.detail", call_id=call.id)


@bp.route("/yeu-cau/<int:call_id>/gia-han", methods=["POST"])
@requires("calls.manage")
def extend(call_id: int):
    def save(call: calls.Call, form: ExtendForm) -> str:
        unit = db.session.get(Unit, form.unit_id.data)
        if unit is None:
            raise calls.CallError("Đơn vị không nằm trong danh sách nhận yêu cầu.", "unit_id", 404)
        calls.extend_deadline(call, unit, form.extended_until.data, actor=current_user, reason=form.reason.data)
        return f"Đã đặt hạn riêng cho {unit.name}." if form.extended_until.data else f"{unit.name} theo hạn chung."

    return _issuer_form(call_id, ExtendForm, lambda call: (409, CLOSED) if call.archived_at is not None else None,
                        save)


@bp.route("/yeu-cau/<int:call_id>/doi-han", methods=["POST"])
@requires("calls.manage")
def change_deadline(call_id: int):
    """The issuing committee corrects the general deadline, with a reason; targets are notified."""
    def refusal(call: calls.Call) -> tuple[int, str] | None:
        if access.can(current_user, "change_deadline", call):
            return None
        if call.archived_at is not None:
            return 409, CLOSED
        return 403, "Chỉ đơn vị đã gửi yêu cầu mới đổi được hạn nộp chung."

    def save(call: calls.Call, form: DeadlineForm) -> str:
        before = call.deadline
        calls.change_deadline(call, form.deadline.data, form.reason.data, actor=current_user)
        return (f"Đã đổi hạn nộp từ {fmt_date(before)} thành {fmt_date(call.deadline)} và thông báo tới "
                f"{len(call.targets)} đơn vị nhận.")

    return _issuer_form(call_id, DeadlineForm, refusal, save, form_key="deadline_form")


def _issuer_form(call_id: int, form_class: type, refusal: Callable[[calls.Call], tuple[int, str] | None],
                 save: Callable[[calls.Call, Any], str], *, form_key: str | None = None):
    """A form the issuing side posts on the call's page: the call (else 404); `refusal(call)`, a
    (status, message) when the call does not take this form now; then `save(call, form)` on valid
    input, returning the flashed success, and back to the call. Anything else shows the page again
    with its status (refused, 422 invalid, a CallError's own): the form as typed, its errors on its
    fields, when the page has a place for it (`form_key`); else the errors in the message above."""
    call = _load_issued(call_id)
    form = form_class()
    typed = {form_key: form} if form_key else {}
    refused = refusal(call)
    if refused is not None:
        return _render(call, refused[0], error=refused[1], **typed)
    if not form.validate_on_submit():
        if form_key:
            return _render(call, 422, **typed)
        msg = " ".join(e for errs in form.errors.values() for e in errs)
        return _render(call, 422, error=msg or "Dữ liệu không hợp lệ.")
    try:
        message = save(call, form)
    except calls.CallError as exc:
        if not form_key:
            return _render(call, exc.status, error=exc.message)
        add_error(form, exc.field, exc.message)
        return _render(call, exc.status, **typed)
    flash(message, "success")
    return redirect_to("calls.detail", call_id=call.id)


@bp.route("/yeu-cau/<int:call_id>/dong", methods=["POST"])
@requires("calls.manage")
def archive(call_id: int):
    """Close (archive) a call: only the issuing committee's officers and leaders."""
    call = _confirmed_issued(call_id)
    if not calls.issuing_committee(current_user, call):
        return _render(call, 403, error="Chỉ đơn vị đã gửi yêu cầu mới đóng được yêu cầu này.")
    try:
        calls.archive_call(call, actor=current_user)
    except calls.CallError as exc:
        return _render(call, exc.status, error=CLOSED)
    flash(f"Đã đóng yêu cầu «{call.title}». Các đơn vị nhận không còn thấy yêu cầu trong danh sách phải nộp.",
          "success")
    return redirect_to("calls.detail", call_id=call.id)


@bp.route("/yeu-cau/<int:call_id>/khoi-phuc", methods=["POST"])
@requires("calls.restore")
def restore(call_id: int):
    """Reopen a closed call (administrators, as for archived documents)."""
    call = _confirmed_issued(call_id)
    try:
        calls.restore_call(call, actor=current_user)
    except calls.CallError as exc:
        return _render(call, exc.status, error=exc.message)
    flash(f"Đã khôi phục yêu cầu «{call.title}».", "success")
    return redirect_to("calls.detail", call_id=call.id)


def _days_left(d: date) -> int:
    return (d - today_local()).days


bp.add_app_template_filter(_days_left, "days_left")
bp.add_app_template_global(calls.get_kind, "call_kind")


@bp.cli.command("send-reminders")
def send_reminders_command() -> None:
    """Nhắc hạn nộp: 3 ngày trước hạn và khi quá hạn (mỗi đơn vị, mỗi yêu cầu một lần)."""
    sent = calls.send_reminders()
    db.session.commit()
    click.echo(f"Đã gửi {sent} lời nhắc.")
