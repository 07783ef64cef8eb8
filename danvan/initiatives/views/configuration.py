"""Configuration per province: fields, kinds, criteria (deadlines are the calls')."""
from __future__ import annotations

from flask import flash, render_template, request
from flask_login import current_user

from danvan import calls
from danvan.core import access
from danvan.core.access import requires
from danvan.core.htmx import redirect_to
from danvan.core.vntext import int_or_none
from danvan.extensions import db
from danvan.initiatives import config, registration
from danvan.initiatives.config import InitiativeError
from danvan.initiatives.forms import (
    OptionForm,
    OptionToggleForm,
)
from danvan.initiatives.views.common import bp, load_province


@bp.route("/cau-hinh")
@requires("initiatives.configure")
def configure():
    return render_template("initiatives/configure.html", **_config_context())


def _config_context(**extra) -> dict:
    province = load_province()
    return dict(province=province, fields=config.fields_of(province.id, active_only=False),
                kinds=config.kinds_of(province.id, active_only=False),
                criteria=config.criteria_of(province.id),
                may_configure=access.can(current_user, "configure_initiatives", province),
                option_form=extra.pop("option_form", None) or OptionForm(),
                call_kind_label=calls.kind_label(registration.CALL_KIND), **extra)


def _config_error(exc: InitiativeError, **forms):
    db.session.rollback()
    flash(exc.message, "danger")
    return render_template("initiatives/configure.html", **_config_context(**forms)), exc.status


def _invalid(form) -> InitiativeError:
    return InitiativeError(" ".join(e for errs in form.errors.values() for e in errs))


@bp.route("/cau-hinh/muc", methods=["POST"])
@requires("initiatives.configure")
def add_option():
    form = OptionForm()
    if not form.validate_on_submit():
        return _config_error(_invalid(form),
                             option_form=form)
    try:
        config.add_option(current_user, form.what.data, form.name.data)
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
        config.set_option_active(current_user, form.what.data, form.option_id.data, form.active.data == "1")
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
            rows.append((int_or_none(cid), name, value))
        config.save_criteria(current_user, rows)
    except InitiativeError as exc:
        return _config_error(exc)
    flash("Đã lưu bộ tiêu chí (tổng 100 điểm).", "success")
    return redirect_to("initiatives.configure")
