"""User administration: scoped list with accent-insensitive active search, create/edit/disable/reset."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from danvan.auth.models import User


@pytest.fixture
def admin(world, login_as):
    return login_as("admin", world.p)


@pytest.fixture
def people(world, create_user):
    return {
        "an": create_user(world.c1, ["officer"], username="an.nv", full_name="Nguyễn Văn An"),
        "binh": create_user(world.c3, ["leader"], username="binh.nv", full_name="Nguyễn Văn Bình"),
        "dung": create_user(world.c2, ["viewer"], username="dung.dt", full_name="Đặng Thị Dung"),
    }


def test_search_without_accents_finds_vietnamese_names(admin, people):
    response = admin.hx_get("/quan-tri/nguoi-dung?q=nguyen+van")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nguyễn Văn An" in body and "Nguyễn Văn Bình" in body and "Đặng Thị Dung" not in body
    assert 'id="user-rows"' in body and "<html" not in body  # the fragment only
    assert "HX-Request" in response.headers["Vary"]
    assert "Đặng Thị Dung" in admin.hx_get("/quan-tri/nguoi-dung?q=dang+thi").get_data(as_text=True)
    # typed with accents, upper case, decomposed: same result
    assert "Nguyễn Văn An" in admin.hx_get("/quan-tri/nguoi-dung?q=NGUYE%CC%82%CC%83N").get_data(as_text=True)


def test_search_treats_like_wildcards_literally(admin, people):
    body = admin.hx_get("/quan-tri/nguoi-dung?q=%25").get_data(as_text=True)
    assert "Không có người dùng nào" in body


def test_list_is_scoped_to_the_admins_subtree(world, login_as, people):
    district_admin = login_as("admin", world.d1b)
    body = district_admin.get("/quan-tri/nguoi-dung").get_data(as_text=True)
    assert "Nguyễn Văn An" in body and "Đặng Thị Dung" in body
    assert "Nguyễn Văn Bình" not in body  # commune of another district
    assert district_admin.get(f"/quan-tri/nguoi-dung/{people['binh'].id}").status_code == 404


def test_list_paginates_with_constant_queries(admin, world, create_user, count_queries):
    for i in range(5):
        create_user(world.c1, ["officer"], full_name=f"Cán bộ {i}")
    with count_queries() as small:
        assert admin.get("/quan-tri/nguoi-dung").status_code == 200
    for i in range(60):
        create_user(world.c2, ["viewer", "officer"], full_name=f"Người xem {i}")
    with count_queries() as large:
        page = admin.get("/quan-tri/nguoi-dung").get_data(as_text=True)
    assert large.count == small.count
    assert "Trang 1/3" in page
    assert "Trang 2/3" in admin.get("/quan-tri/nguoi-dung?page=2").get_data(as_text=True)
    assert admin.get("/quan-tri/nguoi-dung?page=abc").status_code == 200


VALID = {"username": "tran.thi.mai", "full_name": "Trần Thị Mai", "title": "Chuyên viên",
         "roles": ["officer"], "password": "mat-khau-du-dai", "confirm": "mat-khau-du-dai"}


def test_create_user(admin, world, db_session):
    response = admin.post_form("/quan-tri/nguoi-dung/moi", {**VALID, "unit_id": world.c1.id})
    assert response.status_code == 303
    user = db_session.scalar(sa.select(User).where(User.username == "tran.thi.mai"))
    assert user.unit_id == world.c1.id and user.roles == {"officer"} and user.check_password("mat-khau-du-dai")
    assert user.password_hash != "mat-khau-du-dai"


@pytest.mark.parametrize("changes, message", [
    ({"username": ""}, "Nhập tên đăng nhập."),
    ({"username": "x" * 10_000}, "Tên đăng nhập dài 3–60 ký tự."),
    ({"username": "trần.mai"}, "chỉ gồm chữ không dấu"),
    ({"username": "<b>x</b>"}, "chỉ gồm chữ không dấu"),
    ({"full_name": ""}, "Nhập họ và tên."),
    ({"full_name": "A" * 10_000}, "Tối đa 120 ký tự."),
    ({"roles": []}, "Chọn ít nhất một vai trò."),
    ({"roles": ["superuser"]}, "Vai trò không hợp lệ."),
    ({"password": "ngan", "confirm": "ngan"}, "ít nhất 10 ký tự"),
    ({"password": "12345678", "confirm": "12345678"}, "ít nhất 10 ký tự"),
    ({"password": "qwertyuiop", "confirm": "qwertyuiop"}, "quá phổ biến"),
    ({"confirm": "khong-khop-nhe"}, "không khớp"),
    ({"unit_id": "abc"}, "Chọn đơn vị."),
])
def test_create_user_bad_input(admin, world, db_session, changes, message):
    before = db_session.scalar(sa.select(sa.func.count()).select_from(User))
    response = admin.post_form("/quan-tri/nguoi-dung/moi", {**VALID, "unit_id": world.c1.id, **changes})
    assert response.status_code == 422, response.status_code
    assert message in response.get_data(as_text=True)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(User)) == before


def test_duplicate_username_any_case(admin, world, people):
    response = admin.post_form("/quan-tri/nguoi-dung/moi", {**VALID, "username": "AN.NV", "unit_id": world.c1.id})
    assert response.status_code == 422
    assert "Tên đăng nhập «an.nv» đã được dùng." in response.get_data(as_text=True)


def test_cannot_place_user_outside_own_scope(world, login_as, db_session):
    district_admin = login_as("admin", world.d1b)
    response = district_admin.post_form("/quan-tri/nguoi-dung/moi", {**VALID, "unit_id": world.c3.id})
    assert response.status_code == 422
    assert "ngoài phạm vi" in response.get_data(as_text=True)
    assert db_session.scalar(sa.select(User).where(User.username == "tran.thi.mai")) is None


def test_html_in_names_is_escaped(admin, world):
    admin.post_form("/quan-tri/nguoi-dung/moi", {**VALID, "full_name": "<script>alert(1)</script>",
                                                 "unit_id": world.c1.id})
    body = admin.get("/quan-tri/nguoi-dung").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body


def test_edit_user_and_stale_edit_keeps_input(admin, world, people, db_session):
    user = people["an"]
    form = {"full_name": "Nguyễn Văn An (sửa)", "title": "Phó Chủ tịch", "unit_id": world.c2.id,
            "roles": ["officer", "leader"], "version": user.version}
    assert admin.post_form(f"/quan-tri/nguoi-dung/{user.id}", form).status_code == 303
    db_session.refresh(user)
    assert user.full_name == "Nguyễn Văn An (sửa)" and user.unit_id == world.c2.id
    assert user.roles == {"officer", "leader"}
    stale = admin.post_form(f"/quan-tri/nguoi-dung/{user.id}", {**form, "full_name": "Bản cũ của tôi",
                                                                "version": user.version - 1})
    body = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "vừa được người khác cập nhật" in body and "Bản cũ của tôi" in body
    db_session.refresh(user)
    assert user.full_name == "Nguyễn Văn An (sửa)"


def test_admin_cannot_remove_own_admin_role_or_disable_self(admin, world):
    me = admin.user
    response = admin.post_form(f"/quan-tri/nguoi-dung/{me.id}", {
        "full_name": me.full_name, "unit_id": world.p.id, "roles": ["viewer"], "version": me.version})
    assert response.status_code == 422
    assert "tự bỏ vai trò quản trị" in response.get_data(as_text=True)
    admin.post_form(f"/quan-tri/nguoi-dung/{me.id}/trang-thai")
    assert admin.get("/").status_code == 200


def test_reset_password_unlocks_and_ends_sessions(app, admin, people, db_session):
    user = people["an"]
    victim = app.test_client()
    with victim.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
    assert victim.get("/").status_code == 200
    bad = admin.post_form(f"/quan-tri/nguoi-dung/{user.id}/dat-lai-mat-khau", {"password": "a", "confirm": "a"})
    assert bad.status_code == 422 and "ít nhất 10 ký tự" in bad.get_data(as_text=True)
    ok = admin.post_form(f"/quan-tri/nguoi-dung/{user.id}/dat-lai-mat-khau",
                         {"password": "mat-khau-moi-99", "confirm": "mat-khau-moi-99"})
    assert ok.status_code == 303
    assert victim.get("/").status_code == 302
    db_session.refresh(user)
    assert user.check_password("mat-khau-moi-99")
