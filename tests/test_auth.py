"""Login, lock-out, sessions, own password: behaviour through HTTP, bad input never a 500."""
from __future__ import annotations

import unicodedata
from datetime import timedelta

import pytest
import sqlalchemy as sa

from danvan.auth.models import User
from danvan.core.audit import AuditEvent
from danvan.core.vntext import now_utc
from tests.conftest import PASSWORD


@pytest.fixture
def officer(world, create_user):
    return create_user(world.c1, ["officer"], username="nguyen.van.an", full_name="Nguyễn Văn An")


def _login(client, username, password=PASSWORD):
    return client.post_form("/dang-nhap", {"username": username, "password": password})


def test_login_success_redirects_home_and_shows_user(client, officer):
    response = _login(client, "Nguyen.Van.An ")  # case and spaces are forgiven
    assert response.status_code == 303
    page = client.get("/").get_data(as_text=True)
    assert "Nguyễn Văn An" in page and "Phường Xuất Hóa" in page and "Cán bộ (soạn, gửi)" in page


@pytest.mark.parametrize("username, password, message", [
    ("", PASSWORD, "Nhập tên đăng nhập."),
    ("nguyen.van.an", "", "Nhập mật khẩu."),
    ("x" * 10_000, PASSWORD, "Tối đa 60 ký tự."),
    ("nguyen.van.an", "p" * 10_000, "Tối đa 200 ký tự."),
    ("<script>alert(1)</script>", PASSWORD, "Tên đăng nhập hoặc mật khẩu không đúng."),
    ("khong.ton.tai", PASSWORD, "Tên đăng nhập hoặc mật khẩu không đúng."),
    ("nguyen.van.an", "sai-mat-khau", "Còn 4 lần thử"),
])
def test_bad_login_input(client, officer, username, password, message):
    response = _login(client, username, password)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in body
    assert "<script>alert(1)</script>" not in body
    assert client.get("/").status_code == 302  # still logged out


def test_decomposed_unicode_is_normalised(client, create_user, world, db_session):
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hoà")
    client_admin_user = create_user(world.p, ["admin"], username="quantri")
    with client.session_transaction() as sess:
        sess["_user_id"] = client_admin_user.get_id()
    response = client.post_form("/quan-tri/nguoi-dung/moi", {
        "username": "hoa.nt", "full_name": decomposed, "unit_id": world.c1.id, "roles": ["officer"],
        "password": "mat-khau-dai-8", "confirm": "mat-khau-dai-8"})
    assert response.status_code == 303
    stored = db_session.scalar(sa.select(User.full_name).where(User.username == "hoa.nt"))
    assert stored == unicodedata.normalize("NFC", "Nguyễn Thị Hoà") and stored != decomposed


def test_lockout_after_five_failures_for_fifteen_minutes(client, officer, db_session):
    for _ in range(4):
        assert _login(client, "nguyen.van.an", "sai").status_code == 422
    fifth = _login(client, "nguyen.van.an", "sai").get_data(as_text=True)
    assert "Tài khoản bị tạm khóa 15 phút" in fifth
    # Even the right password is refused while locked, and the message says why and how long.
    locked = _login(client, "nguyen.van.an")
    assert locked.status_code == 422
    assert "tạm khóa" in locked.get_data(as_text=True) and "phút" in locked.get_data(as_text=True)
    user = db_session.scalar(sa.select(User).where(User.username == "nguyen.van.an"))
    assert timedelta(minutes=14) < user.locked_until - now_utc() <= timedelta(minutes=15)
    failures = db_session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "login_failed", AuditEvent.object_id == user.id))
    assert failures == 5
    # After the lock expires the right password works again.
    user.locked_until = now_utc() - timedelta(seconds=1)
    db_session.flush()
    assert _login(client, "nguyen.van.an").status_code == 303


def test_disabled_user_cannot_log_in_and_loses_session(client, officer, db_session, login_as, world):
    assert _login(client, "nguyen.van.an").status_code == 303
    admin = login_as("admin", world.p)
    assert admin.post_form(f"/quan-tri/nguoi-dung/{officer.id}/trang-thai").status_code == 303
    assert client.get("/").status_code == 302  # the running session died
    response = _login(client, "nguyen.van.an")
    assert response.status_code == 422
    assert "Tài khoản đã bị vô hiệu hóa" in response.get_data(as_text=True)


def test_session_cookie_flags(client, officer):
    response = _login(client, "nguyen.van.an")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookie_by_config(app, officer, db_session):
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        c = app.test_client()
        response = _login(c, "nguyen.van.an")
        assert "Secure" in response.headers["Set-Cookie"]
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False


def test_next_parameter_cannot_redirect_off_site(client, officer):
    response = client.post_form("/dang-nhap?next=//evil.example/x", {"username": "nguyen.van.an",
                                                                      "password": PASSWORD})
    assert response.headers["Location"] == "/"
    client.post_form("/dang-xuat")
    response = client.post_form("/dang-nhap?next=/don-vi/", {"username": "nguyen.van.an", "password": PASSWORD})
    assert response.headers["Location"] == "/don-vi/"


def test_logout_is_post_only(client, officer):
    _login(client, "nguyen.van.an")
    assert client.get("/dang-xuat").status_code == 405
    assert client.post_form("/dang-xuat").status_code == 303
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("current, new, confirm, message", [
    ("sai", "mat-khau-moi-1", "mat-khau-moi-1", "Mật khẩu hiện tại không đúng."),
    (PASSWORD, "ngan", "ngan", "ít nhất 8 ký tự"),
    (PASSWORD, "mat-khau-moi-1", "khac-han-nhe", "không khớp"),
    (PASSWORD, "Nguyen.Van.An", "Nguyen.Van.An", "không được trùng tên đăng nhập"),
    (PASSWORD, "", "", "Nhập mật khẩu mới."),
])
def test_change_password_bad_input(client, officer, current, new, confirm, message):
    _login(client, "nguyen.van.an")
    response = client.post_form("/tai-khoan/mat-khau", {"current": current, "password": new, "confirm": confirm})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_change_password_keeps_this_session_and_ends_others(app, client, officer):
    other = app.test_client()
    _login(other, "nguyen.van.an")
    _login(client, "nguyen.van.an")
    response = client.post_form("/tai-khoan/mat-khau", {"current": PASSWORD, "password": "mat-khau-moi-1",
                                                        "confirm": "mat-khau-moi-1"})
    assert response.status_code == 303
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302
    client.post_form("/dang-xuat")
    assert _login(client, "nguyen.van.an", "mat-khau-moi-1").status_code == 303


def test_error_pages_are_vietnamese(client, officer):
    _login(client, "nguyen.van.an")
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)
    response = client.get("/quan-tri/nguoi-dung")
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.get_data(as_text=True)


def test_upload_over_limit_gets_413_in_vietnamese(client, officer):
    _login(client, "nguyen.van.an")
    response = client.post("/dang-xuat", data=b"x" * (22 * 1024 * 1024),
                           headers={"Content-Type": "application/octet-stream"})
    assert response.status_code == 413
    assert "20 MB" in response.get_data(as_text=True)
