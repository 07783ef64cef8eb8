"""Demo safety and deployment checks: the published demo password must never guard real data.

`make run` seeds the demo into the embedded default database only; `flask seed-demo` refuses a
database holding accounts it did not create; `flask check-deploy` lists what is unsafe; admins
see a red banner while a demo account still opens with the demo password on a real database.
"""
from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask, current_app
from werkzeug.security import check_password_hash

from danvan.auth.demo import DEMO_PASSWORD
from danvan.auth.models import User
from danvan.config import Config
from danvan.extensions import db

# Demo accounts share one password hash (demo.seed hashes once): checking each distinct hash is
# cheap, and the verdict is kept until the set of hashes changes.
_VERDICTS: dict[tuple[str, ...], int] = {}


def is_embedded(app: Flask | None = None) -> bool:
    """The embedded default: SQLite in instance/, the database `make run` creates."""
    app = app or current_app
    return app.config["SQLALCHEMY_DATABASE_URI"] == Config.SQLALCHEMY_DATABASE_URI and \
        not os.environ.get("DATABASE_URL")


def demo_accounts_with_demo_password() -> int:
    """How many active demo accounts still open with the published demo password."""
    rows = db.session.execute(sa.select(User.password_hash, sa.func.count()).where(
        User.is_demo.is_(True), User.active.is_(True)).group_by(User.password_hash)).all()
    key = tuple(sorted(h for h, _ in rows))
    if key not in _VERDICTS:
        weak = {h for h, _ in rows if check_password_hash(h, DEMO_PASSWORD)}
        _VERDICTS.clear()
        _VERDICTS[key] = sum(n for h, n in rows if h in weak)
    return _VERDICTS[key]


def foreign_accounts() -> int:
    """Accounts that `flask seed-demo` did not create."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.is_demo.is_(False))) or 0


def problems(app: Flask) -> list[str]:
    """What makes this deployment unsafe, in Vietnamese; empty when nothing does."""
    out = []
    demo = demo_accounts_with_demo_password()
    if demo:
        out.append(f"{demo} tài khoản mẫu còn dùng mật khẩu mẫu công khai «{DEMO_PASSWORD}»: "
                   "vô hiệu hóa hoặc đổi mật khẩu trước khi mở cho người dùng.")
    if not os.environ.get("SECRET_KEY"):
        out.append("SECRET_KEY không được đặt trong biến môi trường (đang dùng khóa sinh tự động trong "
                   "instance/): mỗi máy chủ sẽ có khóa khác nhau.")
    if not (app.config.get("SESSION_COOKIE_SECURE") and app.config.get("REMEMBER_COOKIE_SECURE")):
        out.append("Cookie phiên không có cờ Secure: đặt SESSION_COOKIE_SECURE=1 khi chạy sau HTTPS.")
    if app.debug or os.environ.get("FLASK_DEBUG", "").lower() in {"1", "true", "yes", "on"}:
        out.append("Chế độ gỡ lỗi (debug) đang bật: tắt FLASK_DEBUG.")
    if not is_embedded(app) and app.config.get("RATELIMIT_STORAGE_URI", "").startswith("memory://"):
        out.append("Giới hạn đăng nhập đang lưu trong bộ nhớ từng tiến trình: đặt REDIS_URL để các máy "
                   "chủ dùng chung bộ đếm.")
    return out


def banner() -> str | None:
    """The administrators' red banner, or None."""
    if is_embedded():
        return None
    demo = demo_accounts_with_demo_password()
    if not demo:
        return None
    return (f"Cảnh báo bảo mật: {demo} tài khoản mẫu (kể cả «admin») vẫn đăng nhập được bằng mật khẩu mẫu "
            "công khai trên cơ sở dữ liệu thật. Hãy vô hiệu hóa hoặc đổi mật khẩu các tài khoản này ngay.")
