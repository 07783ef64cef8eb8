"""Login with lock-out, session loading, and user administration rules."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user

from danvan.auth.models import User
from danvan.core import access, audit
from danvan.core.errors import ServiceError
from danvan.core.htmx import is_htmx
from danvan.core.units import Unit
from danvan.core.vntext import fold, now_utc
from danvan.extensions import db

GENERIC_LOGIN_ERROR = "Tên đăng nhập hoặc mật khẩu không đúng."
MIN_PASSWORD = 8


class AccountError(ServiceError):
    """Refused input: message for the user, field, HTTP status."""


def load_user(user_id: str) -> User | None:
    """Flask-Login loader: the id carries the session epoch, so reset or disable logs out."""
    try:
        raw_id, epoch = user_id.split(".")
        user = db.session.get(User, int(raw_id))
    except (ValueError, TypeError):
        return None
    if user is None or not user.active or str(user.session_epoch) != epoch:
        return None
    audit.set_actor(user)
    return user


def unauthorized():
    """Not logged in: a full redirect for htmx (not a login form in a table cell)."""
    target = url_for("auth.login", next=request.full_path if request.method == "GET" else None)
    if is_htmx():
        return "", 401, {"HX-Redirect": target}
    flash("Vui lòng đăng nhập để tiếp tục.", "warning")
    return redirect(target)


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def authenticate(username: str, password: str) -> User:
    """The user, or AccountError with the message to show. Counts failures and locks."""
    cfg = current_app.config
    user = db.session.scalar(sa.select(User).where(User.username == normalise_username(username)))
    now = now_utc()
    if user is None:
        raise AccountError(GENERIC_LOGIN_ERROR)
    if user.locked_until and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise AccountError(f"Tài khoản tạm khóa do nhập sai mật khẩu {cfg['LOGIN_MAX_FAILURES']} lần. "
                           f"Vui lòng thử lại sau {minutes} phút hoặc liên hệ quản trị viên.")
    if not user.check_password(password):
        user.failed_logins = (user.failed_logins or 0) + 1
        audit.record(user, "login_failed", user)
        if user.failed_logins >= cfg["LOGIN_MAX_FAILURES"]:
            user.locked_until = now + timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
            user.failed_logins = 0
            audit.record(user, "locked", user)
            raise AccountError(f"Bạn đã nhập sai mật khẩu {cfg['LOGIN_MAX_FAILURES']} lần. "
                               f"Tài khoản bị tạm khóa {cfg['LOGIN_LOCK_MINUTES']} phút.")
        left = cfg["LOGIN_MAX_FAILURES"] - user.failed_logins
        raise AccountError(f"{GENERIC_LOGIN_ERROR} Còn {left} lần thử trước khi tài khoản bị tạm khóa.")
    if not user.active:
        raise AccountError("Tài khoản đã bị vô hiệu hóa. Vui lòng liên hệ quản trị viên.")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.set_actor(user)
    audit.record(user, "login", user)
    return user


def check_new_password(password: str, confirm: str, username: str = "") -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.", "password")
    if len(password) > 200:
        raise AccountError("Mật khẩu quá dài (tối đa 200 ký tự).", "password")
    if username and fold(password) == fold(username):
        raise AccountError("Mật khẩu không được trùng tên đăng nhập.", "password")
    if password != confirm:
        raise AccountError("Hai lần nhập mật khẩu không khớp.", "confirm")


def change_own_password(user: User, current: str, new: str, confirm: str) -> None:
    if not user.check_password(current):
        raise AccountError("Mật khẩu hiện tại không đúng.", "current")
    check_new_password(new, confirm, user.username)
    user.set_password(new)
    db.session.flush()


# user administration -------------------------------------------------------

def users_query(actor, q: str | None = None, unit_id: int | None = None, role: str | None = None,
                status: str | None = None) -> sa.Select:
    from danvan.core.vntext import matches

    stmt = access.scoped(sa.select(User), User.unit_id, actor)
    if (found := matches(q, User.search_key)) is not None:
        stmt = stmt.where(found)
    if unit_id:
        stmt = stmt.where(User.unit_id == unit_id)
    if role:
        stmt = stmt.where(User.role_rows.any(role=role))
    if status == "active":
        stmt = stmt.where(User.active.is_(True))
    elif status == "disabled":
        stmt = stmt.where(User.active.is_(False))
    return stmt.join(Unit, Unit.id == User.unit_id).order_by(Unit.path, User.full_name)


def _check_unit(actor, unit: Unit | None) -> Unit:
    if unit is None or not access.in_scope(actor, unit):
        raise AccountError("Đơn vị không hợp lệ hoặc nằm ngoài phạm vi quản lý của bạn.", "unit_id")
    if not unit.is_open:
        raise AccountError("Đơn vị đã giải thể hoặc sáp nhập; hãy chọn đơn vị kế thừa.", "unit_id")
    return unit


def _check_roles(roles: list[str]) -> list[str]:
    if not roles:
        raise AccountError("Chọn ít nhất một vai trò.", "roles")
    unknown = set(roles) - set(access.ROLES)
    if unknown:
        raise AccountError("Vai trò không hợp lệ.", "roles")
    return roles


def create_user(data: dict, *, actor) -> User:
    username = normalise_username(data["username"])
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise AccountError(f"Tên đăng nhập «{username}» đã được dùng.", "username")
    unit = _check_unit(actor, db.session.get(Unit, data["unit_id"]))
    check_new_password(data["password"], data["confirm"], username)
    user = User(username=username, full_name=data["full_name"], title=data.get("title", ""),
                unit=unit, active=True)
    user.set_password(data["password"])
    user.set_roles(_check_roles(data["roles"]))
    user.refresh_search_key()
    db.session.add(user)
    db.session.flush()
    return user


def update_user(user: User, data: dict, *, actor) -> User:
    user.check_version(data.get("version"))
    unit = _check_unit(actor, db.session.get(Unit, data["unit_id"]))
    roles = _check_roles(data["roles"])
    if user.id == actor.id and "admin" not in roles:
        raise AccountError("Bạn không thể tự bỏ vai trò quản trị của chính mình.", "roles")
    user.full_name, user.title, user.unit = data["full_name"], data.get("title", ""), unit
    user.set_roles(roles)
    user.refresh_search_key()
    db.session.flush()
    return user


def set_active(user: User, active: bool, *, actor) -> None:
    if user.id == actor.id and not active:
        raise AccountError("Bạn không thể tự vô hiệu hóa tài khoản của mình.")
    user.active = active
    if not active:
        user.session_epoch += 1
    db.session.flush()


def reset_password(user: User, password: str, confirm: str, *, actor) -> None:
    check_new_password(password, confirm, user.username)
    user.set_password(password)
    user.failed_logins, user.locked_until = 0, None
    audit.record(actor, "reset_password", user)
    db.session.flush()


def current() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined]
