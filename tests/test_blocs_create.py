"""Issue 16.13: a commune's bloc is laid down from the UI — by the commune, the level above, or the units
admin right after creating the commune — in the 2023 shape and the post-2025 one (province → communes)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from danvan.blocs.models import Bloc, BlocMember
from danvan.core.units import Unit


def _bloc(db_session, unit) -> Bloc | None:
    return db_session.scalar(sa.select(Bloc).where(Bloc.unit_id == unit.id))


def test_commune_officer_creates_its_bloc_and_adds_then_removes_a_member(world, login_as, db_session):
    officer = login_as("officer", world.c2)
    page = officer.get("/khoi-dan-van/").get_data(as_text=True)
    assert "+ Lập khối dân vận" in page
    form = officer.get("/khoi-dan-van/moi").get_data(as_text=True)
    assert "Xã Nam Mẫu" in form and "Phường Xuất Hóa" not in form   # only its own commune
    response = officer.post_form("/khoi-dan-van/moi", {"unit_id": world.c2.id, "name": "",
                                                       "established_on": "01/03/2026"})
    assert response.status_code == 303
    bloc = _bloc(db_session, world.c2)
    assert bloc.name == "Khối dân vận Xã Nam Mẫu" and bloc.established_on.isoformat() == "2026-03-01"
    response = officer.post_form(f"/khoi-dan-van/{bloc.id}/thanh-vien/moi", {
        "full_name": "Lò Văn Bí", "position": "bi_thu", "is_head": "y", "from_date": "01/03/2026"})
    assert response.status_code == 303
    detail = officer.get(f"/khoi-dan-van/{bloc.id}").get_data(as_text=True)
    assert "Lò Văn Bí" in detail
    member = db_session.scalar(sa.select(BlocMember).where(BlocMember.bloc_id == bloc.id))
    assert officer.post_form(f"/khoi-dan-van/thanh-vien/{member.id}/ket-thuc", {}).status_code == 303
    db_session.refresh(member)
    assert member.to_date is not None   # removed from today, the row kept as history


def test_units_admin_creates_a_commune_in_the_2025_shape_and_is_offered_its_bloc(world, login_as, db_session):
    admin = login_as("admin", world.bdv)
    response = admin.post_form("/don-vi/moi", {"name": "Xã Mới Lập", "kind": "xa", "parent_id": world.p.id,
                                               "code": "ĐU", "valid_from": "01/07/2025"}, follow_redirects=True)
    assert response.status_code == 200
    unit = db_session.scalar(sa.select(Unit).where(Unit.name == "Xã Mới Lập"))
    assert unit.parent_id == world.p.id   # directly under the province
    body = response.get_data(as_text=True)
    link = f"/khoi-dan-van/moi?unit_id={unit.id}"
    assert "Lập khối dân vận" in body and link in body
    form = admin.get(link).get_data(as_text=True)
    assert f'<option selected value="{unit.id}">' in form or f'value="{unit.id}" selected' in form
    assert admin.post_form("/khoi-dan-van/moi", {"unit_id": unit.id}).status_code == 303
    assert _bloc(db_session, unit) is not None
    assert "Khối dân vận Xã Mới Lập" in admin.get(f"/don-vi/{unit.id}").get_data(as_text=True)


@pytest.mark.parametrize("case, status, message", [
    ("none", 422, "Chọn xã, phường, thị trấn."),
    ("district", 422, "trong phạm vi quản lý chưa có khối"),
    ("other_scope", 422, "trong phạm vi quản lý chưa có khối"),
    ("garbage", 422, "Chọn"),
    ("exists", 422, "trong phạm vi quản lý chưa có khối"),
    ("bad_date", 422, "dd/mm/yyyy"),
    ("long_name", 422, "Tối đa 250 ký tự"),
    ("copy_without_merge", 422, "không hình thành từ sáp nhập"),
])
def test_bloc_creation_bad_input(world, login_as, db_session, case, status, message):
    officer = login_as("officer", world.d1)
    data = {"unit_id": world.c2.id}
    if case == "none":
        data = {}
    elif case == "district":
        data["unit_id"] = world.d1.id
    elif case == "other_scope":
        data["unit_id"] = world.c3.id
    elif case == "garbage":
        data["unit_id"] = "abc"
    elif case == "exists":
        db_session.add(Bloc(unit=world.c2, name="Khối", name_key="khoi"))
        db_session.flush()
    elif case == "bad_date":
        data["established_on"] = "31/02/2026"
    elif case == "long_name":
        data["name"] = "x" * 251
    elif case == "copy_without_merge":
        data["copy_members"] = "y"
    response = officer.post_form("/khoi-dan-van/moi", data)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Bloc)) == (1 if case == "exists" else 0)


@pytest.mark.parametrize("role", ["viewer", "inspector"])
def test_readers_cannot_create_a_bloc(world, login_as, role):
    client = login_as(role, world.c2)
    assert client.get("/khoi-dan-van/moi").status_code == 403
    assert client.post_form("/khoi-dan-van/moi", {"unit_id": world.c2.id}).status_code == 403
    assert "+ Lập khối dân vận" not in client.get("/khoi-dan-van/").get_data(as_text=True)
