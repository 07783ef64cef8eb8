"""Running for real: /healthz, SECRET_KEY off the embedded database, the balancer's client
address, SQLite busy → Vietnamese 503 with Retry-After, every error page in Vietnamese."""
from __future__ import annotations

import sqlite3

import pytest
from flask import request

from danvan import create_app
from danvan.config import EMBEDDED_DATABASE_URL
from danvan.core import jobs
from danvan.core.units import add_unit
from danvan.extensions import db
from tests.conftest import TMP, app_config, upgrade_schema


@pytest.fixture
def restore_queue(app):
    yield
    jobs.init_app(app)


def test_healthz_answers_without_login_and_without_data(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.is_json
    body = response.get_json()
    assert set(body) == {"db", "redis", "queue", "queue_depth"}
    assert body["db"] == "ok" and body["queue"] == "ok" and isinstance(body["queue_depth"], int)
    assert body["redis"] == ("ok" if client.application.config["REDIS_URL"] else "not configured")


def test_healthz_is_503_when_the_database_is_down(restore_queue):
    down = create_app(app_config("postgresql+psycopg://postgres@127.0.0.1:1/nothing",
                                 SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 2}}))
    response = down.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json()["db"] == "down"


def test_secret_key_must_come_from_the_environment_off_the_embedded_database(monkeypatch, restore_queue):
    monkeypatch.delenv("SECRET_KEY")
    with pytest.raises(RuntimeError, match="SECRET_KEY phải được đặt trong biến môi trường"):
        create_app(app_config("postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    embedded = create_app(app_config(EMBEDDED_DATABASE_URL))
    assert embedded.config["SECRET_KEY"]


def test_client_address_is_the_one_the_balancer_saw(restore_queue):
    behind = create_app(app_config(f"sqlite:///{TMP / 'proxy.db'}", PROXY_COUNT=1))
    behind.add_url_rule("/_addr", "addr", lambda: request.remote_addr)  # test-only probe
    c = behind.test_client()
    assert c.get("/_addr", headers={"X-Forwarded-For": "10.20.30.40"}).get_data(as_text=True) == "10.20.30.40"
    # Only one hop is trusted: an address the client forged before the balancer's is ignored.
    forged = c.get("/_addr", headers={"X-Forwarded-For": "1.2.3.4, 10.20.30.40"}).get_data(as_text=True)
    assert forged == "10.20.30.40"


@pytest.fixture
def sqlite_app(restore_queue):
    """A SQLite database of its own (the busy lock is SQLite's), whatever the test backend."""
    path = TMP / "busy.db"
    path.unlink(missing_ok=True)
    busy = create_app(app_config(f"sqlite:///{path}", SQLITE_BUSY_SECONDS=0.2, PROPAGATE_EXCEPTIONS=False))
    upgrade_schema(busy)
    from danvan.auth.models import User

    with busy.app_context():
        unit = add_unit("Xã Thử", "xa", parent=None)
        user = User(username="canbo", full_name="Cán bộ", unit=unit, active=True)
        user.set_password("mat-khau-thu-nghiem-1")
        user.set_roles(["officer"])
        db.session.add(user)
        db.session.commit()
        session_id = user.get_id()

    def boom():
        raise RuntimeError("lỗi giả lập")

    busy.add_url_rule("/_boom", "boom", boom)  # test-only: an error no view expected
    c = busy.test_client()
    with c.session_transaction() as sess:
        sess["_user_id"] = session_id
    return busy, c, path


def test_locked_sqlite_answers_a_vietnamese_503_with_retry_after(sqlite_app):
    busy, c, path = sqlite_app
    assert c.get("/cong-viec/").status_code == 200
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a long writer elsewhere holds the lock
    try:
        for headers in ({}, {"HX-Request": "true"}):
            response = c.get("/cong-viec/", headers=headers)
            assert response.status_code == 503
            assert response.headers["Retry-After"].isdigit()
            assert "Hệ thống đang bận" in response.get_data(as_text=True)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert c.get("/cong-viec/").status_code == 200


@pytest.mark.parametrize("method, url, code, title", [
    ("GET", "/khong-co-trang-nay", 404, "Không tìm thấy trang"),
    ("DELETE", "/cong-viec/", 405, "Thao tác không được hỗ trợ"),
    ("GET", "/_boom", 500, "Lỗi hệ thống"),
])
def test_every_error_page_is_vietnamese(sqlite_app, method, url, code, title):
    busy, c, path = sqlite_app
    response = c.open(url, method=method)
    page = response.get_data(as_text=True)
    assert response.status_code == code and title in page
    assert "Internal Server Error" not in page and "Not Found" not in page and "lỗi giả lập" not in page
