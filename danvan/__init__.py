"""danvan: the mass-mobilisation portal. create_app() builds the Flask application."""
from __future__ import annotations

import importlib
import importlib.util
import logging

from flask import Flask, Request, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from danvan.config import INSTANCE, ROOT, Config, require_secret_key
from danvan.core import access, assets, cache, files, health, htmx, jobs, nav, pagecharts, transaction, vntext
from danvan.extensions import csrf, db, login_manager, migrate

# One package per feature, each with views.py exposing `bp`. Order is navigation order only.
FEATURES = (
    "units", "auth", "auditlog", "dashboard", "attachments",
    "notifications", "calls", "plans", "initiatives", "programme", "blocs", "conferences", "inspections",
    "printing", "records", "background",
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
    503: "Hệ thống đang bận",
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
    503: "Hệ thống đang bận xử lý yêu cầu khác. Dữ liệu chưa được lưu; vui lòng thử lại sau ít giây.",
}
GENERIC_ERROR_TEXT = "Yêu cầu không thực hiện được. Vui lòng quay lại và thử lại."
BUSY_RETRY_AFTER = "5"


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
    require_secret_key(app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config["PROXY_COUNT"]:
        # Exactly the trusted balancer's hop: the client address is the one it saw.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_COUNT"],
                                x_proto=app.config["PROXY_COUNT"], x_host=app.config["PROXY_COUNT"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # psycopg prepares a statement after 5 runs, and PostgreSQL may then switch it to a generic
        # plan: measured orders of magnitude slower for our prefix/range roll-ups. Plan each time
        # (None = never prepare; keep it when adding connect_args). Run ANALYZE after bulk loads.
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {"prepare_threshold": None, **options.get("connect_args", {})}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    elif app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # Wait this long for another request's write lock, then answer 503 "Hệ thống đang bận".
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {"timeout": app.config["SQLITE_BUSY_SECONDS"], **options.get("connect_args", {})}
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

    _init_hardening(app)

    # Import every model so metadata (and Alembic autogenerate) knows every table.
    from danvan.core import files, numbering, records, signers, workflow  # noqa: F401

    feature_modules("models")
    for module in feature_modules("views"):
        app.register_blueprint(module.bp)
    jobs.init_app(app)
    feature_modules("jobs")  # job kinds and periodic tasks register on import
    health.register(app)

    transaction.init_app(app)
    from danvan import cli

    cli.register(app)
    _register_template_helpers(app)
    _register_error_pages(app)
    _register_hooks(app)
    return app


# Hardening (issue 12): bounded input, security headers, rate limits. Keep in this block. ---
def _init_hardening(app: Flask) -> None:
    """Before the blueprints: the bounded `int` converter binds when their rules are added."""
    from danvan.core import inputs, security

    inputs.init_app(app)
    security.init_app(app)
# -- end hardening ---------------------------------------------------------------------------


def _register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters.update(
        date=vntext.fmt_date, datetime=vntext.fmt_datetime, number=vntext.fmt_number,
        count=vntext.fmt_count, decimal=vntext.fmt_decimal, duration=vntext.fmt_duration,
    )
    app.jinja_env.globals.update(can=access.can, has_permission=access.has_permission,
                                 ROLES=access.ROLES, csrf_token=generate_csrf,
                                 now_utc=vntext.now_utc, pagecharts=pagecharts)

    @app.context_processor
    def inject_nav():
        if not current_user.is_authenticated:
            return {"nav_main": [], "nav_admin": [], "nav_current": None}
        main = nav.items_for(current_user, "main")
        return {"nav_main": main, "nav_admin": nav.items_for(current_user, "admin"),
                "nav_current": nav.current(main, request.endpoint)}


def _register_error_pages(app: Flask) -> None:
    def render_error(code: int, message: str | None = None):
        db.session.rollback()
        context = {"code": code, "title": ERROR_TITLES.get(code, "Lỗi"),
                   "message": message or ERROR_TEXTS.get(code, GENERIC_ERROR_TEXT)}
        headers = {"Retry-After": BUSY_RETRY_AFTER} if code == 503 else {}

        def bare() -> str:
            # Straight from the Jinja environment: no context processors, so no query for the
            # user or the menu, which a busy or unreachable database could not answer.
            name = "errors/_fragment.html" if htmx.is_htmx() else "errors/bare.html"
            return app.jinja_env.get_template(name).render(**context)

        if code == 503:
            return bare(), code, headers
        try:
            template = "errors/_fragment.html" if htmx.is_htmx() else "errors/error.html"
            body = render_template(template, **context)
        except Exception:
            db.session.rollback()
            logging.getLogger("danvan").exception("error page %s failed; serving the bare one", code)
            body = bare()
        return body, code, headers

    def busy(error: BaseException | None) -> bool:
        # SQLite's write lock still taken after the busy timeout: the user may simply retry.
        return isinstance(error, OperationalError) and "database is locked" in str(error)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ "
                                 "(thiếu mã bảo vệ CSRF). Vui lòng tải lại trang và thử lại.")

    @app.errorhandler(files.CorruptFile)
    def corrupt_file(error: files.CorruptFile):
        logging.getLogger("danvan").error("stored file %s is missing or fails its sha256 check", error)
        return render_error(500, "Tệp lưu trữ bị mất hoặc bị hỏng (mã kiểm tra sha256 không khớp) nên không "
                                 "được gửi đi. Lỗi đã được ghi lại; vui lòng báo quản trị viên.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        original = getattr(error, "original_exception", None)  # raised after the view (commit)
        if busy(original):
            logging.getLogger("danvan").warning("database busy on %s", request.path)
            return render_error(503)
        if original is not None:
            logging.getLogger("danvan").error("unhandled error on %s", request.path, exc_info=original)
        return render_error(error.code, getattr(error, "vi_message", None))

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        if busy(error):
            logging.getLogger("danvan").warning("database busy on %s", request.path)
            return render_error(503)
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
