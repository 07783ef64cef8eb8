"""Settings read from the environment. Nothing secret lives in code."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("DANVAN_INSTANCE", ROOT / "instance"))


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    INSTANCE.mkdir(parents=True, exist_ok=True)
    path = INSTANCE / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = _secret_key()
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE / 'danvan.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL", "")  # cache (and jobs) shared by every app server
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE / "uploads"))
    # Attachments are limited to 20 MB each; the request may carry a little form data too.
    MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
    MAX_CONTENT_LENGTH = 21 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE")
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE")
    PERMANENT_SESSION_LIFETIME = timedelta(hours=int(os.environ.get("SESSION_HOURS", "10")))
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead: forms left open all day still post
    TIMEZONE = "Asia/Ho_Chi_Minh"
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 15
    PROVINCE_PLACE = os.environ.get("PROVINCE_PLACE", "Bắc Kạn")
    PER_PAGE = 25

    # --- deployment: jobs, files, several app servers (issue 11) ---------------------------
    # Jobs: Huey on Redis when REDIS_URL is set, else on SQLite storage in instance/.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    HUEY_NAME = os.environ.get("HUEY_NAME", "danvan")
    HUEY_SQLITE_PATH = os.environ.get("HUEY_SQLITE_PATH", str(INSTANCE / "huey.db"))
    JOB_RESULT_DAYS = int(os.environ.get("JOB_RESULT_DAYS", "3"))
    # A running job whose progress has not moved for this long is presumed dead (its consumer
    # was killed) and queued again; the attempt number keeps the old run from finishing too.
    JOB_STALE_SECONDS = int(os.environ.get("JOB_STALE_SECONDS", "300"))
    # Files: "folder" (UPLOAD_DIR) or "database" (bytes in the database, for several servers).
    FILE_STORAGE = os.environ.get("FILE_STORAGE", "folder")
    # Number of trusted proxies in front of the app (one balancer): client address from it.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    # SQLite: how long a request waits for another's write lock before answering 503.
    SQLITE_BUSY_SECONDS = float(os.environ.get("SQLITE_BUSY_SECONDS", "10"))

    # Hardening (issue 12) ----------------------------------------------------------------
    # Rate limits share Redis with the other app servers when REDIS_URL is set (core/security).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or None
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute; 60 per hour")
    # Remember-me cookie: at most 30 days (ASVS 3.3); the session epoch still ends it early.
    REMEMBER_COOKIE_DURATION = timedelta(days=min(30, int(os.environ.get("REMEMBER_DAYS", "30"))))


EMBEDDED_DATABASE_URL = f"sqlite:///{INSTANCE / 'danvan.db'}"


def require_secret_key(database_url: str) -> None:
    """Any database but the embedded default means several servers or a real deployment:
    a key generated into one server's instance/ would differ between servers, so refuse."""
    if database_url != EMBEDDED_DATABASE_URL and not os.environ.get("SECRET_KEY"):
        raise RuntimeError(
            "SECRET_KEY phải được đặt trong biến môi trường khi DATABASE_URL không phải CSDL nhúng mặc định "
            "(mọi máy chủ ứng dụng dùng chung một khoá). Ví dụ: export SECRET_KEY=$(python3 -c "
            "'import secrets; print(secrets.token_hex(32))')")
