"""Login with lock-out, session loading, and user administration rules."""
from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.security import check_password_hash, generate_password_hash

from danvan.auth import lockout, passwords
from danvan.auth.models import User
from danvan.core import access, audit
from danvan.core.errors import ServiceError
from danvan.core.htmx import is_htmx
from danvan.core.models import by_name
from danvan.core.units import Unit
from danvan.core.vntext import now_utc
from danvan.extensions import db

GENERIC_LOGIN_ERROR = "Tên đăng nhập hoặc mật khẩu không đúng."


class AccountError(ServiceError):
    """Refused input: message for the user, field, HTTP status."""


_LOAD_USER = (sa.orm.joinedload(User.unit).joinedload(Unit.parent), sa.orm.joinedload(User.role_rows))


def load_user(user_id: str) -> User | None:
    """Flask-Login loader: the id carries the session epoch, so reset or disable logs out."""
    try:
        raw_id, epoch = user_id.split(".")
        # one statement for what every page asks: the user, their unit, its parent (the scope root
        # of a ban) and the roles
        user = db.session.get(User, int(raw_id), options=_LOAD_USER)
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


def _locked_message(minutes: int) -> str:
    return (f"Đăng nhập từ máy này tạm bị chặn {minutes} phút do nhập sai nhiều lần. Vui lòng thử lại "
            "sau, đăng nhập từ máy của mình, hoặc liên hệ quản trị viên.")


@cache
def _dummy_hash() -> str:
    return generate_password_hash("không-phải-mật-khẩu")


def authenticate(username: str, password: str) -> User:
    """The user, or AccountError with the message to show.

    Unknown user and wrong password get one answer (and cost the same hash check); failures
    lock the pair (username, client address) only, see auth/lockout.py."""
    name = normalise_username(username)
    user = db.session.scalar(sa.select(User).where(User.username == name))
    minutes = lockout.minutes_left(name)
    if minutes:
        raise AccountError(_locked_message(minutes))
    if user is None:
        check_password_hash(_dummy_hash(), password)
        valid = False
    else:
        valid = user.check_password(password)
    if not valid:
        if lockout.record_failure(name, user):
            raise AccountError(_locked_message(current_app.config["LOGIN_LOCK_MINUTES"]))
        raise AccountError(GENERIC_LOGIN_ERROR)
    if not user.active:
        raise AccountError("Tài khoản đã bị vô hiệu hóa. Vui lòng liên hệ quản trị viên.")
    lockout.clear(name)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now_utc()
    audit.set_actor(user)
    audit.record(user, "login", user)
    return user


def end_sessions(user: User) -> None:
    """Every session cookie and remember-me token of the user stops working, on every server:
    they carry the epoch (User.get_id) and load_user compares it with the database."""
    user.session_epoch = (user.session_epoch or 0) + 1


def logout(user: User) -> None:
    end_sessions(user)
    audit.record(user, "logout", user)
    db.session.flush()


def recent_lockouts(user: User, limit: int = 5) -> list:
    """The latest lock-outs of an account, for the administrator's user page."""
    return list(db.session.scalars(
        sa.select(audit.AuditEvent).where(audit.AuditEvent.object_type == "User",
                                          audit.AuditEvent.object_id == user.id,
                                          audit.AuditEvent.action == "locked")
        .order_by(audit.AuditEvent.id.desc()).limit(limit)))


def check_new_password(password: str, confirm: str, username: str = "", user: User | None = None) -> None:
    """Raises AccountError when the new password breaks a rule of auth/passwords.py."""
    message = passwords.problem(password, username, user.check_password if user is not None else None)
    if message:
        raise AccountError(message, "password")
    if password != confirm:
        raise AccountError("Hai lần nhập mật khẩu không khớp.", "confirm")


def change_own_password(user: User, current: str, new: str, confirm: str) -> None:
    if not user.check_password(current):
        raise AccountError("Mật khẩu hiện tại không đúng.", "current")
    check_new_password(new, confirm, user.username, user)
    user.set_password(new)   # bumps session_epoch: every other session and remember-me token ends
    audit.record(user, "change_password", user)
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
    return stmt.join(Unit, Unit.id == User.unit_id).order_by(Unit.path, by_name(User), User.id)


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
        end_sessions(user)
    db.session.flush()


def reset_password(user: User, password: str, confirm: str, *, actor) -> None:
    check_new_password(password, confirm, user.username, user)
    user.set_password(password)
    user.failed_logins, user.locked_until = 0, None
    audit.record(actor, "reset_password", user)
    db.session.flush()


def current() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined]
