"""Login, logout, own password; user administration for admins."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from danvan.auth import deploy, service
from danvan.auth.forms import ChangePasswordForm, LoginForm, NewUserForm, ResetPasswordForm, UserFilterForm, UserForm
from danvan.auth.models import User
from danvan.core import access, nav
from danvan.core.access import requires
from danvan.core.forms import add_error
from danvan.core.formviews import confirmed, form_page, submit
from danvan.core.htmx import redirect_to, render_page_or_partial
from danvan.core.pagination import paginate
from danvan.core.security import limiter
from danvan.core.transaction import keep_changes
from danvan.core.units import subtree, tree_choices
from danvan.extensions import db

bp = nav.blueprint("auth", __name__, "Người dùng", "users.manage", 90, endpoint="users", group="admin")


@bp.app_context_processor
def demo_banner() -> dict:
    """Administrators see a red banner while demo accounts open with the published password."""
    if current_user.is_authenticated and current_user.has_role("admin"):
        return {"security_banner": deploy.banner()}
    return {"security_banner": None}


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("dashboard.index")


@bp.route("/dang-nhap", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"],
               deduct_when=lambda response: response.status_code != 303)  # failed attempts only
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            user = service.authenticate(form.username.data, form.password.data)
        except service.AccountError as exc:
            keep_changes()  # the failure count must survive the 4xx answer
            error = exc.message
        else:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form, error=error), status


@bp.route("/dang-xuat", methods=["POST"])
@requires("account.self")
def logout():
    service.logout(current_user._get_current_object())  # a copied cookie dies with this one
    logout_user()
    flash("Bạn đã đăng xuất.", "info")
    return redirect_to("auth.login")


@bp.route("/tai-khoan/mat-khau", methods=["GET", "POST"])
@requires("account.self")
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            service.change_own_password(current_user, form.current.data, form.password.data,
                                        form.confirm.data)
        except service.AccountError as exc:
            add_error(form, exc.field or "password", exc.message)
        else:
            login_user(current_user._get_current_object(), fresh=True)  # epoch changed: re-issue the id
            flash("Đã đổi mật khẩu.", "success")
            return redirect_to("dashboard.index")
    status = 422 if request.method == "POST" else 200
    return render_template("auth/password.html", form=form), status


# user administration -------------------------------------------------------

def _unit_choices() -> list[tuple[int, str]]:
    return tree_choices(db.session.scalars(subtree(current_user.scope)))


@bp.route("/quan-tri/nguoi-dung")
@requires("users.manage")
def users():
    filters = UserFilterForm(request.args)
    filters.validate()
    stmt = service.users_query(current_user, filters.q.data, role=filters.role.data or None,
                               status=filters.status.data or None)
    page = paginate(stmt)
    return render_page_or_partial("auth/users.html", "auth/_user_rows.html", page=page,
                                  filters=filters)


def _user_form(form_class, obj=None):
    form = form_class(obj=obj)
    form.unit_id.choices = _unit_choices()
    if obj is not None and request.method == "GET":
        form.roles.data = sorted(obj.assigned_roles)
        form.version.data = obj.version
    return form


def _form_data(form) -> dict:
    return {name: field.data for name, field in form._fields.items()}


@bp.route("/quan-tri/nguoi-dung/moi", methods=["GET", "POST"])
@requires("users.manage")
def user_new():
    form = _user_form(NewUserForm)
    return form_page(form, lambda: service.create_user(_form_data(form), actor=current_user), error_field="username",
                     render=lambda status: _render_user_form(form, None, status),
                     message=lambda user: f"Đã tạo tài khoản {user.username}.", done=_to_users)


def _to_users(_user):
    return redirect_to("auth.users")


@bp.route("/quan-tri/nguoi-dung/<int:user_id>", methods=["GET", "POST"])
@requires("users.manage")
def user_edit(user_id: int):
    user = access.get_scoped_or_404(User, user_id, current_user)
    form = _user_form(UserForm, user)
    return form_page(form, lambda: service.update_user(user, _form_data(form), actor=current_user),
                     error_field="full_name", render=lambda status: _render_user_form(form, user, status),
                     message=lambda _: f"Đã lưu tài khoản {user.username}.", done=_to_users)


def _render_user_form(form, user, status: int, reset_form=None):
    reset_form = reset_form or ResetPasswordForm(formdata=None)
    lockouts = service.recent_lockouts(user) if user is not None else []
    return render_template("auth/user_form.html", form=form, user=user, reset_form=reset_form,
                           lockouts=lockouts), status


@bp.route("/quan-tri/nguoi-dung/<int:user_id>/trang-thai", methods=["POST"])
@requires("users.manage")
def user_toggle(user_id: int):
    user = access.get_scoped_or_404(User, user_id, current_user)

    def back(*_):  # after the change, and after a refusal (flashed): the account's page
        return redirect_to("auth.user_edit", user_id=user.id)

    return confirmed(lambda: service.set_active(user, not user.active, actor=current_user), render=back, done=back,
                     message=lambda _: f"Đã {'kích hoạt' if user.active else 'vô hiệu hóa'} tài khoản {user.username}.")


@bp.route("/quan-tri/nguoi-dung/<int:user_id>/dat-lai-mat-khau", methods=["POST"])
@requires("users.manage")
def user_reset(user_id: int):
    user = access.get_scoped_or_404(User, user_id, current_user)
    form = ResetPasswordForm()
    return submit(form, lambda: service.reset_password(user, form.password.data, form.confirm.data, actor=current_user),
                  render=lambda status: _render_user_form(_user_form(UserForm, user), user, status, reset_form=form),
                  message=f"Đã đặt lại mật khẩu cho {user.username}; các phiên đăng nhập cũ đã bị hủy.",
                  done=lambda _: redirect_to("auth.user_edit", user_id=user.id))



