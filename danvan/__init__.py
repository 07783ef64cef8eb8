"""danvan: the mass-mobilisation portal. create_app() builds the Flask application."""
from __future__ import annotations

import importlib
import importlib.util
import logging

from flask import Flask, Request, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf
from werkzeug.exceptions import HTTPException

from danvan.config import INSTANCE, ROOT, Config
from danvan.core import access, assets, cache, htmx, nav, transaction, vntext
from danvan.extensions import csrf, db, login_manager, migrate

# One package per feature, each with views.py exposing `bp`. Order is navigation order only.
FEATURES = (
    "units", "auth", "auditlog", "dashboard", "attachments",
    "notifications", "calls", "plans", "initiatives", "programme", "blocs", "conferences", "printing",
)

ERROR_TITLES = {
    400: "Yêu cầu không hợp lệ",
    403: "Không có quyền truy cập",
    404: "Không tìm thấy trang",
    405: "Thao tác không được hỗ trợ",
    413: "Tệp quá lớn",
    422: "Dữ liệu không hợp lệ",
    429: "Quá nhiều yêu cầu",
    500: "Lỗi hệ thống",
}
ERROR_TEXTS = {
    400: "Yêu cầu gửi lên không hợp lệ. Vui lòng quay lại và thử lại.",
    403: "Tài khoản của bạn không có quyền thực hiện thao tác này.",
    404: "Trang hoặc dữ liệu bạn tìm không tồn tại, hoặc nằm ngoài phạm vi đơn vị của bạn.",
    405: "Thao tác này không được hỗ trợ tại địa chỉ này.",
    413: "Tệp tải lên vượt quá giới hạn 20 MB. Vui lòng chọn tệp nhỏ hơn.",
    422: "Dữ liệu gửi lên không hợp lệ.",
    429: "Bạn thao tác quá nhanh, vui lòng đợi một chút.",
    500: "Đã có lỗi xảy ra. Dữ liệu chưa được lưu; vui lòng thử lại hoặc báo quản trị viên.",
}


class VNRequest(Request):
    # Every query and form parameter reaches the views NFC-normalised.
    parameter_storage_class = vntext.NFCMultiDict


def feature_modules(name: str) -> list:
    """Import `danvan.<feature>.<name>` for every feature that has it (views, demo, …)."""
    found = []
    for feature in FEATURES:
        if importlib.util.find_spec(f"danvan.{feature}") is None:  # a typo must not hide a feature
            raise RuntimeError(f"FEATURES lists {feature!r} but danvan/{feature}/ does not exist")
        if importlib.util.find_spec(f"danvan.{feature}.{name}") is not None:
            found.append(importlib.import_module(f"danvan.{feature}.{name}"))
    return found


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(INSTANCE), template_folder="../templates",
                static_folder="../static")
    app.request_class = VNRequest
    app.config.from_object(Config)
    if config:
        app.config.update(config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # psycopg prepares a statement after 5 runs, and PostgreSQL may then switch it to a generic
        # plan: measured orders of magnitude slower for our prefix/range roll-ups. Plan each time
        # (None = never prepare; keep it when adding connect_args). Run ANALYZE after bulk loads.
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {"prepare_threshold": None, **options.get("connect_args", {})}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    cache.init_app(app)
    assets.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"

    from danvan.auth import service as auth_service  # models must be imported before use

    login_manager.user_loader(auth_service.load_user)
    login_manager.unauthorized_handler(auth_service.unauthorized)

    # Import every model so metadata (and Alembic autogenerate) knows every table.
    from danvan.core import files, numbering, workflow  # noqa: F401

    feature_modules("models")
    for module in feature_modules("views"):
        app.register_blueprint(module.bp)

    transaction.init_app(app)
    from danvan import cli

    cli.register(app)
    _register_template_helpers(app)
    _register_error_pages(app)
    _register_hooks(app)
    return app


def _register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters.update(
        date=vntext.fmt_date, datetime=vntext.fmt_datetime, number=vntext.fmt_number,
        count=vntext.fmt_count, decimal=vntext.fmt_decimal, duration=vntext.fmt_duration,
    )
    app.jinja_env.globals.update(can=access.can, has_permission=access.has_permission,
                                 ROLES=access.ROLES, csrf_token=generate_csrf,
                                 now_utc=vntext.now_utc)

    @app.context_processor
    def inject_nav():
        if not current_user.is_authenticated:
            return {"nav_main": [], "nav_admin": []}
        return {"nav_main": nav.items_for(current_user, "main"),
                "nav_admin": nav.items_for(current_user, "admin")}


def _register_error_pages(app: Flask) -> None:
    def render_error(code: int, message: str | None = None):
        db.session.rollback()
        template = "errors/_fragment.html" if htmx.is_htmx() else "errors/error.html"
        body = render_template(template, code=code, title=ERROR_TITLES.get(code, "Lỗi"),
                               message=message or ERROR_TEXTS.get(code, ""))
        return body, code

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ "
                                 "(thiếu mã bảo vệ CSRF). Vui lòng tải lại trang và thử lại.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code)

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        logging.getLogger("danvan").exception("unhandled error on %s", request.path)
        if app.config.get("PROPAGATE_EXCEPTIONS"):
            raise error
        return render_error(500)


def _register_hooks(app: Flask) -> None:
    @app.after_request
    def headers(response):
        htmx.add_vary(response)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if current_user.is_authenticated:
            # Pages change under the user: no back-button copies of stale lists.
            response.headers.setdefault("Cache-Control", "no-store")
        return response
