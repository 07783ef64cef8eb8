"""Issue 16.13 and 16.22 in a real browser: the units admin creates a commune and lays down its bloc from the
offered button; a merge lists the merged units' accounts (htmx) and moves only those left ticked."""
from __future__ import annotations

import re
import secrets

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from danvan.auth.models import User
from danvan.blocs.models import Bloc
from danvan.core.units import Unit, add_unit
from tests.conftest import _password_hash

pytestmark = pytest.mark.browser


def _district(session) -> Unit:
    return session.scalar(sa.select(Unit).where(Unit.name == "Huyện ủy Ba Bể"))


def test_admin_creates_a_commune_then_its_bloc(page, login, live_data):
    name = f"Xã Thử Lập Khối {secrets.token_hex(2)}"
    with live_data() as session:
        district_id = _district(session).id
    login("admin")
    page.goto(f"/don-vi/moi?parent_id={district_id}")
    page.get_by_label("Tên đơn vị").fill(name)
    page.get_by_label("Loại đơn vị").select_option("xa")
    page.get_by_role("button", name="Tạo đơn vị").click()
    expect(page.locator("h1")).to_have_text(name)
    page.locator("#unit-bloc").get_by_role("link", name="Lập khối dân vận").click()
    expect(page.get_by_label("Xã, phường, thị trấn")).to_have_value(re.compile(r"\d+"))
    expect(page.get_by_label("Xã, phường, thị trấn").locator("option:checked")).to_have_text(name)
    page.get_by_label("Ngày thành lập").fill("31/02/2026")
    page.get_by_role("button", name="Lập khối").click()
    expect(page.locator("main")).to_contain_text("dd/mm/yyyy")
    page.get_by_label("Ngày thành lập").fill("01/03/2026")
    page.get_by_role("button", name="Lập khối").click()
    expect(page.locator("h1")).to_have_text(f"Khối dân vận {name}")
    expect(page.locator("#flash")).to_contain_text("thêm thành viên")
    with live_data() as session:
        unit = session.scalar(sa.select(Unit).where(Unit.name == name))
        assert session.scalar(sa.select(Bloc).where(Bloc.unit_id == unit.id)) is not None


def test_merge_lists_accounts_and_moves_only_the_ticked_ones(page, login, live_data):
    tag = secrets.token_hex(2)
    with live_data() as session:
        district = _district(session)
        units, users = [], []
        for i in (1, 2):
            unit = add_unit(f"Xã Gộp {tag} {i}", "xa", parent=district)
            user = User(username=f"gop{tag}{i}", full_name=f"Cán bộ Gộp {tag} {i}", unit=unit, active=True,
                        password_hash=_password_hash(), session_epoch=1)
            user.set_roles(["officer"])
            user.refresh_search_key()
            session.add(user)
            units.append(unit)
            users.append(user)
        session.flush()
        district_id, unit_ids, user_ids = district.id, [u.id for u in units], [u.id for u in users]
    login("admin")
    page.goto("/don-vi/sap-nhap")
    expect(page.locator("#merge-accounts")).to_contain_text("Chọn các đơn vị sáp nhập")
    page.get_by_label("Lọc danh sách đơn vị").fill(f"gop {tag}")
    page.get_by_label(f"Xã Gộp {tag} 1").check()
    expect(page.locator("#merge-accounts")).to_contain_text(f"Cán bộ Gộp {tag} 1")
    page.get_by_label(f"Xã Gộp {tag} 2").check()
    expect(page.locator("#merge-accounts")).to_contain_text(f"Cán bộ Gộp {tag} 2")
    expect(page.locator("#merge-accounts input[name=account_ids]:checked")).to_have_count(2)
    page.locator("#merge-accounts").get_by_label(re.compile(f"Cán bộ Gộp {tag} 2")).uncheck()
    page.get_by_label("Tên đơn vị mới").fill(f"Xã Gộp {tag} Mới")
    page.get_by_label("Trực thuộc", exact=True).select_option(str(district_id))
    page.get_by_label("Ngày sáp nhập").fill("01/07/2025")
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Sáp nhập").click()
    expect(page.locator("h1")).to_have_text(f"Xã Gộp {tag} Mới")
    expect(page.locator("#flash")).to_contain_text("đã chuyển 1 tài khoản")
    expect(page.locator("#account-moves")).to_contain_text(f"Cán bộ Gộp {tag} 1")
    expect(page.locator("#account-moves")).not_to_contain_text(f"Cán bộ Gộp {tag} 2")
    with live_data() as session:
        successor = session.scalar(sa.select(Unit).where(Unit.name == f"Xã Gộp {tag} Mới"))
        moved, stayed = (session.get(User, i) for i in user_ids)
        assert moved.unit_id == successor.id and stayed.unit_id == unit_ids[1]
