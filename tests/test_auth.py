"""Login, lock-out, sessions, own password: behaviour through HTTP, bad input never a 500."""
from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
import sqlalchemy as sa

from danvan.auth.models import User
from danvan.core.audit import AuditEvent
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
    ("nguyen.van.an", "sai-mat-khau", "Tên đăng nhập hoặc mật khẩu không đúng."),
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


def _login_from(app, address: str, username: str, password: str = PASSWORD):
    c = app.test_client()
    c.environ_base["REMOTE_ADDR"] = address
    return _login(c, username, password)


def test_unknown_user_and_wrong_password_get_one_answer(app, officer):
    unknown = _login_from(app, "10.0.0.1", "khong.ton.tai", "sai-mat-khau")
    wrong = _login_from(app, "10.0.0.1", "nguyen.van.an", "sai-mat-khau")
    assert unknown.status_code == wrong.status_code == 422

    def message(response):
        body = response.get_data(as_text=True)
        main = body[body.index('<main'):body.index('</main>')].replace("khong.ton.tai", "nguyen.van.an")
        return re.sub(r'value="[^"]*"', "", main)  # CSRF tokens differ per client

    assert message(unknown) == message(wrong)
    assert "lần thử" not in message(wrong)


def test_lockout_is_per_account_and_address_and_audited(app, officer, db_session, login_as, world):
    for _ in range(4):
        assert _login_from(app, "10.0.0.66", "nguyen.van.an", "sai").status_code == 422
    fifth = _login_from(app, "10.0.0.66", "nguyen.van.an", "sai").get_data(as_text=True)
    assert "tạm bị chặn 15 phút" in fifth
    # Even the right password is refused from that address while locked…
    locked = _login_from(app, "10.0.0.66", "nguyen.van.an")
    assert locked.status_code == 422 and "tạm bị chặn" in locked.get_data(as_text=True)
    # …but the owner, from their own machine, still logs in: the attacker cannot keep them out.
    assert _login_from(app, "10.0.0.7", "nguyen.van.an").status_code == 303
    # An unknown account locks the same way (the answers tell nothing about existence).
    for _ in range(5):
        _login_from(app, "10.0.0.67", "khong.ton.tai", "sai")
    assert "tạm bị chặn" in _login_from(app, "10.0.0.67", "khong.ton.tai", "sai").get_data(as_text=True)
    events = db_session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "User", AuditEvent.object_id == officer.id)).all()
    assert [e.action for e in events].count("login_failed") == 4
    assert [e.action for e in events].count("locked") == 1
    # Admins see the lock-out, with the address, on the account's page and in the audit log.
    admin = login_as("admin", world.p)
    page = admin.get(f"/quan-tri/nguoi-dung/{officer.id}").get_data(as_text=True)
    assert "bị chặn đăng nhập" in page and "10.0.0.66" in page
    assert "locked" in admin.get("/quan-tri/nhat-ky/").get_data(as_text=True) or \
        "10.0.0.66" in admin.get("/quan-tri/nhat-ky/").get_data(as_text=True)


def test_failed_logins_per_address_are_limited_with_429(app, world, create_user):
    users = [create_user(world.c1, ["officer"], username=f"thu.{i}") for i in range(12)]
    codes = [_login_from(app, "10.9.9.9", u.username, "sai-mat-khau").status_code for u in users]
    assert codes[:10] == [422] * 10 and codes[10:] == [429, 429]
    refused = _login_from(app, "10.9.9.9", users[0].username, "sai-mat-khau")
    assert refused.status_code == 429 and "Quá nhiều yêu cầu" in refused.get_data(as_text=True)
    # Another address is not affected.
    assert _login_from(app, "10.9.9.10", users[0].username).status_code == 303


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
    (PASSWORD, "ngan", "ngan", "ít nhất 10 ký tự"),
    (PASSWORD, "123456789", "123456789", "ít nhất 10 ký tự"),
    (PASSWORD, "1234567890", "1234567890", "quá phổ biến"),
    (PASSWORD, "password123", "password123", "quá phổ biến"),
    (PASSWORD, "QWERTYUIOP", "QWERTYUIOP", "quá phổ biến"),
    (PASSWORD, "danvan@2023", "danvan@2023", "quá phổ biến"),
    (PASSWORD, PASSWORD, PASSWORD, "khác mật khẩu hiện tại"),
    (PASSWORD, "mat-khau-moi-1", "khac-han-nhe", "không khớp"),
    (PASSWORD, "Nguyen.Van.An", "Nguyen.Van.An", "trùng tên đăng nhập"),
    (PASSWORD, "nguyen.van.an1", "nguyen.van.an1", "trùng tên đăng nhập"),
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


def test_logout_ends_every_copy_of_the_session(app, client, officer):
    _login(client, "nguyen.van.an")
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    assert copy.get("/").status_code == 200          # a stolen copy works while logged in…
    assert client.post_form("/dang-xuat").status_code == 303
    assert copy.get("/").status_code == 302          # …and dies with the logout


def test_remember_me_lasts_at_most_30_days_and_dies_on_logout(app, client, officer):
    response = client.post_form("/dang-nhap", {"username": "nguyen.van.an", "password": PASSWORD,
                                               "remember": "y"})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token="))
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    assert timedelta(days=29) < expires - datetime.now(UTC) <= timedelta(days=30)
    token = client.get_cookie("remember_token").value
    thief = app.test_client()
    thief.set_cookie("remember_token", token)
    assert thief.get("/").status_code == 200         # the token logs in on its own
    client.post_form("/dang-xuat")
    later = app.test_client()
    later.set_cookie("remember_token", token)
    assert later.get("/").status_code == 302


def test_password_change_ends_remember_me_tokens(app, client, officer):
    other = app.test_client()
    other.post_form("/dang-nhap", {"username": "nguyen.van.an", "password": PASSWORD, "remember": "y"})
    token = other.get_cookie("remember_token").value
    _login(client, "nguyen.van.an")
    assert client.post_form("/tai-khoan/mat-khau", {"current": PASSWORD, "password": "mot-cau-de-nho-9",
                                                     "confirm": "mot-cau-de-nho-9"}).status_code == 303
    thief = app.test_client()
    thief.set_cookie("remember_token", token)
    assert thief.get("/").status_code == 302
