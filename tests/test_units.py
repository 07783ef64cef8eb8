"""Organisation tree: browse, lazy expand, search, create, rename, move, close, merge."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from danvan.core import units as core_units
from danvan.core.audit import AuditEvent
from danvan.core.units import Unit


@pytest.fixture
def admin(world, login_as):
    return login_as("admin", world.bdv)  # a ban: its scope is the whole province


def test_tree_shows_province_children_and_lazy_expand(admin, world, count_queries):
    body = admin.get("/don-vi/").get_data(as_text=True)
    assert "Tỉnh ủy Thử Nghiệm" in body and "Huyện ủy Ba Bể" in body
    assert "Phường Xuất Hóa" not in body  # communes load on expand
    fragment = admin.hx_get(f"/don-vi/{world.d1.id}/con").get_data(as_text=True)
    assert "Phường Xuất Hóa" in fragment and "Xã Nam Mẫu" in fragment and "<html" not in fragment
    url = f"/don-vi/{world.d1.id}/con"
    with count_queries() as few:
        admin.hx_get(url)
    for i in range(30):
        core_units.add_unit(f"Xã Thêm {i}", "xa", parent=world.d1)
    with count_queries() as many:
        assert "Xã Thêm 29" in admin.hx_get(url).get_data(as_text=True)
    assert many.count == few.count


def test_search_is_accent_insensitive_and_scoped(world, login_as, admin):
    assert "Phường Xuất Hóa" in admin.hx_get("/don-vi/?q=xuat+hoa").get_data(as_text=True)
    assert "Thị trấn Bằng Lũng" in admin.hx_get("/don-vi/?q=BANG LUNG").get_data(as_text=True)
    district = login_as("viewer", world.d1b)
    body = district.hx_get("/don-vi/?q=bang+lung").get_data(as_text=True)
    assert "Bằng Lũng" not in body and "Không tìm thấy" in body
    assert district.get(f"/don-vi/{world.c3.id}").status_code == 404
    assert district.hx_get(f"/don-vi/{world.d2.id}/con").status_code == 404


def test_commune_user_sees_only_itself(world, login_as):
    commune = login_as("officer", world.c1)
    body = commune.get("/don-vi/").get_data(as_text=True)
    assert "Phường Xuất Hóa" in body and "Huyện ủy Ba Bể" not in body
    assert commune.get(f"/don-vi/{world.c2.id}").status_code == 404


def test_create_unit(admin, world, db_session):
    response = admin.post_form("/don-vi/moi", {"name": "Xã  Mới Lập", "kind": "xa", "code": "ĐU",
                                               "parent_id": world.d2.id, "valid_from": "2024-01-01"})
    assert response.status_code == 303
    unit = db_session.scalar(sa.select(Unit).where(Unit.name == "Xã  Mới Lập"))
    assert unit.path == f"{world.d2.path}{unit.id}/" and unit.depth == 2 and unit.name_key == "xa moi lap"


@pytest.mark.parametrize("data, message", [
    ({"name": ""}, "Nhập tên đơn vị."),
    ({"name": "x" * 10_000}, "Tối đa 200 ký tự."),
    ({"kind": "thon", "parent_id": "D1"}, "Không thể đặt «Thôn, tổ dân phố» trực thuộc «Huyện ủy, Thành ủy»."),
    ({"kind": "bogus"}, "Chọn loại đơn vị."),
    ({"code": "HU/BD"}, "Ký hiệu viết liền"),
    ({"parent_id": "9999999"}, "Đơn vị cấp trên không hợp lệ"),
    ({"valid_from": "31/02/2024"}, "Ngày không hợp lệ"),
])
def test_create_unit_bad_input(admin, world, db_session, data, message):
    before = db_session.scalar(sa.select(sa.func.count()).select_from(Unit))
    form = {"name": "Xã Thử", "kind": "xa", "code": "ĐU", "parent_id": world.d1.id, **data}
    if form["parent_id"] == "D1":
        form["parent_id"] = world.d1.id
    response = admin.post_form("/don-vi/moi", form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Unit)) == before


def test_district_admin_cannot_create_outside_scope(world, login_as):
    district_admin = login_as("admin", world.d1b)
    response = district_admin.post_form("/don-vi/moi", {"name": "Xã Lạ", "kind": "xa", "parent_id": world.d2.id})
    assert response.status_code == 422
    assert "ngoài phạm vi quản lý" in response.get_data(as_text=True)


def test_rename_and_move_rewrites_subtree_paths(admin, world, db_session, create_unit):
    village = create_unit("Thôn Nà Làng", "thon", world.c1)
    response = admin.post_form(f"/don-vi/{world.c1.id}", {
        "name": "Phường Xuất Hóa (mới)", "code": "ĐU", "parent_id": world.d2.id, "version": world.c1.version})
    assert response.status_code == 303
    db_session.refresh(world.c1)
    db_session.refresh(village)
    assert world.c1.name == "Phường Xuất Hóa (mới)" and world.c1.parent_id == world.d2.id
    assert world.c1.path == f"{world.d2.path}{world.c1.id}/"
    assert village.path == f"{world.c1.path}{village.id}/" and village.depth == 3
    moved = db_session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "move"))
    assert moved is not None and moved.object_id == world.c1.id


def test_cannot_move_into_own_subtree(admin, world, create_unit):
    response = admin.post_form(f"/don-vi/{world.d1.id}", {
        "name": world.d1.name, "code": "HU", "parent_id": world.c1.id, "version": world.d1.version})
    assert response.status_code == 422


def test_stale_rename_is_refused_with_input_kept(admin, world):
    response = admin.post_form(f"/don-vi/{world.c2.id}", {"name": "Tên của tôi", "code": "ĐU",
                                                         "parent_id": world.d1.id, "version": 0})
    body = response.get_data(as_text=True)
    assert response.status_code == 409 and "vừa được người khác cập nhật" in body and "Tên của tôi" in body


def test_close_unit(admin, world, db_session):
    refused = admin.post_form(f"/don-vi/{world.d2.id}/dong", {"on": "2025-07-01"}, follow_redirects=True)
    assert "còn 1 đơn vị trực thuộc đang hoạt động" in refused.get_data(as_text=True)
    assert admin.post_form(f"/don-vi/{world.c3.id}/dong", {"on": "2025-07-01"}).status_code == 303
    db_session.refresh(world.c3)
    assert world.c3.valid_to == date(2025, 7, 1)
    tree = admin.hx_get(f"/don-vi/{world.d2.id}/con").get_data(as_text=True)
    assert "Bằng Lũng" not in tree
    assert "ngừng hoạt động" in admin.get(f"/don-vi/{world.c3.id}").get_data(as_text=True)


def test_merge_communes_into_successor(admin, world, db_session, create_unit):
    village = create_unit("Tổ dân phố 1", "thon", world.c1)
    moved_calls = []
    core_units.register_open_work_mover("thử nghiệm", lambda old, new: moved_calls.append((old.id, new.id)) or 2)
    try:
        response = admin.post_form("/don-vi/sap-nhap", {
            "unit_ids": [world.c1.id, world.c2.id], "name": "Phường Xuất Hóa – Nam Mẫu", "code": "ĐU",
            "parent_id": world.d1.id, "on": "2025-07-01", "move_open_work": "y"}, follow_redirects=True)
    finally:
        core_units._open_work_movers.pop("thử nghiệm")
    assert response.status_code == 200
    assert "Đã sáp nhập 2 đơn vị" in response.get_data(as_text=True)
    successor = db_session.scalar(sa.select(Unit).where(Unit.name == "Phường Xuất Hóa – Nam Mẫu"))
    for old in (world.c1, world.c2):
        db_session.refresh(old)
        assert old.valid_to == date(2025, 7, 1) and old.successor_id == successor.id
    db_session.refresh(village)
    assert village.parent_id == successor.id and village.path.startswith(successor.path)
    assert sorted(moved_calls) == sorted([(world.c1.id, successor.id), (world.c2.id, successor.id)])
    detail = admin.get(f"/don-vi/{successor.id}").get_data(as_text=True)
    assert "Hình thành từ" in detail and "Phường Xuất Hóa" in detail


@pytest.mark.parametrize("ids, message", [
    ("one", "Chọn ít nhất hai đơn vị"),
    ("mixed", "Chỉ sáp nhập các đơn vị cùng loại"),
])
def test_merge_bad_input(admin, world, db_session, ids, message):
    unit_ids = {"one": [world.c1.id], "mixed": [world.c1.id, world.d2.id]}[ids]
    response = admin.post_form("/don-vi/sap-nhap", {"unit_ids": unit_ids, "name": "Mới", "parent_id": world.d1.id,
                                                   "on": "2025-07-01"})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db_session.refresh(world.c1)
    assert world.c1.valid_to is None


def test_merge_ignores_units_outside_scope(world, login_as, db_session):
    district_admin = login_as("admin", world.d1b)
    response = district_admin.post_form("/don-vi/sap-nhap", {
        "unit_ids": [world.c1.id, world.c3.id], "name": "Mới", "parent_id": world.d1.id, "on": "2025-07-01"})
    assert response.status_code == 422  # c3 is silently out of reach: only one unit left
    db_session.refresh(world.c3)
    assert world.c3.valid_to is None
